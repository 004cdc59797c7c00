// Static vs contextual: every occurrence of a word in the workspace as its own vector from a contextual
// model (a BERT's hidden states, or an ELMo's layers: 0 the token layer, 1-2 the biLSTM layers), beside
// the single vector word2vec gives it. Failures are thrown as one sentence for the explorer to show.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../shared/configs';
import type { EngineResponses } from '../../shared/engineProtocol';
import { KINDS, missingCapabilityMessage } from '../../shared/modelKinds';
import type {
  ExplorerContextual,
  ExplorerContextualModel,
  ExplorerModel,
} from '../../shared/protocol/explorer';
import type { EngineClient } from '../engineClient';
import type { ModelEntry, ModelStore } from '../modelStore';

/** The models the view can read, usable ones with contextual vectors (BERT, ELMo), as the view lists them. */
export function contextualModels(store: ModelStore): ExplorerContextualModel[] {
  return store
    .list()
    .filter((m) => !m.problem && m.modelKind && m.capabilities.includes('contextual'))
    .map((m) => ({ id: m.dir, name: m.name, kind: m.modelKind!, layers: m.layers }));
}

/** What the view offers beside the word: the models, and the one last shown (else the active one). */
export function contextualChoices(
  store: ModelStore,
  lastShown: string | undefined,
): { contextual: ExplorerContextualModel[]; contextualSelected?: string } {
  const contextual = contextualModels(store);
  const selected = contextual.some((m) => m.id === lastShown) ? lastShown : store.active('contextual')?.dir;
  return { contextual, contextualSelected: selected };
}

/** The model the user picked in the view, else the one active for contextual vectors. */
function pick(store: ModelStore, chosen: string | undefined): ModelEntry | undefined {
  if (chosen === undefined) return store.active('contextual');
  const m = store.list().find((e) => e.dir === chosen);
  if (!m || m.problem || !m.capabilities.includes('contextual'))
    throw new Error(
      vscode.l10n.t(
        'The contextual model you picked is no longer listed or usable; pick another one beside the word.',
      ),
    );
  return m;
}

export async function gatherContextual(
  engine: EngineClient,
  store: ModelStore,
  staticModel: ExplorerModel | undefined, // the explorer's model, shown beside when it has no context
  word: string,
  layer: number,
  token?: vscode.CancellationToken,
  chosen?: string, // the contextual model's folder picked in the view
): Promise<ExplorerContextual> {
  const model = pick(store, chosen);
  if (!model?.modelKind) {
    if (staticModel)
      throw new Error(missingCapabilityMessage(staticModel.name, staticModel.kind, 'contextual'));
    throw new Error(
      vscode.l10n.t(
        'Contextual vectors need a contextual model such as BERT or ELMo; pretrain one or add one in the Models view.',
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
    modelId: model.dir,
    modelKind: model.modelKind,
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
