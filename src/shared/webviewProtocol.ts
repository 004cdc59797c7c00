// Messages between the extension host and the webview panels. Each direction is a union with a
// `type`; every message coming from a webview is checked with the guards below before it is used.
import type { MaskingSample, PredictMaskResult, TrainProgress } from './configs';

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
