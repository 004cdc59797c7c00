// The typed protocol between the extension host and the engine worker. Requests are valibot schemas
// (the engine validates every body before use); their types are inferred from the schemas.
import * as v from 'valibot';
import type {
  AttentionResult,
  BackendName,
  ContextualVectors,
  ElmoPretrainOptions,
  ElmoProgress,
  ElmoSummary,
  GenerateResult,
  GptPretrainOptions,
  GptProgress,
  MaskingSample,
  ModelSummary,
  NextTokenResult,
  PredictMaskResult,
  PretrainOptions,
  Seq2seqProgress,
  Seq2seqSummary,
  Seq2seqTrainRequest,
  TrainProgress,
  VectorsAnswer,
  VectorsInfo,
  VectorsQuery,
  VectorsTable,
  W2vProgress,
  W2vSummary,
  Word2vecOptions,
} from './configs';
import {
  type ClassifyAnswer,
  FinetuneOptionsSchema,
  type FinetuneProgress,
  type FinetuneSummary,
  type TagAnswer,
} from './finetune';
import type { DownloadProgress } from './hub';
import type { Capability, ModelKind } from './modelKinds';
import type { ElmoLayersView } from './protocol/elmo';

const finite = v.pipe(v.number(), v.finite());
const queryText = v.pipe(v.string(), v.maxLength(200));
const count = v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(10000));

/** One question about word vectors, as the Embedding Explorer and the CLI ask it. */
export const VectorsQuerySchema = v.variant('op', [
  v.object({ op: v.literal('neighbours'), word: queryText, k: count }),
  v.object({
    op: v.literal('analogy'),
    a: queryText,
    b: queryText,
    c: queryText,
    k: count,
    method: v.picklist(['add', 'mul']),
  }),
  v.object({ op: v.literal('similarity'), a: queryText, b: queryText }),
  v.object({ op: v.literal('doesntMatch'), words: v.pipe(v.array(v.string()), v.maxLength(50)) }),
  v.object({ op: v.literal('search'), query: queryText, regex: v.boolean(), limit: count }),
]);

// The schema and the VectorsQuery type of configs/ describe the same messages.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const vectorsQueryMatches: Same<v.InferOutput<typeof VectorsQuerySchema>, VectorsQuery> = true;
void vectorsQueryMatches;

export function isVectorsQuery(x: unknown): x is VectorsQuery {
  return v.is(VectorsQuerySchema, x);
}

// Training options are checked in full by the trainer (with one sentence per problem); here only
// what every training needs, so a malformed body is refused before it reaches it.
const optionsOf = <T extends { corpus: string[]; outDir: string }>() =>
  v.custom<T>((x) => v.is(v.looseObject({ corpus: v.array(v.string()), outDir: v.string() }), x));

export const EngineRequestSchema = v.variant('type', [
  v.object({ type: v.literal('init'), backend: v.picklist(['auto', 'onnx', 'tensorflow', 'wasm', 'cpu']) }),
  v.object({
    type: v.literal('pretrainBert'),
    options: optionsOf<Partial<PretrainOptions> & Pick<PretrainOptions, 'corpus' | 'outDir'>>(),
  }),
  v.object({ type: v.literal('predictMask'), modelDir: v.string(), text: v.string(), topK: finite }),
  v.object({
    type: v.literal('predictWord'),
    modelDir: v.string(),
    text: v.string(),
    start: finite,
    end: finite,
    topK: finite,
  }),
  /** Any model folder or vector file: its kind, capabilities and summary. */
  v.object({ type: v.literal('describeModel'), modelDir: v.string() }),
  /** Loads a model ahead of its first use (for a GPT: and runs two generation steps); see warmModel.ts. */
  v.object({ type: v.literal('warmModel'), modelDir: v.string() }),
  // firstLayer: answer with the first layer alone where that is much faster (AttentionResult.layer)
  v.object({
    type: v.literal('attention'),
    modelDir: v.string(),
    text: v.string(),
    firstLayer: v.optional(v.boolean()),
  }),
  v.object({
    type: v.literal('pretrainWord2vec'),
    options: optionsOf<Partial<Word2vecOptions> & Pick<Word2vecOptions, 'corpus' | 'outDir'>>(),
  }),
  v.object({ type: v.literal('vectorsInfo'), model: v.string() }),
  v.object({ type: v.literal('vectorsQuery'), model: v.string(), query: VectorsQuerySchema }),
  v.object({
    type: v.literal('vectorsTable'),
    model: v.string(),
    words: v.optional(v.array(v.string())),
    top: v.optional(finite),
  }),
  v.object({
    type: v.literal('contextual'),
    modelDir: v.string(),
    word: v.string(),
    files: v.array(v.string()),
    layer: v.optional(finite),
    max: v.optional(finite),
  }),
  v.object({ type: v.literal('finetune'), options: FinetuneOptionsSchema }),
  v.object({
    type: v.literal('classify'),
    modelDir: v.string(),
    text: v.pipe(v.string(), v.maxLength(100_000)),
    textB: v.optional(v.pipe(v.string(), v.maxLength(100_000))),
  }),
  v.object({ type: v.literal('tag'), modelDir: v.string(), text: v.pipe(v.string(), v.maxLength(100_000)) }),
  v.object({
    type: v.literal('pretrainElmo'),
    options: optionsOf<Partial<ElmoPretrainOptions> & Pick<ElmoPretrainOptions, 'corpus' | 'outDir'>>(),
  }),
  v.object({
    type: v.literal('elmoLayers'),
    modelDir: v.string(),
    text: v.pipe(v.string(), v.maxLength(100_000)),
    files: v.array(v.string()), // where to look for other occurrences of the selection's words
  }),
  v.object({
    type: v.literal('pretrainGpt'),
    options: optionsOf<Partial<GptPretrainOptions> & Pick<GptPretrainOptions, 'corpus' | 'outDir'>>(),
  }),
  /** Continues a text with a GPT; the continuation streams as 'generate' progress. */
  v.object({
    type: v.literal('generate'),
    modelDir: v.string(),
    text: v.pipe(v.string(), v.maxLength(1_000_000)),
    maxNewTokens: v.optional(finite),
    temperature: v.optional(finite),
    topK: v.optional(finite),
    topP: v.optional(finite),
    seed: v.optional(finite),
  }),
  v.object({
    type: v.literal('nextTokens'),
    modelDir: v.string(),
    text: v.pipe(v.string(), v.maxLength(1_000_000)),
    topK: finite,
  }),
  v.object({
    type: v.literal('finetuneSeq2seq'),
    options: v.custom<Seq2seqTrainRequest>((x) =>
      v.is(
        v.looseObject({ encoder: v.string(), decoder: v.string(), train: v.string(), outDir: v.string() }),
        x,
      ),
    ),
  }),
  /** A seq2seq model's output for a text; the best output so far streams as 'rewrite' progress. */
  v.object({
    type: v.literal('rewrite'),
    modelDir: v.string(),
    text: v.pipe(v.string(), v.maxLength(100_000)),
    beamSize: v.optional(finite),
    lengthPenalty: v.optional(finite),
    maxLength: v.optional(finite),
  }),
  /** A Hugging Face Hub model into outDir (hub/download.ts); progress streams as 'download'. */
  v.object({
    type: v.literal('downloadModel'),
    modelId: v.pipe(v.string(), v.maxLength(200)),
    revision: v.pipe(v.string(), v.maxLength(200)),
    endpoint: v.pipe(v.string(), v.maxLength(2000)),
    token: v.optional(v.string()),
    outDir: v.string(),
  }),
  v.object({ type: v.literal('crash') }), // test hook: makes the worker exit, so restart handling can be tested
]);

