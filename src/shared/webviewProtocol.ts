// Messages between the extension host and the webview panels. Each direction is a union with a
// `type`; every message coming from a webview is checked with the guards below before it is used.
import type {
  ContextualOccurrence,
  MaskingSample,
  Neighbour,
  PredictMaskResult,
  TrainProgress,
  VectorsAnswer,
  VectorsInfo,
  VectorsQuery,
  W2vProgress,
} from './configs';
import { isVectorsQuery } from './engineProtocol';

// ---- Predict Mask panel
export interface PredictView {
  requestId: number;
  model: string; // model name shown in the header
  source: string; // the text that was predicted
  result: PredictMaskResult;
}

export type ToPredictPanel =
  | { type: 'loading'; text: string }
  | { type: 'result'; view: PredictView }
  | { type: 'error'; message: string }
  | { type: 'applied'; maskIndex: number; token: string };

export type FromPredictPanel =
  | { type: 'ready' }
  | { type: 'apply'; requestId: number; maskIndex: number; candidateIndex: number };

export function isFromPredictPanel(x: unknown): x is FromPredictPanel {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  const idx = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 10_000;
  switch (m.type) {
    case 'ready':
      return true;
    case 'apply':
      return idx(m.requestId) && idx(m.maskIndex) && idx(m.candidateIndex);
    default:
      return false;
  }
}

// ---- Training panel
export interface TrainingRunInfo {
  model: string;
  preset: string;
  corpus: string;
  totalSteps: number;
  backend: string;
}

export type ToTrainingPanel =
  | { type: 'start'; run: TrainingRunInfo }
  | { type: 'progress'; progress: TrainProgress; sample?: MaskingSample }
  | { type: 'log'; message: string }
  | { type: 'finished'; status: 'done' | 'cancelled' | 'failed'; message: string }
  | {
      type: 'history';
      run?: TrainingRunInfo;
      points: TrainProgress[];
      sample?: MaskingSample;
      status?: string;
    };

export type FromTrainingPanel = { type: 'ready' } | { type: 'cancel' };

export function isFromTrainingPanel(x: unknown): x is FromTrainingPanel {
  if (typeof x !== 'object' || x === null) return false;
  const t = (x as Record<string, unknown>).type;
  return t === 'ready' || t === 'cancel';
}

// ---- Attention panel
export interface AttentionView {
  model: string;
  tokens: string[];
  segments: number[];
  layers: number;
  heads: number;
  weights: Uint8Array; // [layers, heads, from, to], weight × 255 rounded: 4× less to send than float32
  notice?: string;
}

export type AttentionMode = 'head' | 'model' | 'matrix';

export type ToAttentionPanel =
  | { type: 'loading'; text: string }
  | { type: 'attention'; view: AttentionView }
  | { type: 'error'; message: string }
  | { type: 'focusToken'; index: number }; // the editor cursor moved onto this token

export type FromAttentionPanel =
  | { type: 'ready' }
  | { type: 'viewState'; layer: number; heads: number[]; merge: boolean } // drives the editor highlight
  | { type: 'export'; format: 'png' | 'svg' | 'json'; data: string }; // data: PNG data URL or SVG text ('' for json)

export function isFromAttentionPanel(x: unknown): x is FromAttentionPanel {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
      return true;
    case 'viewState':
      return (
        Number.isInteger(m.layer) &&
        (m.layer as number) >= 0 &&
        Array.isArray(m.heads) &&
        m.heads.length <= 1024 &&
        m.heads.every((h) => Number.isInteger(h) && h >= 0) &&
        typeof m.merge === 'boolean'
      );
    case 'export':
      return (
        (m.format === 'png' || m.format === 'svg' || m.format === 'json') &&
        typeof m.data === 'string' &&
        m.data.length < 64 * 1024 * 1024 &&
        (m.format !== 'png' || (m.data as string).startsWith('data:image/png;base64,'))
      );
    default:
      return false;
  }
}

// ---- Embedding Explorer (sidebar view)
export interface ExplorerModel {
  id: string; // folder or file
  name: string;
  kind: 'word2vec' | 'bert';
  detail: string;
}

export interface ExplorerTable {
  words: string[];
  counts?: number[];
  dim: number;
  vectors: Float32Array;
  total: number;
}

export interface ExplorerContextual {
  word: string;
  layer: number;
  layers: number;
  dim: number;
  bertModel: string;
  occurrences: (ContextualOccurrence & { label: string })[]; // label: workspace-relative file:line
  vectors: Float32Array;
  total: number;
  notice?: string;
  staticModel?: string; // the word2vec model whose single vector is shown beside
  staticNeighbours?: Neighbour[];
  staticError?: string;
}

export type ToExplorer =
  | { type: 'models'; models: ExplorerModel[]; selected?: string }
  | { type: 'info'; info: VectorsInfo }
  | { type: 'answer'; id: number; answer: VectorsAnswer }
  | { type: 'table'; id: number; table: ExplorerTable }
  | { type: 'contextual'; data: ExplorerContextual }
  | { type: 'focusWord'; word: string }
  | { type: 'training'; progress?: W2vProgress; status?: string }
  | { type: 'error'; id?: number; message: string };

export type FromExplorer =
  | { type: 'ready' }
  | { type: 'selectModel'; model: string }
  | { type: 'query'; id: number; query: VectorsQuery }
  | { type: 'table'; id: number; words?: string[]; top?: number }
  | { type: 'contextual'; word: string; layer: number }
  | { type: 'openOccurrence'; index: number }
  | { type: 'export'; format: 'csv' | 'tsv'; data: string }
  | { type: 'pretrain' };

export function isFromExplorer(x: unknown): x is FromExplorer {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  const int = (v: unknown, max: number) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
  const str = (v: unknown, max = 1000) => typeof v === 'string' && v.length <= max;
  switch (m.type) {
    case 'ready':
    case 'pretrain':
      return true;
    case 'selectModel':
      return str(m.model, 4096);
    case 'query':
      return int(m.id, 2 ** 31) && isVectorsQuery(m.query);
    case 'table':
      return (
        int(m.id, 2 ** 31) &&
        (m.words === undefined ||
          (Array.isArray(m.words) && m.words.length <= 20000 && m.words.every((w) => str(w, 200)))) &&
        (m.top === undefined || int(m.top, 100000))
      );
    case 'contextual':
      return str(m.word, 100) && (m.word as string).trim().length > 0 && int(m.layer, 1000);
    case 'openOccurrence':
      return int(m.index, 100000);
    case 'export':
      return (m.format === 'csv' || m.format === 'tsv') && str(m.data, 64 * 1024 * 1024);
    default:
      return false;
  }
}
