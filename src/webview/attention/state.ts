// The attention panel's state: the view from the host, the controls' choices (kept across reloads
// with setState), the hover and cursor tokens, and the matrix view's zoom. Views change it through
// setUi, which saves, tells the host what is on screen, and repaints.
import {
  type AttentionMode,
  type AttentionView,
  type FromAttentionPanel,
  isFromAttentionPanel,
} from '../../shared/protocol/attention';
import { hostChannel } from '../common/hostChannel';
import { errorText } from '../common/rpcClient';
import { vscodeApi } from '../common/vscodeApi';

export interface UiState {
  mode: AttentionMode;
  layer: number;
  heads: number[]; // shown heads
  merge: boolean;
  threshold: number;
  direction: 'all' | 'ab' | 'ba';
  matrixHead: number; // -1 = average of the layer's heads
}

/** The matrix view's viewport: zoom 1 fits the whole matrix; x, y the top-left cell in view. */
export interface MatrixZoom {
  n: number; // the matrix size it was made for; another size starts again from the fit
  zoom: number;
  x: number;
  y: number;
}

const api = vscodeApi<{ ui: UiState }>();

export const store: {
  view: AttentionView | undefined;
  ui: UiState;
  hover: { side: 'left' | 'right'; index: number } | undefined;
  focus: number | undefined; // the token under the editor cursor
  zoom: MatrixZoom | undefined;
} = {
  view: undefined,
  ui: api.getState()?.ui ?? {
    mode: 'head',
    layer: 0,
    heads: [],
    merge: false,
    threshold: 0,
    direction: 'all',
    matrixHead: -1,
  },
  hover: undefined,
  focus: undefined,
  zoom: undefined,
};

let onPush: (body: unknown) => void = () => {};
let onFailure: (message: string) => void = () => {};
/** Sets who draws what the host pushes, and who shows a request the host refused (main.ts). */
export function handleHost(push: (body: unknown) => void, failure: (message: string) => void): void {
  onPush = push;
  onFailure = failure;
}

// every message is checked against the protocol before it leaves, as the host checks it again
const host = hostChannel<FromAttentionPanel>(api, isFromAttentionPanel, (body) => onPush(body));

/** Tells the host what is on screen; nobody waits for the answer, and a refusal changes nothing here. */
export const send = (m: FromAttentionPanel): void =>
  host.tell(m, (message) => console.warn(`attention: ${m.type}: ${message}`));

/** Asks the host to save an export; the save dialog waits for the person, so the wait is long. */
export function exportView(m: Extract<FromAttentionPanel, { type: 'export' }>): void {
  host.ask(m, { timeoutMs: 3_600_000 }).catch((e: unknown) => onFailure(errorText(e)));
}

let repaint = (): void => {};
export function onRepaint(f: () => void): void {
  repaint = f;
}

/** The heads the matrix view shows: one, or all of them for the layer average. */
export function matrixHeads(v: AttentionView): number[] {
  return store.ui.matrixHead >= 0 ? [store.ui.matrixHead] : [...Array(v.heads).keys()];
}

export function save(): void {
  const { ui, view } = store;
  api.setState({ ui });
  // the editor highlight follows what is on screen: the matrix view's head (or all), else the shown heads
  const heads = ui.mode === 'matrix' ? (view ? matrixHeads(view) : []) : ui.heads;
  if (view) send({ type: 'viewState', layer: ui.layer, heads, merge: ui.merge });
}

export function setUi(patch: Partial<UiState>): void {
  store.ui = { ...store.ui, ...patch };
  save();
  repaint();
}
