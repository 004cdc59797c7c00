// Classify Selection and Tag Selection with the active fine-tuned model. Classification writes the
// label and its probability after the selection, with a hover of the whole label distribution (bars on
// a fixed 0–1 scale); tagging decorates each word (or each entity, for BIO tags) in a colour per type
// with its tag after it, and a hover with the likeliest tags. Clear Tags removes both. The context keys
// pretrainLab.canClassify / canTag put the commands in the editor's context menu only when a model
// can do them. What to draw is computed in ../taskDecorations.ts (no vscode there, unit-tested).
import * as vscode from 'vscode';
import type { ClassifyAnswer, TagAnswer } from '../../shared/finetune';
import type { EngineClient } from '../engineClient';
import type { ModelStore } from '../modelStore';
import { distributionLines, spanHover, type TagSpan, tagSpans } from '../taskDecorations';
import { modelFor } from './modelFor';

export type ClassifyResult =
  | { model: string; answer: ClassifyAnswer; notice?: string }
  | { error: string }
  | undefined;
export type TagResult =
  | { model: string; answer: TagAnswer; spans: TagSpan[]; notice?: string }
  | { error: string }
  | undefined;

// the theme's chart colours, by entity type (a slot per type, repeating past six)
const PALETTE = [
  'charts.blue',
  'charts.orange',
  'charts.green',
  'charts.purple',
  'charts.red',
  'charts.yellow',
];

const NO_MODEL = {
  classify: vscode.l10n.t(
    'There is no fine-tuned classifier yet; run Fine-tune… with sequence classification first.',
  ),
  tag: vscode.l10n.t('There is no fine-tuned tagger yet; run Fine-tune… with sequence labelling first.'),
};

export class TaskSelectionCommands implements vscode.Disposable {
  private readonly label = vscode.window.createTextEditorDecorationType({
    after: { margin: '0 0 0 1em', color: new vscode.ThemeColor('editorCodeLens.foreground') },
  });
  private readonly tagTypes = PALETTE.map((c) =>
    vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.wordHighlightBackground'),
      border: '1px solid',
      borderColor: new vscode.ThemeColor(c),
      borderRadius: '3px',
      after: { color: new vscode.ThemeColor(c), margin: '0 0.4em 0 0.1em', fontStyle: 'italic' },
    }),
  );
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
  ) {
    this.subs = [this.models.onDidChange(() => this.updateContext())];
    this.updateContext();
  }

  /** The context keys that show Classify / Tag Selection in the editor's context menu. */
  private updateContext(): void {
    void vscode.commands.executeCommand(
      'setContext',
      'pretrainLab.canClassify',
      !!this.models.active('classify'),
    );
    void vscode.commands.executeCommand('setContext', 'pretrainLab.canTag', !!this.models.active('tag'));
  }

  private selection(
    what: string,
  ): { editor: vscode.TextEditor; range: vscode.Range; text: string } | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showWarningMessage(
        what === 'tag'
          ? vscode.l10n.t('Open a text file and select text to tag.')
          : vscode.l10n.t('Open a text file and select text to classify.'),
      );
      return undefined;
    }
    // no selection: the cursor's line
    const range = editor.selection.isEmpty
      ? editor.document.lineAt(editor.selection.active.line).range
      : editor.selection;
    const text = editor.document.getText(range);
    if (!text.trim()) {
      void vscode.window.showWarningMessage(
        what === 'tag'
          ? vscode.l10n.t('The selection is empty; select text to tag.')
          : vscode.l10n.t('The selection is empty; select text to classify.'),
      );
      return undefined;
    }
    return { editor, range, text };
  }

  private pick(cap: 'classify' | 'tag') {
    const choice = modelFor(this.models, cap, NO_MODEL[cap]);
    if ('error' in choice) void vscode.window.showWarningMessage(choice.error);
    return choice;
  }

  async classify(): Promise<ClassifyResult> {
    const s = this.selection('classify');
    if (!s) return undefined;
    const choice = this.pick('classify');
    if ('error' in choice) return choice;
    let answer: ClassifyAnswer;
    try {
      answer = await this.engine.call({ type: 'classify', modelDir: choice.model.dir, text: s.text });
    } catch (e) {
      const error = (e as Error).message;
      void vscode.window.showErrorMessage(error);
      return { error };
    }
    const p = answer.probabilities[answer.label] ?? 0;
    const hover = new vscode.MarkdownString();
    hover.appendMarkdown(`**${choice.model.name}**: ${answer.label}\n\n`);
    hover.appendCodeblock(distributionLines(answer.probabilities).join('\n'), 'text');
    if (answer.notice) hover.appendMarkdown(`\n\n${answer.notice}`);
    const end = new vscode.Range(s.range.end, s.range.end);
    s.editor.setDecorations(this.label, [
      {
        range: end,
        hoverMessage: hover,
        renderOptions: { after: { contentText: `→ ${answer.label} ${(p * 100).toFixed(0)}%` } },
      },
    ]);
    const notice = [choice.notice, answer.notice].filter(Boolean).join(' ') || undefined;
    if (notice) void vscode.window.showInformationMessage(notice);
    return { model: choice.model.name, answer, notice };
  }

  async tag(): Promise<TagResult> {
    const s = this.selection('tag');
    if (!s) return undefined;
    const choice = this.pick('tag');
    if ('error' in choice) return choice;
    let answer: TagAnswer;
    try {
      answer = await this.engine.call({ type: 'tag', modelDir: choice.model.dir, text: s.text });
    } catch (e) {
      const error = (e as Error).message;
      void vscode.window.showErrorMessage(error);
      return { error };
    }
    const doc = s.editor.document;
    const spans = tagSpans(answer, doc.offsetAt(s.range.start));
    const bySlot = this.tagTypes.map(() => [] as vscode.DecorationOptions[]);
    for (const sp of spans) {
      const hover = new vscode.MarkdownString();
      hover.appendCodeblock(spanHover(sp), 'text');
      bySlot[sp.colour % this.tagTypes.length].push({
        range: new vscode.Range(doc.positionAt(sp.start), doc.positionAt(sp.end)),
        hoverMessage: hover,
        renderOptions: { after: { contentText: sp.type === 'word' ? '' : sp.type } },
      });
    }
    this.tagTypes.forEach((t, i) => {
      s.editor.setDecorations(t, bySlot[i]);
    });
    const notice = [choice.notice, answer.notice].filter(Boolean).join(' ') || undefined;
    if (notice) void vscode.window.showInformationMessage(notice);
    return { model: choice.model.name, answer, spans, notice };
  }

  /** Removes the labels and tags of Classify / Tag Selection from every visible editor. */
  clear(): void {
    for (const e of vscode.window.visibleTextEditors) {
      e.setDecorations(this.label, []);
      for (const t of this.tagTypes) e.setDecorations(t, []);
    }
  }

  dispose(): void {
    this.label.dispose();
    for (const t of this.tagTypes) t.dispose();
    for (const s of this.subs) s.dispose();
  }
}
