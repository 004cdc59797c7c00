// Static vs contextual: every occurrence of a word in the workspace as its own BERT vector, beside the
// single vector word2vec gives it. Failures are thrown as one sentence for the explorer to show.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../shared/configs';
import type { EngineResponses } from '../../shared/engineProtocol';
import { KINDS, missingCapabilityMessage } from '../../shared/modelKinds';
import type { ExplorerContextual, ExplorerModel } from '../../shared/protocol/explorer';
import type { EngineClient } from '../engineClient';
import type { ModelStore } from '../modelStore';

export async function gatherContextual(
  engine: EngineClient,
  store: ModelStore,
  staticModel: ExplorerModel | undefined, // the explorer's model, shown beside when it has no context
  word: string,
  layer: number,
  token?: vscode.CancellationToken,
): Promise<ExplorerContextual> {
  const model = store.active('contextual');
  if (!model?.modelKind) {
    if (staticModel)
      throw new Error(missingCapabilityMessage(staticModel.name, staticModel.kind, 'contextual'));
    throw new Error(
      vscode.l10n.t(
        'Contextual vectors need a contextual model such as BERT; pretrain one or add one in the Models view.',
      ),
    );
  }
  const glob = vscode.workspace
    .getConfiguration('pretrainLab')
    .get('corpusGlob', DEFAULT_SETTINGS.corpusGlob);
  const files = (await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.pretrain-lab}/**', 5000)).map(
    (u) => u.fsPath,
  );
  if (files.length === 0)
    throw new Error(vscode.l10n.t('No workspace file matches {0}; open a folder with text files.', glob));
  const r: EngineResponses['contextual'] = await engine.call(
    { type: 'contextual', modelDir: model.dir, word, files, layer, max: 400 },
    { token },
  );
  const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const data: ExplorerContextual = {
    word: r.word,
    layer: r.layer,
    layers: r.layers,
    dim: r.dim,
    model: model.name,
    modelLabel: KINDS[model.modelKind].label,
    occurrences: r.occurrences.map((o) => ({
      ...o,
      label: `${ws ? path.relative(ws, o.file) : path.basename(o.file)}:${o.line + 1}`,
    })),
    vectors: r.vectors,
    total: r.total,
    notice: r.notice,
  };
  // a model without context has one vector per word: show it beside the occurrences
  if (staticModel && !KINDS[staticModel.kind].capabilities.includes('contextual')) {
    const a: EngineResponses['vectorsQuery'] = await engine.call(
      { type: 'vectorsQuery', model: staticModel.id, query: { op: 'neighbours', word, k: 8 } },
      { token },
    );
    data.staticModel = staticModel.name;
    data.staticNeighbours = a.neighbours;
    data.staticError = a.error;
  }
  return data;
}
