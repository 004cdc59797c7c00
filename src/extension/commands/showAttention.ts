// Show Attention on the editor selection: the panel draws the views; while it is open, the word under
// the cursor highlights in the editor the words it attends to most in the chosen layer and heads.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AttentionResult, AttentionWord } from '../../shared/configs';
import type { FromAttentionPanel } from '../../shared/protocol/attention';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import type { AttentionPanel } from '../panels/attentionPanel';
import { modelFor } from './modelFor';

export interface AttentionOutcome {
  tokens: string[];
  words: AttentionWord[];
  layers: number;
  heads: number;
  notice?: string;
  firstLayer?: number; // the layer painted before the others were computed, when the engine had one sooner
}

interface Shown {
  uri: vscode.Uri;
  base: number; // document offset of the selection start
  result: AttentionResult;
  layer: number;
  heads: number[];
  partial: boolean; // result holds the first layer alone (as layers: 1) while the rest is computed
}

// Five strengths of one highlight colour; a token's weight picks the bucket.
const LEVELS = [0.15, 0.3, 0.45, 0.6, 0.8];

export class ShowAttentionCommand implements vscode.Disposable {
  private shown: Shown | undefined;
  private readonly decorations = LEVELS.map((a) =>
    vscode.window.createTextEditorDecorationType({
      backgroundColor: `rgba(255, 140, 0, ${a})`,
      borderRadius: '2px',
    }),
  );
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
    private readonly panel: AttentionPanel,
  ) {
    panel.onMessageFromView = (m) => this.onView(m);
    panel.onClose = () => {
      this.clearDecorations();
      this.shown = undefined;
    };
    this.subs = [vscode.window.onDidChangeTextEditorSelection((e) => this.follow(e.textEditor))];
  }

  async run(): Promise<AttentionOutcome | { error: string } | undefined> {
    const editor = vscode.window.activeTextEditor;
    const text = editor && !editor.selection.isEmpty ? editor.document.getText(editor.selection) : '';
    if (!editor || text.trim().length === 0) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'Select one sentence (or two, separated by a line break or [SEP]), then run Show Attention.',
        ),
      );
      return undefined;
    }
    const choice = modelFor(
      this.models,
      'attention',
      vscode.l10n.t('There is no usable model with attention yet; pretrain a BERT on this workspace first.'),
    );
    if ('error' in choice) {
      void vscode.window.showWarningMessage(choice.error);
      return { error: choice.error };
    }
    const model = choice.model;
    const gen = this.panel.loading(text);
    // where the selection is now: the answers come later, when the cursor may have moved
    const where = { uri: editor.document.uri, base: editor.document.offsetAt(editor.selection.start) };
    try {
      const t0 = performance.now();
      // first the first layer alone where the engine has a fast way to it (a model on ONNX Runtime:
      // a twelfth of a base model's forward), painted at once; then every layer
      const quick = await this.engine.call({
        type: 'attention',
        modelDir: model.dir,
        text,
        firstLayer: true,
      });
      if (!this.panel.current(gen)) return undefined; // a newer Show Attention, an error or a close took the panel
      const t1 = performance.now();
      const notice = [choice.notice, quick.notice].filter(Boolean).join(' ') || undefined;
      const viewOf = (r: AttentionResult) => ({
        model: model.name,
        tokens: r.tokens,
        words: r.words,
        segments: r.segments,
        layers: r.layers,
        heads: r.heads,
        // packed to 16-bit steps layer by layer as they are sent, see WEIGHT_STEPS for why
        weights: r.weights instanceof Float32Array ? r.weights : new Float32Array(r.weights),
        notice,
      });
      let r = quick;
      if (quick.layer !== undefined) {
        const layer = quick.layer;
        this.shown = this.shownOf(where, { ...quick, layers: 1 }, layer, true);
        this.panel.attentionFirst(viewOf(quick), layer);
        log().info(
          `Show Attention: ${quick.tokens.length} tokens, layer ${layer + 1} of ${quick.layers} first: engine ${Math.round(t1 - t0)} ms (${quick.workerMs ?? '?'} ms of it in the engine's handler), posted ${Math.round(performance.now() - t1)} ms later.`,
        );
        // a new panel's page loads, takes and draws the first layer on the same cores: the other layers'
        // forward waits until the page has it (at most a few seconds), so that it paints sooner
        await this.panel.whenShown(5000);
        if (!this.panel.current(gen)) return undefined;
        r = await this.engine.call({ type: 'attention', modelDir: model.dir, text });
        if (!this.panel.current(gen)) return undefined;
        const was = this.shown; // the layer and heads chosen on the page meanwhile
        this.shown = this.shownOf(where, r, was?.layer ?? layer, false, was?.heads);
        this.panel.attentionRest(viewOf(r), layer);
      } else {
        const first = r.layers - 1; // what a new result shows (the page sends its choices as viewState)
        this.shown = this.shownOf(where, r, first, false);
        this.panel.attention(viewOf(r), first);
      }
      const t2 = performance.now();
      const mb = ((r.weights.length * 2) / 1e6).toFixed(1);
      log().info(
        `Show Attention: ${r.tokens.length} tokens, ${r.layers}×${r.heads} maps (${mb} MB to the panel): engine ${Math.round(t2 - t0)} ms in all (${r.workerMs ?? '?'} ms of the last answer in the engine's handler).`,
      );
      if (quick.notice) void vscode.window.showInformationMessage(quick.notice);
      return {
        tokens: r.tokens,
        words: r.words,
        layers: r.layers,
        heads: r.heads,
        notice,
        firstLayer: quick.layer,
      };
    } catch (e) {
      if (!this.panel.current(gen)) return undefined; // a newer request owns the panel now
      if (this.shown?.partial) this.shown = undefined; // its other layers will not come
      const msg = (e as Error).message;
      log().warn(`Show Attention: ${msg}`);
      this.panel.error(msg);
      void vscode.window.showErrorMessage(msg);
      return { error: msg };
    }
  }

  private shownOf(
    where: { uri: vscode.Uri; base: number },
    result: AttentionResult,
    layer: number,
    partial: boolean,
    heads?: number[],
  ): Shown {
    return {
      ...where,
      result,
      layer,
      heads: heads ?? [...Array(result.heads).keys()],
      partial,
    };
  }

  /** The token under the cursor, and the editor highlight of what it attends to. */
  follow(editor: vscode.TextEditor): number | undefined {
    const s = this.shown;
    if (!s || editor.document.uri.toString() !== s.uri.toString()) return undefined;
    const at = editor.document.offsetAt(editor.selection.active) - s.base;
    const i = s.result.spans.findIndex(([a, b]) => a >= 0 && at >= a && at < b);
    this.clearDecorations(editor);
    if (i < 0) return undefined;
    this.panel.focusToken(i);
    const row = this.row(i);
    const ranges: vscode.Range[][] = LEVELS.map(() => []);
    const top = Math.max(...row);
    row.forEach((w, j) => {
      const [a, b] = s.result.spans[j];
      if (a < 0 || top <= 0 || w < top * 0.1) return;
      const level = Math.min(LEVELS.length - 1, Math.floor((w / top) * LEVELS.length));
      ranges[level].push(
        new vscode.Range(editor.document.positionAt(s.base + a), editor.document.positionAt(s.base + b)),
      );
    });
    this.decorations.forEach((d, k) => {
      editor.setDecorations(d, ranges[k]);
    });
    return i;
  }

  /** Attention from token i in the chosen layer, averaged over the chosen heads. */
  row(i: number): number[] {
    const s = this.shown!;
    const { layers, heads, tokens, weights } = s.result;
    const T = tokens.length;
    const out = new Array<number>(T).fill(0);
    const hs = s.heads.length ? s.heads : [...Array(heads).keys()];
    for (const h of hs) {
      const off = ((Math.min(s.layer, layers - 1) * heads + h) * T + i) * T;
      for (let j = 0; j < T; j++) out[j] += weights[off + j] / hs.length;
    }
    return out;
  }

  private clearDecorations(editor?: vscode.TextEditor): void {
    const eds = editor ? [editor] : vscode.window.visibleTextEditors;
    for (const e of eds) for (const d of this.decorations) e.setDecorations(d, []);
  }

  /**
   * Writes the attention as JSON: tokens, words, segments and [layers][heads][from][to]. The weights
   * are the engine's float32 values, each printed exactly (finer than the 16-bit steps the panel
   * gets). Written one head at a time: a 12 × 12-head model at 512 tokens is some 450 MB of text,
   * too long for one string.
   */
  exportJson(file: string): void {
    const s = this.shown;
    if (!s) throw new Error(vscode.l10n.t('Show Attention first; there is no attention to export.'));
    if (s.partial)
      throw new Error(vscode.l10n.t('The other layers are still being computed; export again in a moment.'));
    const { tokens, words, segments, layers, heads, weights } = s.result;
    const T = tokens.length;
    const fd = fs.openSync(file, 'w');
    try {
      const head = JSON.stringify({ tokens, words, segments, layers, heads });
      fs.writeSync(fd, `${head.slice(0, -1)},"attention":[`);
      for (let l = 0; l < layers; l++) {
        fs.writeSync(fd, l ? ',[' : '[');
        for (let h = 0; h < heads; h++) {
          const rows: string[] = [];
          for (let i = 0; i < T; i++) {
            const off = ((l * heads + h) * T + i) * T;
            rows.push(JSON.stringify(Array.from(weights.subarray(off, off + T))));
          }
          fs.writeSync(fd, `${h ? ',' : ''}[${rows.join(',')}]`);
        }
        fs.writeSync(fd, ']');
      }
      fs.writeSync(fd, ']}');
    } finally {
      fs.closeSync(fd);
    }
  }

  /** What the panel tells or asks: the view on screen (for the editor highlight), or an export. */
  private async onView(m: Exclude<FromAttentionPanel, { type: 'ready' }>): Promise<string | undefined> {
    if (m.type === 'viewState') {
      if (!this.shown) return undefined;
      this.shown.layer = m.layer;
      this.shown.heads = m.heads.filter((h) => h < this.shown!.result.heads);
      const ed = vscode.window.visibleTextEditors.find(
        (e) => e.document.uri.toString() === this.shown?.uri.toString(),
      );
      if (ed) this.follow(ed);
      return undefined;
    }
    const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.file(path.join(ws, `attention.${m.format}`)),
      filters: { [m.format.toUpperCase()]: [m.format] },
      title: vscode.l10n.t('Export attention'),
    });
    if (!target) return undefined;
    try {
      if (m.format === 'json') this.exportJson(target.fsPath);
      else if (m.format === 'png')
        fs.writeFileSync(target.fsPath, Buffer.from(m.data.slice(m.data.indexOf(',') + 1), 'base64'));
      else fs.writeFileSync(target.fsPath, m.data);
    } catch (e) {
      // goes back to the panel, which shows it
      throw new Error(
        vscode.l10n.t(
          'Could not save {0} ({1}); choose another place.',
          target.fsPath,
          (e as NodeJS.ErrnoException).code ?? (e as Error).message,
        ),
      );
    }
    announceExport(target);
    return target.fsPath;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    for (const d of this.decorations) d.dispose();
  }
}

/** Names the saved file's path and offers to open it in VS Code or show it in its folder. */
export function announceExport(target: vscode.Uri): void {
  void vscode.window
    .showInformationMessage(
      vscode.l10n.t('Attention exported to {0}.', target.fsPath),
      vscode.l10n.t('Open'),
      vscode.l10n.t('Reveal'),
    )
    .then((pick) => {
      if (pick === vscode.l10n.t('Open')) return vscode.commands.executeCommand('vscode.open', target);
      if (pick === vscode.l10n.t('Reveal')) return vscode.commands.executeCommand('revealFileInOS', target);
      return undefined;
    });
}
