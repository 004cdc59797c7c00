// Writes a continuation into an editor piece by piece as one undo step. Every edit goes through one
// promise chain, so edits never overlap and their order is the order of the pieces: the first is made
// with an undo stop before it (it starts a new undo element, apart from what the person typed before)
// and every later one with none before or after, so VS Code appends it to that element; `settled()`
// is the end of the chain, which the command awaits before it reports, so no edit is in flight after
// a Stop. Pieces that come while an edit is under way are written together in the next edit, so the
// editor never lags behind the engine; after a stop, what was not on screen yet is dropped.
//
// What can still split the step is VS Code itself: every save of the document pushes an undo stop
// (TextFileEditorModel.doSave), so a save between two pieces starts a new undo element. Auto save
// does that when `files.autoSaveDelay` (1 s) passes between two pieces, and "afterDelay" is VS Code's
// default in the browser (code-server, vscode.dev): a slow token or a stalled machine makes the gap.
// An extension can neither reopen the element nor hold the save back (the stop is pushed before save
// participants run), so such saves are counted and the command says so. The count is a lower bound:
// a save is seen through onWillSaveTextDocument, which comes after the undo stop (no save is counted
// that did not split), but often only after the next piece was written, or not before the end.
// The element is left open at the end: an empty edit is never sent to the editor, and a dummy edit
// would become an undo step of its own if the element had been closed; what VS Code does next
// (typing, a cursor move, a save) pushes its own undo stop first.
import * as vscode from 'vscode';
import { log } from '../log';

export class EditorStream {
  /** What is in the document so far. */
  written = '';
  /** Date.now() when the first piece came from the engine, and when it was on screen. */
  firstPieceAt: number | undefined;
  firstAt: number | undefined;
  /** Called once, when the first piece is on screen. */
  onFirstShown: (() => void) | undefined;
  /** The editor refused an edit or is gone: the stream stopped. */
  failed = false;
  /** An edit of this stream is under way (its change event is ours, not someone else's). */
  ownEdit = false;
  /** Text from the engine never written: after a stop (the engine may finish before the editor), or a closed document. */
  dropped = 0;
  /** Saves seen between two pieces (at least that many more undo steps; see the header). */
  savesBetweenPieces = 0;
  private savedSincePiece = false;
  private readonly saves: vscode.Disposable;
  private pending = '';
  private chain: Promise<void> = Promise.resolve();
  private at: number;

  constructor(
    private readonly editor: vscode.TextEditor,
    offset: number,
    private readonly stopped: () => boolean,
    private readonly onFail: () => void,
  ) {
    this.at = offset;
    this.saves = vscode.workspace.onWillSaveTextDocument((e) => {
      if (e.document === editor.document && this.written) this.savedSincePiece = true;
    });
  }

  /** Queues a piece; it is written after the pieces before it, unless the stream stopped by then. */
  write(piece: string): void {
    this.firstPieceAt ??= Date.now();
    if (this.stopped()) {
      this.dropped += piece.length;
      return;
    }
    const idle = this.pending.length === 0;
    this.pending += piece;
    if (idle) this.chain = this.chain.then(() => this.flush());
  }

  /** Resolves when every edit queued so far is done (or dropped). */
  settled(): Promise<void> {
    return this.chain;
  }

  private async flush(): Promise<void> {
    const doc = this.editor.document;
    while (this.pending && !this.failed && !this.stopped() && !doc.isClosed) {
      const text = this.pending;
      const pos = doc.positionAt(this.at);
      this.ownEdit = true;
      try {
        const ok = await this.editor.edit((b) => b.insert(pos, text), {
          undoStopBefore: this.written.length === 0,
          undoStopAfter: false,
        });
        if (!ok) throw new Error('the editor refused the edit');
      } catch (e) {
        this.failed = true;
        this.onFail();
        log().warn(`Generate from Here: ${(e as Error).message}`);
        break;
      } finally {
        this.ownEdit = false;
      }
      this.pending = this.pending.slice(text.length);
      this.at += text.length;
      this.written += text;
      if (this.firstAt === undefined) {
        this.firstAt = Date.now();
        this.onFirstShown?.();
      }
      if (this.savedSincePiece) this.savesBetweenPieces++;
      this.savedSincePiece = false;
    }
    this.dropped += this.pending.length;
    this.pending = '';
  }

  dispose(): void {
    this.saves.dispose();
  }
}
