// Predict Mask on the editor selection: [MASK]s written in it, or the selected word masked whole; with
// no selection, the cursor's line when it holds [MASK]. Candidates open in the panel; every candidate
// the panel writes joins one undo group, so one undo restores the text as it was before the panel's
// first write, and the panel follows the document (maskSpans.ts): an undo unmarks what it took out.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type PredictMaskResult } from '../../shared/configs';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import type { PredictPanel } from '../panels/predictPanel';
import { editedSentence, holding, type MaskSpan, moveSpans } from './maskSpans';
import { modelFor } from './modelFor';

interface Prediction {
  requestId: number;
  uri: vscode.Uri;
  spans: MaskSpan[]; // where each mask is in the document now
  result: PredictMaskResult;
  writtenAt?: number; // the document version after the panel's last write: the next one joins its undo group
}

export interface PredictOutcome {
  model: string;
  result: PredictMaskResult;
  requestId: number;
  notice?: string; // what the panel says above the candidates, e.g. which model was used instead
}

/** What the command returns: the prediction, the error sentence shown, or nothing when it asked nothing. */
export type PredictCommandResult = PredictOutcome | { error: string } | undefined;

export class PredictMaskCommand implements vscode.Disposable {
  private last: Prediction | undefined;
  private nextId = 1;
  private inFlight: vscode.CancellationTokenSource | undefined;
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
    private readonly panel: PredictPanel,
  ) {
    // a refusal (the text changed, an older prediction) travels back and is shown in the panel
    panel.onApply = (requestId, maskIndex, candidateIndex) =>
      this.apply(maskIndex, candidateIndex, requestId);
    panel.onPredictAgain = (source, uri, offset) => this.again(source, uri, offset);
    // closing the panel mid-request cancels the request
    panel.onClose = () => this.inFlight?.cancel();
    this.sub = vscode.workspace.onDidChangeTextDocument((e) => this.follow(e));
  }

  async run(): Promise<PredictCommandResult> {
    const editor = vscode.window.activeTextEditor;
    const sel = editor ? selectionOrMaskLine(editor) : undefined;
    if (!editor || !sel) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Select text that contains [MASK], or a word to mask (or put the cursor on a line with [MASK]), then run Predict Mask.',
        ),
      );
      return undefined;
    }
    const doc = editor.document;
    const selected = doc.getText(sel);
    if (selected.trim().length === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('The selection is only spaces; select text that contains [MASK], or a word.'),
      );
      return undefined;
    }
    // the active masked language model: making a word2vec model active does not change it
    const choice = modelFor(
      this.models,
      'predictMask',
      vscode.l10n.t('There is no usable masked language model yet; pretrain a BERT on this workspace first.'),
    );
    if ('error' in choice) {
      void vscode.window
        .showWarningMessage(choice.error, vscode.l10n.t('Pretrain BERT'))
        .then((pick) => pick && vscode.commands.executeCommand('pretrainLab.pretrainBert'));
      return { error: choice.error };
    }
    const model = choice.model;
    const topK = vscode.workspace.getConfiguration('pretrainLab').get('topK', DEFAULT_SETTINGS.topK);
    const hasMask = selected.includes('[MASK]');
    // in word mode the model reads the sentence around the selected word, so the word has its context
    const range = hasMask ? new vscode.Range(sel.start, sel.end) : sentenceAround(doc, sel);
    const text = doc.getText(range);
    const base = doc.offsetAt(range.start);
    const requestId = this.nextId++;
    this.inFlight?.cancel();
    const cts = new vscode.CancellationTokenSource();
    this.inFlight = cts;
    this.panel.loading(text);
    try {
      const result = hasMask
        ? await this.engine.call(
            { type: 'predictMask', modelDir: model.dir, text, topK },
            { token: cts.token },
          )
        : await this.engine.call(
            {
              type: 'predictWord',
              modelDir: model.dir,
              text,
              topK,
              start: doc.offsetAt(sel.start) - base,
              end: doc.offsetAt(sel.end) - base,
            },
            { token: cts.token },
          );
      if (cts.token.isCancellationRequested) return undefined;
      this.last = {
        requestId,
        uri: doc.uri,
        spans: result.masks.map((m) => ({
          start: base + m.position,
          end: base + m.position + m.length,
          original: text.slice(m.position, m.position + m.length),
        })),
        result,
      };
      const notice = [choice.notice, result.notice].filter(Boolean).join(' ') || undefined;
      this.panel.result({
        requestId,
        model: model.name,
        source: text,
        uri: doc.uri.toString(),
        offset: base,
        result: { ...result, notice },
      });
      if (result.notice) void vscode.window.showInformationMessage(result.notice);
      return { model: model.dir, result, requestId, notice };
    } catch (e) {
      if (cts.token.isCancellationRequested) return undefined;
      const msg = (e as Error).message;
      log().warn(`Predict Mask: ${msg}`);
      this.panel.error(msg);
      void vscode.window.showErrorMessage(msg);
      return { error: msg };
    } finally {
      if (this.inFlight === cts) this.inFlight = undefined;
      cts.dispose();
    }
  }

  /**
   * Writes candidate `candidateIndex` of mask `maskIndex` into the document in place of that mask (or
   * of a candidate applied to it before). Writes that follow one another with nothing else changing
   * the document in between share one undo group. Refuses when the text at the mask was edited.
   */
  async apply(maskIndex: number, candidateIndex: number, requestId?: number): Promise<string> {
    const p = this.last;
    if (!p || (requestId !== undefined && requestId !== p.requestId)) {
      throw new Error(
        vscode.l10n.t('These candidates belong to an earlier prediction; run Predict Mask again.'),
      );
    }
    const span = p.spans[maskIndex];
    const cand = p.result.masks[maskIndex]?.candidates[candidateIndex];
    if (!span || !cand)
      throw new Error(
        vscode.l10n.t('There is no candidate {0} for mask {1}.', candidateIndex + 1, maskIndex + 1),
      );
    const doc = await vscode.workspace.openTextDocument(p.uri);
    const range = new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
    const now = doc.getText(range);
    const candidates = p.result.masks[maskIndex].candidates.map((c) => c.token);
    if (now !== span.original && !candidates.includes(now)) {
      throw new Error(
        vscode.l10n.t(
          'The text at that mask changed since the prediction (it no longer reads "{0}"); run Predict Mask again.',
          span.original,
        ),
      );
    }
    if (now === cand.token) return cand.token;
    const join = p.writtenAt === doc.version;
    const editor = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    // a TextEditor edit can join the previous undo group (undoStopBefore false); a WorkspaceEdit cannot
    const ok = editor
      ? await editor.edit((b) => b.replace(range, cand.token), {
          undoStopBefore: !join,
          undoStopAfter: false,
        })
      : await vscode.workspace.applyEdit(replaceEdit(p.uri, range, cand.token));
    if (!ok) throw new Error(vscode.l10n.t('VS Code refused the edit; is the document read-only?'));
    // the spans moved with the change event (follow), which VS Code delivers before the edit resolves
    p.writtenAt = doc.version;
    this.panel.applied(maskIndex, cand.token);
    return cand.token;
  }

  /** Moves the masks with a change to the prediction's document and tells the panel what they hold. */
  private follow(e: vscode.TextDocumentChangeEvent): void {
    const p = this.last;
    if (!p || e.document.uri.toString() !== p.uri.toString() || e.contentChanges.length === 0) return;
    moveSpans(p.spans, e.contentChanges);
    const texts = p.spans.map((s) =>
      e.document.getText(new vscode.Range(e.document.positionAt(s.start), e.document.positionAt(s.end))),
    );
    const h = holding(
      texts,
      p.spans,
      p.result.masks.map((m) => m.candidates.map((c) => c.token)),
    );
    this.panel.follow(h.applied, h.edited.length ? editedSentence(h.edited) : undefined);
  }

  /** Predict again on the text a panel shows: found in its document (where it was, else anywhere). */
  async again(source: string, uri?: string, offset?: number): Promise<PredictCommandResult> {
    const target = uri ? vscode.Uri.parse(uri) : vscode.window.activeTextEditor?.document.uri;
    const name = target ? target.path.split('/').pop() : 'the editor';
    const doc = target ? await vscode.workspace.openTextDocument(target) : undefined;
    const text = doc?.getText() ?? '';
    const at =
      offset !== undefined && text.slice(offset, offset + source.length) === source
        ? offset
        : text.indexOf(source);
    if (!doc || at < 0)
      throw new Error(
        vscode.l10n.t(
          'The text of this prediction is no longer in {0}; select text with [MASK] and run Predict Mask.',
          name ?? '',
        ),
      );
    // in the editor's own column, not the panel's (the panel has focus when its button is clicked)
    const column =
      vscode.window.visibleTextEditors.find((e) => e.document === doc)?.viewColumn ?? vscode.ViewColumn.One;
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: false });
    editor.selection = new vscode.Selection(doc.positionAt(at), doc.positionAt(at + source.length));
    return this.run();
  }

  /** What the panel marks: the candidate each mask holds (null: as predicted) and why it is stale. */
  get panelState(): { applied: (string | null)[]; stale?: string; restored: boolean } {
    return this.panel.following;
  }

  dispose(): void {
    this.sub.dispose();
  }
}

