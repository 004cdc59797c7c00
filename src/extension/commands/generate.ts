// Generate from Here: a GPT continues the selection (or the text up to the cursor) and the tokens
// stream into the editor after it as they come. Every write after the first joins the first one's
// undo group, so one undo removes the whole continuation (editorStream.ts; a save of the file while
// it streams in is an undo stop VS Code adds, which the message then mentions). The notification's
// Cancel (or Escape, or Pretrain Lab: Stop Generating) stops within a token and keeps what was
// written; so does an edit of the document by anyone else, which would otherwise be written into.
import * as vscode from 'vscode';
import { DEFAULT_GENERATE, type GenerateOptions } from '../../shared/configs';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import { EditorStream } from './editorStream';
import { modelFor } from './modelFor';

/** How much of the document before the cursor is sent as the prompt; the engine keeps the context's end. */
const MAX_PROMPT_CHARS = 20_000;
/** How long the first piece may take before the notification shows anyway (a model still loading). */
const NOTIFY_AFTER_MS = 300;

export interface GenerateOutcome {
  model: string;
  text: string; // what was written into the document
  stopped?: 'cancelled' | 'endOfText' | 'maxTokens' | 'edited';
  notice?: string;
  firstTokenMs?: number; // from the command to the first text on screen
  firstPieceMs?: number; // from the command to the first text from the engine
  savesBetweenPieces?: number; // saves seen between two pieces (a lower bound): each one more undo step
}

/** What to add to the message when saves split the continuation into several undo steps. */
function savedNotice(saves: number): string | undefined {
  if (saves === 0) return undefined;
  return vscode.l10n.t(
    'The file was saved while the text streamed in (auto save?), and VS Code makes every save an undo step: undo takes this continuation back in more than one step.',
  );
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
    const model = choice.model;
    const t0 = Date.now();
    const cts = new vscode.CancellationTokenSource();
    this.running = cts;
    void vscode.commands.executeCommand('setContext', 'pretrainLab.generating', true);
    let edited = false;
    const stream = new EditorStream(
      editor,
      doc.offsetAt(sel.isEmpty ? sel.active : sel.end),
      () => edited || cts.token.isCancellationRequested,
      () => {
        edited = true;
        cts.cancel();
      },
    );
    const sub = vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== doc || stream.ownEdit || e.contentChanges.length === 0) return;
      edited = true; // someone else changed the text: stop rather than write into their edit
      cts.cancel();
    });
    const outcome = (stopped: GenerateOutcome['stopped'], notice?: string): GenerateOutcome => ({
      model: model.name,
      text: stream.written,
      stopped: edited ? 'edited' : stopped,
      notice,
      firstTokenMs: stream.firstAt === undefined ? undefined : stream.firstAt - t0,
      firstPieceMs: stream.firstPieceAt === undefined ? undefined : stream.firstPieceAt - t0,
      savesBetweenPieces: stream.savesBetweenPieces,
    });
    /**
     * Stopped by the person or by an edit: one message says which (with the notices of the model
     * choice and of the engine, when there are any), and what was written is kept.
     */
    const stoppedOutcome = (notices: (string | undefined)[] = []): GenerateOutcome => {
      const why = edited
        ? vscode.l10n.t('Generation stopped because the text changed; what was written is kept.')
        : vscode.l10n.t('Generation cancelled; what was written is kept.');
      const notice = [why, ...notices, savedNotice(stream.savesBetweenPieces)].filter(Boolean).join(' ');
      void vscode.window.showInformationMessage(notice);
      return { ...outcome('cancelled'), notice };
    };
    const call = this.engine.call(
      { type: 'generate', modelDir: model.dir, text: prompt, ...generateSettings() },
      {
        token: cts.token,
        onProgress: (p) => {
          if (p.type === 'generate') stream.write(p.text);
        },
      },
    );
    // the notification (Escape or its Cancel stops) comes once the first piece is on screen, or when
    // none came within NOTIFY_AFTER_MS (a model still loading): the window draws the first piece
    // before it, not after it
    let notified = false;
    const notify = () => {
      if (notified) return;
      notified = true;
      void vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Generating with {0} (Escape to stop)', model.name),
          cancellable: true,
        },
        async (_p, token) => {
          const link = token.onCancellationRequested(() => cts.cancel());
          await Promise.allSettled([call]);
          link.dispose();
        },
      );
    };
    stream.onFirstShown = notify;
    const timer = setTimeout(notify, NOTIFY_AFTER_MS);
    try {
      const r = await call;
      await stream.settled();
      // a Stop (or an edit) while the engine generated, or after its last token but before the editor
      // had it all (the rest is dropped): the same stopped continuation, the same message
      if (cts.token.isCancellationRequested && (r.stopped === 'cancelled' || stream.dropped > 0))
        return stoppedOutcome([choice.notice, r.notice]);
      const saved = savedNotice(stream.savesBetweenPieces);
      const notice = [choice.notice, r.notice, saved].filter(Boolean).join(' ') || undefined;
      if (notice) void vscode.window.showInformationMessage(notice);
      return outcome(r.stopped, notice);
    } catch (e) {
      await stream.settled();
      if (cts.token.isCancellationRequested) return stoppedOutcome([choice.notice]);
      const msg = (e as Error).message;
      log().warn(`Generate from Here: ${msg}`);
      void vscode.window.showErrorMessage(msg);
      return { error: msg };
    } finally {
      clearTimeout(timer);
      sub.dispose();
      stream.dispose();
      cts.dispose();
      this.running = undefined;
      void vscode.commands.executeCommand('setContext', 'pretrainLab.generating', false);
    }
  }

  dispose(): void {
    this.running?.cancel();
  }
}
