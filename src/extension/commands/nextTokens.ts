// Show Next Tokens: a GPT's most likely next tokens for the text up to the cursor (or up to the end of
// the selection), in the Next Tokens panel. A click on one writes it at that place and shows the
// tokens after it.
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../shared/configs';
import type { NextTokensView } from '../../shared/protocol/nextTokens';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import type { NextTokensPanel } from '../panels/nextTokensPanel';
import { modelFor } from './modelFor';
import { bertColumn } from './nextTokensBert';

const MAX_PREFIX_CHARS = 20_000;
const SHOWN_PREFIX_CHARS = 300;

interface Shown {
  view: NextTokensView;
  uri: vscode.Uri;
  offset: number; // where the prefix ends in the document
  version: number; // the document version it was read at
}

export class NextTokensCommand {
  private last: Shown | undefined;
  private nextId = 1;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
    private readonly panel: NextTokensPanel,
  ) {
    panel.onInsert = (requestId, candidateIndex) => this.insert(requestId, candidateIndex);
  }

  async run(): Promise<NextTokensView | { error: string } | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Open a text and put the cursor after some words, then run Show Next Tokens.'),
      );
      return undefined;
    }
    const sel = editor.selection;
    return this.show(editor.document, editor.document.offsetAt(sel.isEmpty ? sel.active : sel.end));
  }

  private async show(doc: vscode.TextDocument, offset: number): Promise<NextTokensView | { error: string }> {
    const choice = modelFor(
      this.models,
      'generate',
      vscode.l10n.t(
        'There is no left-to-right language model yet; pretrain a GPT first (Pretrain Lab: Pretrain GPT).',
      ),
    );
    if ('error' in choice) {
      this.panel.error(choice.error);
      void vscode.window
        .showWarningMessage(choice.error, vscode.l10n.t('Pretrain GPT'))
        .then((pick) => pick && vscode.commands.executeCommand('pretrainLab.pretrainGpt'));
      return { error: choice.error };
    }
    const text = doc.getText(
      new vscode.Range(doc.positionAt(Math.max(0, offset - MAX_PREFIX_CHARS)), doc.positionAt(offset)),
    );
    const shownPrefix = text.length > SHOWN_PREFIX_CHARS ? `…${text.slice(-SHOWN_PREFIX_CHARS)}` : text;
    this.panel.loading(shownPrefix);
    const topK = vscode.workspace.getConfiguration('pretrainLab').get('topK', DEFAULT_SETTINGS.topK);
    try {
      // GPT reads the left context; the active BERT, if any, reads both sides of the same position
      const [result, bert] = await Promise.all([
        this.engine.call({ type: 'nextTokens', modelDir: choice.model.dir, text, topK }),
        bertColumn(this.engine, this.models, doc, offset, topK),
      ]);
      const notice = [choice.notice, result.notice].filter(Boolean).join(' ') || undefined;
      const view: NextTokensView = {
        requestId: this.nextId++,
        model: choice.model.name,
        prefix: shownPrefix,
        result: { ...result, notice },
        bert,
      };
      this.last = { view, uri: doc.uri, offset, version: doc.version };
      this.panel.result(view);
      return this.panel.shown ?? view; // what the panel now shows (tests read it as a user reads the panel)
    } catch (e) {
      const msg = (e as Error).message;
      log().warn(`Show Next Tokens: ${msg}`);
      this.panel.error(msg);
      return { error: msg };
    }
  }

  /** Writes a candidate where the prefix ended, then shows the tokens after it. */
  private async insert(requestId: number, candidateIndex: number): Promise<unknown> {
    const s = this.last;
    if (!s || s.view.requestId !== requestId)
      throw new Error(
        vscode.l10n.t('These candidates are from an earlier request; run Show Next Tokens again.'),
      );
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === s.uri.toString());
    if (!doc || doc.version !== s.version)
      throw new Error(
        vscode.l10n.t('The text changed since these candidates were computed; run Show Next Tokens again.'),
      );
    const c = s.view.result.candidates[candidateIndex];
    if (!c) throw new Error(vscode.l10n.t('That candidate is not in the list; run Show Next Tokens again.'));
    if (c.token === '<|endoftext|>' || c.token.startsWith('⟨'))
      throw new Error(
        vscode.l10n.t(
          'That token is not text on its own (an end of text or part of a character); pick another.',
        ),
      );
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, doc.positionAt(s.offset), c.token);
    if (!(await vscode.workspace.applyEdit(edit)))
      throw new Error(vscode.l10n.t('The editor refused the edit; run Show Next Tokens again.'));
    return this.show(doc, s.offset + c.token.length);
  }
}
