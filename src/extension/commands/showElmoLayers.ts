// Show ELMo Layers on the editor selection: the engine compares each token's three layers with the
// word's other occurrences in the selection and in the workspace files; the panel shows the result.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../shared/configs';
import type { ElmoLayersView } from '../../shared/protocol/elmo';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelEntry, ModelStore } from '../modelStore';
import type { ElmoPanel } from '../panels/elmoPanel';

/** The ELMo to read: the model active for layers if it is an ELMo, else the newest usable ELMo. */
function elmoModel(models: ModelStore): ModelEntry | undefined {
  const active = models.active('layers');
  if (active?.modelKind === 'elmo') return active;
  return models
    .list()
    .filter((m) => m.modelKind === 'elmo' && !m.problem)
    .at(-1);
}

export class ShowElmoLayersCommand {
  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
    private readonly panel: ElmoPanel,
  ) {
    panel.onReveal = async (file, line) => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
      const pos = new vscode.Position(line, 0);
      await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: true });
    };
  }

  async run(): Promise<ElmoLayersView | { error: string } | undefined> {
    const editor = vscode.window.activeTextEditor;
    const text = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
    if (!editor || text.trim().length === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Select a sentence or two, then run Show ELMo Layers.'),
      );
      return undefined;
    }
    const model = elmoModel(this.models);
    if (!model) {
      const error = vscode.l10n.t('There is no ELMo model yet; run Pretrain ELMo on this workspace first.');
      void vscode.window.showWarningMessage(error);
      return { error };
    }
    this.panel.loading(text);
    try {
      const glob = vscode.workspace
        .getConfiguration('pretrainLab')
        .get('corpusGlob', DEFAULT_SETTINGS.corpusGlob);
      const found = await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.pretrain-lab}/**', 200);
      const files = found.map((u) => u.fsPath);
      const view = await this.engine.call({ type: 'elmoLayers', modelDir: model.dir, text, files });
      this.panel.result(view);
      if (view.truncated)
        void vscode.window.showInformationMessage(
          vscode.l10n.t(
            'The selection was cut to its first {0} tokens, the most ELMo reads at once.',
            view.maxTokens,
          ),
        );
      return view;
    } catch (e) {
      const msg = (e as Error).message;
      log().warn(`Show ELMo Layers: ${msg}`);
      this.panel.error(msg);
      void vscode.window.showErrorMessage(msg);
      return { error: msg };
    }
  }
}
