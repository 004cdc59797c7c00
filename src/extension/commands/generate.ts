// Generate from Here: a GPT continues the selection (or the text up to the cursor) and the tokens
// stream into the editor after it as they come. Every write after the first joins the first one's
// undo group, so one undo removes the whole continuation. The notification's Cancel (or Escape, or
// Pretrain Lab: Stop Generating) stops within a token and keeps what was written; so does an edit of
// the document by anyone else, which would otherwise be written into.
import * as vscode from 'vscode';
import { DEFAULT_GENERATE, type GenerateOptions } from '../../shared/configs';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import { modelFor } from './modelFor';

/** How much of the document before the cursor is sent as the prompt; the engine keeps the context's end. */
const MAX_PROMPT_CHARS = 20_000;

export interface GenerateOutcome {
  model: string;
  text: string; // what was written into the document
  stopped?: 'cancelled' | 'endOfText' | 'maxTokens' | 'edited';
  notice?: string;
  firstTokenMs?: number; // from the command to the first text on screen
}

/** The generation settings (pretrainLab.generate.*), with the shared defaults. */
export function generateSettings(): GenerateOptions {
  const c = vscode.workspace.getConfiguration('pretrainLab.generate');
  return {
    maxNewTokens: c.get('maxNewTokens', DEFAULT_GENERATE.maxNewTokens),
    temperature: c.get('temperature', DEFAULT_GENERATE.temperature),
    topK: c.get('topK', DEFAULT_GENERATE.topK),
    topP: c.get('topP', DEFAULT_GENERATE.topP),
    seed: c.get('seed', DEFAULT_GENERATE.seed),
  };
}

export class GenerateCommand implements vscode.Disposable {
  private running: vscode.CancellationTokenSource | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
  ) {}

  /** Stops the generation under way (Escape, the command palette). */
  stop(): void {
    this.running?.cancel();
  }

  async run(): Promise<GenerateOutcome | { error: string } | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Open a text and put the cursor where GPT should continue, then run Generate from Here.',
        ),
      );
      return undefined;
    }
    if (this.running) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('A generation is already running; wait for it or cancel it first.'),
      );
      return undefined;
    }
    const choice = modelFor(
      this.models,
      'generate',
      vscode.l10n.t(
        'There is no left-to-right language model yet; pretrain a GPT first (Pretrain Lab: Pretrain GPT).',
      ),
    );
    if ('error' in choice) {
      void vscode.window
        .showWarningMessage(choice.error, vscode.l10n.t('Pretrain GPT'))
        .then((pick) => pick && vscode.commands.executeCommand('pretrainLab.pretrainGpt'));
      return { error: choice.error };
    }
    const doc = editor.document;
    const sel = editor.selection;
    const prompt = sel.isEmpty
      ? doc.getText(
          new vscode.Range(
            doc.positionAt(Math.max(0, doc.offsetAt(sel.active) - MAX_PROMPT_CHARS)),
            sel.active,
          ),
        )
      : doc.getText(sel);
    let at = doc.offsetAt(sel.isEmpty ? sel.active : sel.end); // where the next piece goes
    const model = choice.model;
    const t0 = Date.now();
    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    void vscode.commands.executeCommand('setContext', 'pretrainLab.generating', true);
    let written = '';
    let firstTokenMs: number | undefined;
    let edited = false;
    let ownEdit = false;
    let writes = Promise.resolve();
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== doc || ownEdit || e.contentChanges.length === 0) return;
      edited = true; // someone else changed the text: stop rather than write into their edit
      cts.cancel();
    });
    // pieces that came while an edit was under way are written together, so the editor never lags
    // behind the engine, and a stop drops what was not on screen yet (Stop keeps only what was shown)
    let pending = '';
    const write = (piece: string) => {
      const idle = pending.length === 0;
      pending += piece;
      if (!idle) return;
      writes = writes.then(async () => {
        while (pending && !edited && !cts.token.isCancellationRequested && !editor.document.isClosed) {
          const text = pending;
          const pos = doc.positionAt(at);
          ownEdit = true;
          try {
            const ok = await editor.edit((b) => b.insert(pos, text), {
              undoStopBefore: written.length === 0,
              undoStopAfter: false,
            });
            if (!ok) throw new Error('the editor refused the edit');
          } catch (e) {
            edited = true;
            cts.cancel();
            log().warn(`Generate from Here: ${(e as Error).message}`);
            break;
          } finally {
            ownEdit = false;
          }
          pending = pending.slice(text.length);
          at += text.length;
          written += text;
          firstTokenMs ??= Date.now() - t0;
        }
        pending = '';
      });
    };
    try {
      const r = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Generating with {0} (Escape to stop)', model.name),
          cancellable: true,
        },
        async (_p, token) => {
          const link = token.onCancellationRequested(() => cts.cancel());
          try {
            return await this.engine.call(
              { type: 'generate', modelDir: model.dir, text: prompt, ...generateSettings() },
              {
                token: cts.token,
                onProgress: (p) => {
                  if (p.type === 'generate') write(p.text);
                },
              },
            );
          } finally {
            link.dispose();
          }
        },
      );
      await writes;
      const notice = [choice.notice, r.notice].filter(Boolean).join(' ') || undefined;
      if (notice) void vscode.window.showInformationMessage(notice);
      return {
        model: model.name,
        text: written,
        stopped: edited ? 'edited' : r.stopped,
        notice,
        firstTokenMs,
      };
    } catch (e) {
      await writes;
      if (cts.token.isCancellationRequested) {
        const why = edited
          ? vscode.l10n.t('Generation stopped because the text changed; what was written is kept.')
          : vscode.l10n.t('Generation cancelled; what was written is kept.');
        void vscode.window.showInformationMessage(why);
        return { model: model.name, text: written, stopped: edited ? 'edited' : 'cancelled', firstTokenMs };
      }
      const msg = (e as Error).message;
      log().warn(`Generate from Here: ${msg}`);
      void vscode.window.showErrorMessage(msg);
      return { error: msg };
    } finally {
      sub.dispose();
      cts.dispose();
      this.running = undefined;
      void vscode.commands.executeCommand('setContext', 'pretrainLab.generating', false);
      // close the undo group: the next edit (typing) is a step of its own
      if (written && !editor.document.isClosed)
        await editor.edit(() => {}, { undoStopBefore: false, undoStopAfter: true });
    }
  }

  dispose(): void {
    this.running?.cancel();
  }
}
