// Rewrite Selection: the active seq2seq model rewrites the selected text (greedy, or beam search with
// pretrainLab.rewrite.*). The output streams into a diff view beside the editor (selection on the left,
// rewrite on the right); Accept replaces the selection in one edit, so one undo brings the text back.
// A change to the document meanwhile makes Accept refuse rather than overwrite someone's edit.
import * as vscode from 'vscode';
import { DEFAULT_REWRITE, type RewriteSettings } from '../../shared/configs';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import { modelFor } from './modelFor';

export const REWRITE_SCHEME = 'pretrainlab-rewrite';

/** pretrainLab.rewrite.*, with the shared defaults. */
export function rewriteSettings(): RewriteSettings {
  const c = vscode.workspace.getConfiguration('pretrainLab.rewrite');
  return {
    beamSize: c.get('beamSize', DEFAULT_REWRITE.beamSize),
    lengthPenalty: c.get('lengthPenalty', DEFAULT_REWRITE.lengthPenalty),
    maxLength: c.get('maxLength', DEFAULT_REWRITE.maxLength),
  };
}

/** The read-only texts the diff view shows, by URI path; a change fires as the output streams. */
class RewriteDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }
  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.path, text);
    this.changed.fire(uri);
  }
  dispose(): void {
    this.changed.dispose();
  }
}

export interface RewriteOutcome {
  model: string;
  text: string; // the rewrite
  accepted: boolean;
  beams: { text: string; score: number }[];
}

/** What the person chose; tests answer for them. */
export type RewriteDecision = (text: string) => Thenable<boolean>;

const askToAccept: RewriteDecision = async (text) => {
  const accept = vscode.l10n.t('Accept');
  const pick = await vscode.window.showInformationMessage(
    vscode.l10n.t(
      'Replace the selection with the rewrite "{0}"?',
      text.length > 80 ? `${text.slice(0, 80)}…` : text,
    ),
    accept,
    vscode.l10n.t('Discard'),
  );
  return pick === accept;
};

export class RewriteCommand implements vscode.Disposable {
  private readonly docs = new RewriteDocuments();
  private readonly registration: vscode.Disposable;
  private counter = 0;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
  ) {
    this.registration = vscode.workspace.registerTextDocumentContentProvider(REWRITE_SCHEME, this.docs);
  }

  async run(decide: RewriteDecision = askToAccept): Promise<RewriteOutcome | { error: string } | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Select the text to rewrite, then run Rewrite Selection.'),
      );
      return undefined;
    }
    const choice = modelFor(
      this.models,
      'rewrite',
      vscode.l10n.t('There is no sequence-to-sequence model yet; fine-tune one (Fine-tune…, Generation).'),
    );
    if ('error' in choice) {
      void vscode.window.showWarningMessage(choice.error);
      return { error: choice.error };
    }
    const doc = editor.document;
    const range = new vscode.Range(editor.selection.start, editor.selection.end);
    const source = doc.getText(range);
    const version = doc.version;
    const n = ++this.counter;
    const left = vscode.Uri.from({ scheme: REWRITE_SCHEME, path: `/${n}/selection.txt` });
    const right = vscode.Uri.from({ scheme: REWRITE_SCHEME, path: `/${n}/rewrite.txt` });
    this.docs.set(left, source);
    this.docs.set(right, '');
    await vscode.commands.executeCommand(
      'vscode.diff',
      left,
      right,
      vscode.l10n.t('Rewrite by {0}', choice.model.name),
      { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true },
    );
    try {
      const r = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Rewriting with {0}', choice.model.name),
          cancellable: true,
        },
        (_p, token) =>
          this.engine.call(
            { type: 'rewrite', modelDir: choice.model.dir, text: source, ...rewriteSettings() },
            { token, onProgress: (p) => p.type === 'rewrite' && this.docs.set(right, p.text) },
          ),
      );
      this.docs.set(right, r.text);
      if (r.sourceCut)
        void vscode.window.showInformationMessage(
          vscode.l10n.t('The selection was longer than the model reads; its end was cut.'),
        );
      const accepted = await decide(r.text);
      if (accepted) {
        if (doc.version !== version) {
          const msg = vscode.l10n.t('The text changed while rewriting; run Rewrite Selection again.');
          void vscode.window.showWarningMessage(msg);
          return { error: msg };
        }
        const ok = await editor.edit((b) => b.replace(range, r.text), {
          undoStopBefore: true,
          undoStopAfter: true,
        });
        if (!ok) throw new Error('The editor refused the edit; run Rewrite Selection again.');
      }
      return { model: choice.model.name, text: r.text, accepted, beams: r.beams };
    } catch (e) {
      const msg = (e as Error).message;
      log().warn(`Rewrite Selection: ${msg}`);
      void vscode.window.showErrorMessage(msg);
      return { error: msg };
    }
  }

  dispose(): void {
    this.registration.dispose();
    this.docs.dispose();
  }
}
