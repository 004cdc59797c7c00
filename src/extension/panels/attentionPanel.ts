import * as vscode from 'vscode';
import {
  type AttentionView,
  type FromAttentionPanel,
  isFromAttentionPanel,
  packWeights,
  type ToAttentionPanel,
} from '../../shared/protocol/attention';
import { StatePanel } from './panelBase';

/** A result as the engine gives it: float32 weights [layers, heads, from, to]. */
export type FloatAttentionView = Omit<AttentionView, 'weights' | 'layer'> & { weights: Float32Array };

/** Head, model and matrix views of a selection's attention. */
export class AttentionPanel extends StatePanel<ToAttentionPanel, FromAttentionPanel> {
  static readonly viewType = 'pretrainLab.attention';
  /** Answers the page's view state and exports; a throw is shown in the panel. */
  onMessageFromView: ((m: Exclude<FromAttentionPanel, { type: 'ready' }>) => Promise<unknown>) | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, {
      viewType: AttentionPanel.viewType,
      title: vscode.l10n.t('Attention'),
      entry: 'attention',
      isMessage: isFromAttentionPanel,
    });
  }

  private full: { view: FloatAttentionView; first: number } | undefined; // the last result, all layers
  private partial: { view: FloatAttentionView; layer: number } | undefined; // its first layer, until then
  private generation = 0; // a new state stops the layers still to send

  private request = 0; // counts loading() and error(): a late answer to an older request is dropped

  /** Shows that a selection is being read; returns the request's number, for current(). */
  loading(text: string): number {
    this.full = undefined;
    this.partial = undefined;
    this.generation++;
    this.showState({ type: 'loading', text });
    return ++this.request;
  }

  /** Whether no newer request (or an error) has taken the panel since loading() gave this number. */
  current(request: number): boolean {
    return request === this.request;
  }

  /**
   * Paints one layer before the others exist (the engine's fast first answer: view.weights is that
   * layer, [heads, from, to]); attentionRest brings the rest.
   */
  attentionFirst(view: FloatAttentionView, layer: number): void {
    this.full = undefined;
    this.partial = { view, layer };
    this.show();
    this.generation++;
    this.notify({ type: 'attention', view: { ...view, weights: packWeights(view.weights), layer } });
  }

  /** Every layer, after attentionFirst: the page keeps the one it has and gets the others. */
  attentionRest(view: FloatAttentionView, first: number): void {
    this.partial = undefined;
    this.full = { view, first };
    this.stream(true);
  }

  /**
   * Shows a result: the layer `first` (the one on screen) in the first message, then the other layers
   * one message each, so that the panel paints before all the weights have travelled (a base-size model
   * at 512 tokens has 75 MB of packed weights, one layer 6 MB). Each layer is packed to 16-bit steps
   * (WEIGHT_STEPS) just before it is sent. A page that (re)loads gets the same sequence from the start.
   */
  attention(view: FloatAttentionView, first: number): void {
    this.full = { view, first };
    this.show();
    this.stream();
  }

  /** Sends the full result: the layer on screen first (unless the page has it already), then the others. */
  private stream(pageHasFirst = false): void {
    if (!this.full || !this.isReady) return; // a page that comes up gets it all from onReady
    const { view, first } = this.full;
    const gen = ++this.generation;
    const n = view.heads * view.tokens.length ** 2;
    const part = (l: number) => packWeights(view.weights.subarray(l * n, (l + 1) * n));
    if (view.layers <= 1) {
      this.notify({ type: 'attention', view: { ...view, weights: part(0) } });
      return;
    }
    if (!pageHasFirst)
      this.notify({ type: 'attention', view: { ...view, weights: part(first), layer: first } });
    const rest = [...Array(view.layers).keys()].filter((l) => l !== first).reverse(); // upper layers first
    const next = () => {
      const l = rest.shift();
      if (l === undefined || gen !== this.generation) return;
      this.notify({ type: 'attentionLayer', layer: l, weights: part(l) });
      setImmediate(next);
    };
    setImmediate(next);
  }

  /** A closed panel ends the request under way: its late answers are dropped (current() is false). */
  protected override onPanelClosed(): void {
    this.full = undefined;
    this.partial = undefined;
    this.generation++;
    this.request++;
    this.wakeShown(false);
  }

  private shownWaiters: ((shown: boolean) => void)[] = [];

  /**
   * Resolves true when the page next tells its view state (it does as it takes a result, just before
   * drawing it), false after `ms` or when the panel closes: Show Attention computes the other layers
   * only once the first is on the page, so that the page's loading and drawing do not share the cores
   * with that forward.
   */
  whenShown(ms: number): Promise<boolean> {
    if (!this.visible) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      const done = (shown: boolean) => {
        clearTimeout(timer);
        this.shownWaiters = this.shownWaiters.filter((w) => w !== done);
        resolve(shown);
      };
      this.shownWaiters.push(done);
    });
  }

  private wakeShown(shown: boolean): void {
    for (const w of [...this.shownWaiters]) w(shown);
  }

  protected override onReady(): void {
    if (this.full) this.stream();
    else if (this.partial) this.attentionFirst(this.partial.view, this.partial.layer);
    else super.onReady();
  }

  error(message: string): void {
    this.full = undefined;
    this.partial = undefined;
    this.generation++;
    this.request++;
    this.showState({ type: 'error', message });
  }

  focusToken(index: number): void {
    this.notify({ type: 'focusToken', index });
  }

  protected onMessage(m: FromAttentionPanel): unknown {
    if (m.type === 'ready') return undefined; // answered by PanelBase
    if (m.type === 'viewState') this.wakeShown(true);
    return this.onMessageFromView?.(m);
  }
}
