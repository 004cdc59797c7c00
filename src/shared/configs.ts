// Model and task configs with their defaults. Imported by the engine, the extension and webviews;
// imports nothing.

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = BackendName | 'auto';

export interface BertConfig {
  vocabSize: number; // rows of the token embedding (= lines of vocab.txt)
  hiddenSize: number; // width of every token representation (BERT's H)
  numLayers: number; // Transformer encoder blocks (L)
  numHeads: number; // attention heads per block (A); hiddenSize must divide by it
  intermediateSize: number; // feed-forward inner width (4H in the paper)
  maxPositions: number; // learned position embeddings; the longest input the model accepts
  typeVocabSize: number; // segment embeddings: 2 (sentence A / sentence B)
  dropout: number; // hidden and attention dropout during training
  layerNormEps: number; // epsilon of every LayerNorm
  initializerRange: number; // std of the truncated normal weight init
}

export type BertPreset = 'tiny' | 'mini' | 'small' | 'base';

// Sizes follow the BERT miniatures (Turc et al. 2019) and BERT-base (Devlin et al. 2019, §3).
export const BERT_PRESETS: Record<BertPreset, Omit<BertConfig, 'vocabSize'>> = {
  tiny: preset(2, 128, 2),
  mini: preset(4, 256, 4),
  small: preset(4, 512, 8),
  base: preset(12, 768, 12),
};

function preset(numLayers: number, hiddenSize: number, numHeads: number): Omit<BertConfig, 'vocabSize'> {
  return {
    hiddenSize,
    numLayers,
    numHeads,
    intermediateSize: 4 * hiddenSize,
    maxPositions: 512,
    typeVocabSize: 2,
    dropout: 0.1,
    layerNormEps: 1e-12,
    initializerRange: 0.02,
  };
}

export function isBertPreset(s: string): s is BertPreset {
  return s === 'tiny' || s === 'mini' || s === 'small' || s === 'base';
}

export interface TokenizerConfig {
  lowercase: boolean; // BERT "uncased": lower-case and strip accents
  stripAccents: boolean;
}

export interface PretrainOptions {
  corpus: string[]; // files, folders or globs
  outDir: string; // model folder to write
  preset: BertPreset;
  steps: number; // optimizer steps
  batchSize: number;
  maxSeqLength: number; // tokens per training instance, [CLS] and [SEP]s included
  maxPredictionsPerSeq: number; // cap on masked positions per instance
  maskProb: number; // share of tokens chosen for prediction (0.15)
  wholeWordMask: boolean; // mask all WordPieces of a word together
  shortSeqProb: number; // share of instances with a shorter random target length (0.1 in BERT)
  vocabSize: number; // WordPiece vocabulary to train, when no vocab is given
  minFrequency: number; // a WordPiece needs this many occurrences to enter the vocabulary
  vocabFile?: string; // use this vocab.txt instead of training one
  lowercase: boolean;
  learningRate: number; // peak learning rate, after warm-up
  warmupSteps: number; // linear warm-up from 0 (BERT: 1% of steps; 10k of 1M)
  weightDecay: number; // AdamW decoupled weight decay, not applied to biases and LayerNorm
  clipNorm: number; // global gradient-norm clipping
  checkpointEvery: number; // steps between checkpoints; one is always written at the end
  logEvery: number; // steps between progress reports
  seed: number; // makes data order, masking and initial weights reproducible
  dropout?: number; // overrides the preset's dropout
  initializerRange?: number; // overrides the std of the initial weights (0.02); small models learn faster with more
  resume: boolean; // continue from the checkpoint in outDir when there is one
}

export const DEFAULT_PRETRAIN: Omit<PretrainOptions, 'corpus' | 'outDir'> = {
  preset: 'tiny',
  steps: 1000,
  batchSize: 16,
  maxSeqLength: 64,
  maxPredictionsPerSeq: 10,
  maskProb: 0.15,
  wholeWordMask: false,
  shortSeqProb: 0.1,
  vocabSize: 8000,
  minFrequency: 2,
  lowercase: true,
  learningRate: 1e-3,
  warmupSteps: 100,
  weightDecay: 0.01,
  clipNorm: 1.0,
  checkpointEvery: 200,
  logEvery: 10,
  seed: 42,
  resume: true,
};