function replaceEdit(uri: vscode.Uri, range: vscode.Range, text: string): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, range, text);
  return edit;
}

/**
 * The selection, or with none the cursor's line when it holds [MASK] (trimmed), so Predict Mask from
 * the command palette works on the line under the cursor; undefined when there is nothing to predict.
 */
export function selectionOrMaskLine(editor: vscode.TextEditor): vscode.Selection | undefined {
  const sel = editor.selection;
  if (!sel.isEmpty) return sel;
  const line = editor.document.lineAt(sel.active.line);
  if (!line.text.includes('[MASK]')) return undefined;
  const start = line.firstNonWhitespaceCharacterIndex;
  const end = line.text.trimEnd().length;
  return new vscode.Selection(sel.active.line, start, sel.active.line, end);
}

/** The sentence (within the selection's lines) that holds the selection: from after the previous
 * . ! ? … 。！？； to the next one, inclusive. */
export function sentenceAround(doc: vscode.TextDocument, sel: vscode.Selection): vscode.Range {
  const lineStart = doc.offsetAt(new vscode.Position(sel.start.line, 0));
  const lineEnd = doc.offsetAt(doc.lineAt(sel.end.line).range.end);
  const text = doc.getText(new vscode.Range(doc.positionAt(lineStart), doc.positionAt(lineEnd)));
  const a = doc.offsetAt(sel.start) - lineStart;
  const b = doc.offsetAt(sel.end) - lineStart;
  const ends = /[.!?…。！？；](?=\s|$)|[。！？；]/gu;
  let start = 0;
  let end = text.length;
  for (let m = ends.exec(text); m; m = ends.exec(text)) {
    const after = m.index + m[0].length;
    if (after <= a) start = after;
    else if (m.index >= b - 1) {
      end = after;
      break;
    }
  }
  while (start < a && /\s/.test(text[start])) start++;
  return new vscode.Range(doc.positionAt(lineStart + start), doc.positionAt(lineStart + end));
}
