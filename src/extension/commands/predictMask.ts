// Predict Mask on the editor selection: [MASK]s written in it, or the selected word masked whole.
// Candidates open in the panel; applying one replaces that mask as one undoable edit.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type PredictMaskResult } from '../../shared/configs';
import { missingCapabilityMessage } from '../../shared/modelKinds';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import type { PredictPanel } from '../panels/predictPanel';

interface Prediction {
  requestId: number;
  uri: vscode.Uri;
  // document offsets of each mask, and the text each currently holds
  spans: { start: number; end: number; text: string }[];
  result: PredictMaskResult;
}

export interface PredictOutcome {
  model: string;
  result: PredictMaskResult;
  requestId: number;
}

/** What the command returns: the prediction, the error sentence shown, or nothing when it asked nothing. */
export type PredictCommandResult = PredictOutcome | { error: string } | undefined;

export class PredictMaskCommand {
  private last: Prediction | undefined;
  private nextId = 1;
  private inFlight: vscode.CancellationTokenSource | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
    private readonly panel: PredictPanel,
  ) {
    panel.onApply = (requestId, maskIndex, candidateIndex) => {
      void this.apply(maskIndex, candidateIndex, requestId).then(
        undefined,
        (e: Error) => void vscode.window.showWarningMessage(e.message),
      );
    };
    // closing the panel mid-request cancels the request
    panel.onClose = () => this.inFlight?.cancel();
  }

  async run(): Promise<PredictCommandResult> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.selection.isEmpty) {
      void vscode.window.showWarningMessage(
        'Select text that contains [MASK], or a word to mask, then run Predict Mask.',
      );
      return undefined;
    }
    const doc = editor.document;
    const sel = editor.selection;
    const selected = doc.getText(sel);
    if (selected.trim().length === 0) {
      void vscode.window.showWarningMessage(
        'The selection is only spaces; select text that contains [MASK], or a word.',
      );
      return undefined;
    }
    // the active masked language model: making a word2vec model active does not change it
    const model = this.models.active('predictMask');
    if (!model) {
      const msg = 'There is no usable masked language model yet; pretrain a BERT on this workspace first.';
      void vscode.window
        .showWarningMessage(msg, 'Pretrain BERT')
        .then((pick) => pick && vscode.commands.executeCommand('pretrainLab.pretrainBert'));
      return { error: msg };
    }
    if (!model.capabilities.includes('predictMask')) {
      const msg = missingCapabilityMessage(model.name, model.modelKind ?? model.type, 'predictMask');
      void vscode.window.showWarningMessage(msg);
      return { error: msg };
    }
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
          text: text.slice(m.position, m.position + m.length),
        })),
        result,
      };
      this.panel.result({ requestId, model: model.name, source: text, result });
      if (result.notice) void vscode.window.showInformationMessage(result.notice);
      return { model: model.dir, result, requestId };
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
   * of a candidate applied to it before), as one undoable edit. Refuses when that text has changed.
   */
  async apply(maskIndex: number, candidateIndex: number, requestId?: number): Promise<string> {
    const p = this.last;
    if (!p || (requestId !== undefined && requestId !== p.requestId)) {
      throw new Error('These candidates belong to an earlier prediction; run Predict Mask again.');
    }
    const span = p.spans[maskIndex];
    const cand = p.result.masks[maskIndex]?.candidates[candidateIndex];
    if (!span || !cand)
      throw new Error(`There is no candidate ${candidateIndex + 1} for mask ${maskIndex + 1}.`);
    const doc = await vscode.workspace.openTextDocument(p.uri);
    const range = new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
    if (doc.getText(range) !== span.text) {
      throw new Error(
        `The text at that mask changed since the prediction (it no longer reads "${span.text}"); run Predict Mask again.`,
      );
    }
    const edit = new vscode.WorkspaceEdit();
    edit.replace(p.uri, range, cand.token);
    if (!(await vscode.workspace.applyEdit(edit)))
      throw new Error('VS Code refused the edit; is the document read-only?');
    const delta = cand.token.length - (span.end - span.start);
    for (const s of p.spans)
      if (s.start > span.start) {
        s.start += delta;
        s.end += delta;
      }
    span.end = span.start + cand.token.length;
    span.text = cand.token;
    this.panel.applied(maskIndex, cand.token);
    return cand.token;
  }
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