export interface TrainProgress {
  step: number;
  totalSteps: number;
  mlmLoss: number;
  nspLoss: number;
  mlmAccuracy: number; // share of masked positions predicted right at top-1
  nspAccuracy: number;
  learningRate: number;
  tokensPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export type MaskTreatment = 'mask' | 'random' | 'keep';

/** One training instance as shown to a person: what was chosen for prediction and how it was treated. */
export interface MaskingSample {
  tokens: string[]; // input tokens after masking
  original: string[]; // the tokens before masking
  chosen: { index: number; treatment: MaskTreatment }[];
  isRandomNext: boolean;
}

export interface MaskCandidate {
  token: string;
  probability: number;
}

export interface MaskPrediction {
  position: number; // character offset of the mask (or masked word) in the given text
  length: number; // characters it covers in the given text
  candidates: MaskCandidate[]; // by falling probability
  original?: string; // the word that was masked, when a word (not [MASK]) was given
  originalRank?: number; // 1-based rank of that word among all candidates, when found
}

export interface PredictMaskResult {
  masks: MaskPrediction[];
  filled: string; // the text with each mask replaced by its best candidate
  notice?: string; // e.g. that the input was cut to the model's maximum length
}

export interface ModelSummary {
  dir: string;
  type: 'bert';
  preset?: string;
  config: BertConfig;
  vocabSize: number;
  parameters: number;
  corpus?: string[];
  steps: number;
  totalSteps?: number;
  finalMetrics?: Partial<TrainProgress>;
  createdAt?: string;
}

/** Attention of every layer and head over the tokens of a text; model-agnostic. */
export interface AttentionResult {
  tokens: string[]; // as the model sees them: WordPieces with ##, [CLS], [SEP]
  spans: [number, number][]; // character span of each token in the text, [-1, -1] for added tokens
  segments: number[]; // 0 = sentence A, 1 = sentence B
  layers: number;
  heads: number;
  weights: Float32Array; // [layers, heads, from, to], each row sums to 1
  sentenceB: boolean;
  notice?: string; // e.g. that the selection was cut to the model's maximum
}

// ---- word2vec (Mikolov et al. 2013) ----

export type W2vAlgo = 'skipgram' | 'cbow';
/** How text becomes words: Unicode words (punctuation dropped), or split on whitespace only. */
export type W2vTokenization = 'words' | 'whitespace';
/** Chinese: one token per character, or ICU's dictionary word segmentation (Intl.Segmenter). */
export type W2vChinese = 'chars' | 'words';

export interface Word2vecOptions {
  corpus: string[];
  outDir: string;
  algo: W2vAlgo;
  dim: number; // vector size
  window: number; // maximum distance to a context word; each centre word draws 1..window
  negative: number; // negative samples per prediction (0 with hierarchical softmax)
  hs: boolean; // hierarchical softmax over a Huffman tree instead of negative sampling
  sample: number; // frequent-word subsampling threshold (0 = off)
  minCount: number; // words seen fewer times are dropped
  maxVocab: number; // keep at most this many most frequent words (0 = no cap)
  epochs: number;
  alpha: number; // starting learning rate, decayed linearly to minAlpha
  minAlpha: number;
  cbowMean: boolean; // CBOW averages the context vectors (true) or sums them
  threads: number;
  seed: number;
  tokenization: W2vTokenization;
  chinese: W2vChinese;
  lowercase: boolean;
  resume: boolean;
}

export const DEFAULT_WORD2VEC: Omit<Word2vecOptions, 'corpus' | 'outDir'> = {
  algo: 'skipgram',
  dim: 100,
  window: 5,
  negative: 5,
  hs: false,
  sample: 1e-3,
  minCount: 5,
  maxVocab: 0,
  epochs: 5,
  alpha: 0.025,
  minAlpha: 0.0001,
  cbowMean: true,
  threads: 2,
  seed: 1,
  tokenization: 'words',
  chinese: 'chars',
  lowercase: true,
  resume: true,
};

export interface W2vProgress {
  epoch: number; // 1-based epoch in progress
  epochs: number;
  wordsDone: number; // corpus words processed so far, all epochs
  totalWords: number; // corpus words × epochs
  loss: number; // mean loss per prediction since the last report
  epochLoss?: number; // mean loss per prediction over the epoch, set when an epoch ends
  alpha: number;
  wordsPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface W2vSummary {
  dir: string;
  type: 'word2vec';
  algo?: W2vAlgo;
  dim: number;
  vocabSize: number;
  corpus?: string[];
  corpusWords?: number;
  epochsDone?: number;
  epochs?: number;
  epochLosses?: number[];
  source: 'pretrain-lab' | 'word2vec-text' | 'word2vec-binary' | 'projector-tsv';
}

export interface Neighbour {
  word: string;
  score: number;
}

export type VectorsQuery =
  | { op: 'neighbours'; word: string; k: number }
  | { op: 'analogy'; a: string; b: string; c: string; k: number; method: 'add' | 'mul' }
  | { op: 'similarity'; a: string; b: string }
  | { op: 'doesntMatch'; words: string[] }
  | { op: 'search'; query: string; regex: boolean; limit: number };

export interface VectorsAnswer {
  neighbours?: Neighbour[];
  similarity?: number;
  odd?: string;
  words?: string[];
  total?: number;
  error?: string; // one sentence for the user, e.g. an unknown word
  suggestions?: string[]; // closest spellings of an unknown word
}

export interface VectorsInfo extends W2vSummary {
  bert: boolean; // a BERT's input embedding table (static WordPiece vectors)
  top: string[]; // the most frequent (first) words
}

/** Rows of a vector table, sent as binary. */
export interface VectorsTable {
  words: string[];
  counts?: number[];
  dim: number;
  vectors: Float32Array; // words.length × dim
  total: number; // vocabulary size
}

export interface ContextualOccurrence {
  file: string;
  line: number;
  start: number;
  end: number;
  context: string;
}

export interface ContextualVectors {
  word: string;
  layer: number;
  layers: number;
  dim: number;
  occurrences: ContextualOccurrence[];
  vectors: Float32Array;
  scanned: number;
  total: number;
  notice?: string;
}