export type EngineRequest = v.InferOutput<typeof EngineRequestSchema>;

export function isEngineRequest(x: unknown): x is EngineRequest {
  return v.is(EngineRequestSchema, x);
}

export interface ModelInfo {
  kind: ModelKind;
  capabilities: Capability[];
  summary: ModelSummary | W2vSummary | ElmoSummary;
}

export interface EngineResponses {
  // inference: what runs forward-only work when it is not the training backend ("onnxruntime 1.30.0 (2 threads)")
  init: {
    backend: BackendName;
    tried: { name: BackendName; error?: string }[];
    inference?: string;
    training?: string; // what trains, e.g. "wasm + onnxruntime matrix products"
  };
  pretrainBert: { status: 'done' | 'cancelled'; step: number; summary: ModelSummary };
  predictMask: PredictMaskResult;
  predictWord: PredictMaskResult;
  describeModel: ModelInfo;
  warmModel: { warmed: boolean; ms: number }; // warmed false: skipped while a training runs
  attention: AttentionResult;
  pretrainWord2vec: { status: 'done' | 'cancelled'; epochsDone: number; summary: W2vSummary };
  vectorsInfo: VectorsInfo;
  vectorsQuery: VectorsAnswer;
  vectorsTable: VectorsTable;
  contextual: ContextualVectors;
  finetune: { status: 'done' | 'cancelled'; epochsDone: number; summary: FinetuneSummary };
  classify: ClassifyAnswer;
  tag: TagAnswer;
  pretrainElmo: { status: 'done' | 'cancelled'; step: number; summary: ElmoSummary };
  elmoLayers: ElmoLayersView;
  pretrainGpt: { status: 'done' | 'cancelled'; step: number; summary: ModelSummary };
  generate: GenerateResult;
  nextTokens: NextTokenResult;
  finetuneSeq2seq: Seq2seqSummary;
  rewrite: { text: string; beams: { text: string; score: number }[]; cancelled: boolean; sourceCut: boolean };
  downloadModel: { dir: string; kind: ModelKind; files: string[]; bytes: number; commit?: string };
  crash: never;
}

// every request type has a response type
const responsesCoverRequests: Same<keyof EngineResponses, EngineRequest['type']> = true;
void responsesCoverRequests;

export type EngineProgress =
  | { type: 'log'; message: string }
  | { type: 'gpt'; progress: GptProgress }
  | { type: 'generate'; text: string } // the next piece of a continuation
  | { type: 'seq2seq'; progress: Seq2seqProgress }
  | { type: 'rewrite'; text: string } // the best output so far (replaces the previous one)
  | { type: 'elmo'; progress: ElmoProgress }
  | { type: 'train'; progress: TrainProgress; sample?: MaskingSample }
  | { type: 'w2v'; progress: W2vProgress }
  | { type: 'finetune'; progress: FinetuneProgress }
  | { type: 'download'; progress: DownloadProgress };
