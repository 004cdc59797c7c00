// The typed protocol between the extension host and the engine worker.
import type {
  AttentionResult,
  BackendChoice,
  BackendName,
  ContextualVectors,
  MaskingSample,
  ModelSummary,
  PredictMaskResult,
  PretrainOptions,
  TrainProgress,
  VectorsAnswer,
  VectorsInfo,
  VectorsQuery,
  VectorsTable,
  W2vProgress,
  W2vSummary,
  Word2vecOptions,
} from './configs';

export type EngineRequest =
  | { type: 'init'; backend: BackendChoice }
  | { type: 'pretrainBert'; options: Partial<PretrainOptions> & Pick<PretrainOptions, 'corpus' | 'outDir'> }
  | { type: 'predictMask'; modelDir: string; text: string; topK: number }
  | { type: 'predictWord'; modelDir: string; text: string; start: number; end: number; topK: number }
  | { type: 'describeModel'; modelDir: string }
  | { type: 'attention'; modelDir: string; text: string }
  | {
      type: 'pretrainWord2vec';
      options: Partial<Word2vecOptions> & Pick<Word2vecOptions, 'corpus' | 'outDir'>;
    }
  | { type: 'vectorsInfo'; model: string }
  | { type: 'vectorsQuery'; model: string; query: VectorsQuery }
  | { type: 'vectorsTable'; model: string; words?: string[]; top?: number }
  | { type: 'contextual'; modelDir: string; word: string; files: string[]; layer?: number; max?: number }
  | { type: 'crash' }; // test hook: makes the worker exit, so restart handling can be tested

export interface EngineResponses {
  init: { backend: BackendName; tried: { name: BackendName; error?: string }[] };
  pretrainBert: { status: 'done' | 'cancelled'; step: number; summary: ModelSummary };
  predictMask: PredictMaskResult;
  predictWord: PredictMaskResult;
  describeModel: ModelSummary;
  attention: AttentionResult;
  pretrainWord2vec: { status: 'done' | 'cancelled'; epochsDone: number; summary: W2vSummary };
  vectorsInfo: VectorsInfo;
  vectorsQuery: VectorsAnswer;
  vectorsTable: VectorsTable;
  contextual: ContextualVectors;
  crash: never;
}

export type EngineProgress =
  | { type: 'log'; message: string }
  | { type: 'train'; progress: TrainProgress; sample?: MaskingSample }
  | { type: 'w2v'; progress: W2vProgress };

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
    case 'pretrainWord2vec': {
      const o = r.options as Record<string, unknown> | undefined;
      return typeof o === 'object' && o !== null && Array.isArray(o.corpus) && typeof o.outDir === 'string';
    }
    case 'vectorsInfo':
      return str('model');
    case 'vectorsQuery':
      return str('model') && isVectorsQuery(r.query);
    case 'vectorsTable':
      return (
        str('model') &&
        (r.words === undefined || (Array.isArray(r.words) && r.words.every((w) => typeof w === 'string'))) &&
        (r.top === undefined || num('top'))
      );
    case 'contextual':
      return (
        str('modelDir') &&
        str('word') &&
        Array.isArray(r.files) &&
        r.files.every((f) => typeof f === 'string') &&
        (r.layer === undefined || num('layer')) &&
        (r.max === undefined || num('max'))
      );
    case 'crash':
      return true;
    default:
      return false;
  }
}

export function isVectorsQuery(x: unknown): x is VectorsQuery {
  if (typeof x !== 'object' || x === null) return false;
  const q = x as Record<string, unknown>;
  const s = (k: string) => typeof q[k] === 'string' && (q[k] as string).length <= 200;
  const n = (k: string) =>
    typeof q[k] === 'number' && Number.isInteger(q[k]) && (q[k] as number) >= 1 && (q[k] as number) <= 10000;
  switch (q.op) {
    case 'neighbours':
      return s('word') && n('k');
    case 'analogy':
      return s('a') && s('b') && s('c') && n('k') && (q.method === 'add' || q.method === 'mul');
    case 'similarity':
      return s('a') && s('b');
    case 'doesntMatch':
      return Array.isArray(q.words) && q.words.length <= 50 && q.words.every((w) => typeof w === 'string');
    case 'search':
      return s('query') && typeof q.regex === 'boolean' && n('limit');
    default:
      return false;
  }
}
