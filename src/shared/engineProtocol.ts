// The typed protocol between the extension host and the engine worker.
import type {
  AttentionResult,
  BackendChoice,
  BackendName,
  MaskingSample,
  ModelSummary,
  PredictMaskResult,
  PretrainOptions,
  TrainProgress,
} from './configs';

export type EngineRequest =
  | { type: 'init'; backend: BackendChoice }
  | { type: 'pretrainBert'; options: Partial<PretrainOptions> & Pick<PretrainOptions, 'corpus' | 'outDir'> }
  | { type: 'predictMask'; modelDir: string; text: string; topK: number }
  | { type: 'predictWord'; modelDir: string; text: string; start: number; end: number; topK: number }
  | { type: 'describeModel'; modelDir: string }
  | { type: 'attention'; modelDir: string; text: string }
  | { type: 'crash' }; // test hook: makes the worker exit, so restart handling can be tested

export interface EngineResponses {
  init: { backend: BackendName; tried: { name: BackendName; error?: string }[] };
  pretrainBert: { status: 'done' | 'cancelled'; step: number; summary: ModelSummary };
  predictMask: PredictMaskResult;
  predictWord: PredictMaskResult;
  describeModel: ModelSummary;
  attention: AttentionResult;
  crash: never;
}

export type EngineProgress =
  | { type: 'log'; message: string }
  | { type: 'train'; progress: TrainProgress; sample?: MaskingSample };

export function isEngineRequest(x: unknown): x is EngineRequest {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  const str = (k: string) => typeof r[k] === 'string';
  const num = (k: string) => typeof r[k] === 'number' && Number.isFinite(r[k] as number);
  switch (r.type) {
    case 'init':
      return ['auto', 'tensorflow', 'wasm', 'cpu'].includes(r.backend as string);
    case 'pretrainBert': {
      const o = r.options as Record<string, unknown> | undefined;
      return typeof o === 'object' && o !== null && Array.isArray(o.corpus) && typeof o.outDir === 'string';
    }
    case 'predictMask':
      return str('modelDir') && str('text') && num('topK');
    case 'predictWord':
      return str('modelDir') && str('text') && num('start') && num('end') && num('topK');
    case 'describeModel':
      return str('modelDir');
    case 'attention':
      return str('modelDir') && str('text');
    case 'crash':
      return true;
    default:
      return false;
  }
}
