// ELMo (Peters et al. 2018): the biLM's shape, its pretraining options with their defaults, what a
// training reports and what a folder summary holds. The defaults are small on purpose: the tiny preset
// trains on 2 CPU cores in a few minutes on a few hundred KB of text.

export const ELMO_FORMAT = 'pretrain-lab/elmo';

export interface ElmoConfig {
  vocabSize: number; // words of the corpus + <s> and <unk>
  embedDim: number; // token layer size; each LSTM layer projects back to it (the paper's 512)
  hiddenSize: number; // LSTM cell size (the paper's 4096)
  numLayers: number; // biLSTM layers per direction (the paper's 2); representations are numLayers + 1
  dropout: number; // on the token layer and the LSTM outputs, during training only
  cellClip: number; // the cell state is clipped to ±cellClip (the paper's 3), 0 = off
}

export type ElmoPreset = 'tiny' | 'small';

export const ELMO_PRESETS: Record<ElmoPreset, Omit<ElmoConfig, 'vocabSize'>> = {
  // ~0.2 M parameters + the vocabulary's 2 × 32 per word: seconds per hundred steps on 2 cores
  tiny: { embedDim: 32, hiddenSize: 64, numLayers: 2, dropout: 0.1, cellClip: 3 },
  // ~1 M parameters + 2 × 64 per word: minutes per thousand steps
  small: { embedDim: 64, hiddenSize: 256, numLayers: 2, dropout: 0.1, cellClip: 3 },
};

export function isElmoPreset(s: string): s is ElmoPreset {
  return s in ELMO_PRESETS;
}

export interface ElmoPretrainOptions {
  corpus: string[]; // files, folders or globs
  outDir: string; // model folder to write
  preset: ElmoPreset; // model size; a resumed model keeps its own
  steps: number; // optimizer steps
  batchSize: number; // windows per step
  seqLength: number; // tokens per window (the LSTMs are unrolled this many steps)
  maxVocab: number; // keep the most frequent words, the rest become <unk>
  minCount: number; // words seen fewer times become <unk>
  sampledSoftmax: number; // train the softmax on this many sampled words per batch (0: the full vocabulary)
  lowercase: boolean; // lower-case words before counting (Chinese is one token per character either way)
  learningRate: number; // peak AdamW learning rate
  warmupSteps: number; // linear warm-up, then linear decay to 0
  weightDecay: number; // AdamW decoupled weight decay (not on biases)
  clipNorm: number; // global gradient-norm clip
  checkpointEvery: number; // steps between checkpoints; one is always written at the end
  logEvery: number; // steps between progress reports
  seed: number; // data order, dropout and initial weights
  resume: boolean; // continue from the checkpoint in outDir
}

export const DEFAULT_ELMO_PRETRAIN: Omit<ElmoPretrainOptions, 'corpus' | 'outDir'> = {
  preset: 'tiny',
  steps: 500,
  batchSize: 16,
  seqLength: 24,
  maxVocab: 10_000, // the full softmax over 10 k words is still cheap at embedDim 32
  minCount: 2,
  // 0 = full softmax. For vocabularies of 50 k+ words, e.g. 2048: each step then costs the same
  // whatever the vocabulary; the perplexities it reports are over those candidates, so lower than true.
  sampledSoftmax: 0,
  lowercase: true,
  learningRate: 5e-3, // LSTMs this small like a larger rate than Transformers
  warmupSteps: 20,
  weightDecay: 0.01,
  clipNorm: 1.0,
  checkpointEvery: 100,
  logEvery: 10,
  seed: 42,
  resume: true,
};

/** One progress report of an ELMo pretraining: both directions' perplexity over the last window. */
export interface ElmoProgress {
  step: number;
  totalSteps: number;
  loss: number; // mean of the two directions' cross-entropy, nats
  forwardPerplexity: number; // exp of the forward LM's cross-entropy
  backwardPerplexity: number; // exp of the backward LM's cross-entropy
  learningRate: number;
  tokensPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface ElmoSummary {
  dir: string;
  type: 'elmo';
  preset?: string;
  config: ElmoConfig;
  vocabSize: number;
  parameters: number;
  corpus?: string[];
  steps: number;
  totalSteps?: number;
  finalMetrics?: Partial<ElmoProgress>;
  createdAt?: string;
}

/** The learned scalar mix of a task (eq. 1): softmax weights per layer and the scale γ. */
export interface ScalarMixWeights {
  weights: number[]; // after softmax, summing to 1, layer 0 first
  gamma: number;
}
