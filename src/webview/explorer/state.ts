// The explorer's state: the controls' values (kept by VS Code across reloads with setState), what the
// host told it, what is on screen, and the one channel to the host. Every question to the host goes
// through ask(), which validates it, and rejects with one sentence on failure or after a timeout.
import * as v from 'valibot';
import type { Neighbour, VectorsInfo } from '../../shared/configs';
import {
  type ExplorerAnswers,
  type ExplorerModel,
  type FromExplorer,
  FromExplorerSchema,
} from '../../shared/protocol/explorer';
import { l10n } from '../common/l10n';
import { RpcClient } from '../common/rpcClient';
import { vscodeApi } from '../common/vscodeApi';

export type Method = 'pca' | 'umap' | 'tsne';
export type Subset = 'top' | 'search' | 'neighbourhood';

export interface UiState {
  word: string;
  k: number;
  search: string;
  regex: boolean;
  a: string;
  b: string;
  c: string;
  analogyMethod: 'add' | 'mul';
  method: Method;
  dims: 2 | 3;
  subset: Subset;
  topN: number;
  axes: [number, number, number];
}

/** What the projection shows: the words, their coordinates (dims per word) and corpus counts when known. */
export interface Projected {
  words: string[];
  coords: Float32Array;
  dims: number;
  counts?: number[];
}

const vscode = vscodeApi<{ ui: UiState }>();

export const ui: UiState = {
  word: '',
  k: 10,
  search: '',
  regex: false,
  a: '',
  b: '',
  c: '',
  analogyMethod: 'add',
  method: 'pca',
  dims: 2,
  subset: 'top',
  topN: 1000,
  axes: [0, 1, 2],
  ...vscode.getState()?.ui,
};

export function save(): void {
  vscode.setState({ ui });
}

/** What the host said and what the panels share. */
export const state = {
  models: [] as ExplorerModel[],
  selectedModel: undefined as string | undefined,
  info: undefined as VectorsInfo | undefined,
  neighbours: [] as Neighbour[], // listed for ui.word
  searchWords: [] as string[],
  projected: undefined as Projected | undefined,
  plotOpen: false, // the editor-area plot is open: send it the points
};

let onPush: (body: unknown) => unknown = () => undefined;

/** Sets who answers what the host pushes (main.ts, once every panel exists). */
export function handlePushes(fn: (body: unknown) => unknown): void {
  onPush = fn;
}

const rpc = new RpcClient(vscode, { onRequest: (body) => onPush(body) });

// How long each question may take. Loading a large model for the first time is the slow part; a save
// dialog waits for the person.
const TIMEOUT_MS: Record<FromExplorer['type'], number> = {
  ready: 30_000,
  selectModel: 120_000,
  query: 30_000,
  table: 60_000,
  contextual: 600_000,
  openOccurrence: 30_000,
  export: 3_600_000,
  pretrain: 3_600_000,
  plot: 30_000,
  marks: 30_000,
  openPlot: 30_000,
};

/** Asks the host; rejects with its one-sentence error, or after the request's timeout. */
export async function ask<T extends FromExplorer['type']>(
  m: Extract<FromExplorer, { type: T }>,
  signal?: AbortSignal,
): Promise<ExplorerAnswers[T]> {
  if (!v.is(FromExplorerSchema, m))
    throw new Error(l10n.t('The explorer made a malformed request; this is a bug in Pretrain Lab.'));
  const ms = TIMEOUT_MS[m.type];
  return rpc.request<ExplorerAnswers[T]>(m, {
    timeoutMs: ms,
    signal,
    timeoutMessage: l10n.t(
      'The engine did not answer within {0} seconds; try again, or see the Pretrain Lab log.',
      Math.round(ms / 1000),
    ),
  });
}

/** Tells the host something whose answer nobody waits for (a failure is logged to the console). */
export function tell<T extends FromExplorer['type']>(m: Extract<FromExplorer, { type: T }>): void {
  ask(m).catch((e: Error) => console.warn(`explorer: ${m.type}: ${e.message}`));
}

/**
 * A sequence of requests where only the latest answer matters (typing in the search box, clicking
 * words): start() returns a check that tells whether a newer request was started since.
 */
export function latest(): { start(): () => boolean } {
  let n = 0;
  return {
    start() {
      const mine = ++n;
      return () => mine === n;
    },
  };
}
