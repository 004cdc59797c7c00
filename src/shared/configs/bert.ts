// BERT: the model config and its presets, the pretraining options with their defaults, and what a
// training reports.

import type { GptConfig } from './gpt';

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
  hiddenAct?: BertActivation; // feed-forward and MLM-transform activation; exact GELU when absent
}

/** Activations a BERT may use (Hugging Face's `hidden_act` values that Pretrain Lab honours). */
export type BertActivation = 'gelu' | 'gelu_new' | 'relu';

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
  stripAccents: boolean; // drop combining marks after NFD (on with lowercase in BERT uncased)
}

export interface PretrainOptions {
  corpus: string[]; // files, folders or globs
  outDir: string; // model folder to write
  preset: BertPreset; // model size, see BERT_PRESETS
  steps: number; // optimizer steps
  batchSize: number; // training instances per step
  maxSeqLength: number; // tokens per training instance, [CLS] and [SEP]s included
  maxPredictionsPerSeq: number; // cap on masked positions per instance
  maskProb: number; // share of tokens chosen for prediction (0.15)
  wholeWordMask: boolean; // mask all WordPieces of a word together
  shortSeqProb: number; // share of instances with a shorter random target length (0.1 in BERT)
  sentencePairs?: boolean; // inputs are two sentences, not packed segments (RoBERTa's SENTENCE-PAIR)
  vocabSize: number; // WordPiece vocabulary to train, when no vocab is given
  minFrequency: number; // a WordPiece needs this many occurrences to enter the vocabulary
  vocabFile?: string; // use this vocab.txt instead of training one
  lowercase: boolean; // uncased: lower-case and strip accents before WordPiece
  learningRate: number; // peak learning rate, after warm-up
  warmupSteps: number; // linear warm-up from 0 (BERT: 1% of steps; 10k of 1M)
  weightDecay: number; // AdamW decoupled weight decay, not applied to biases and LayerNorm
  clipNorm: number; // global gradient-norm clipping
  checkpointEvery: number; // steps between checkpoints; one is always written at the end
  logEvery: number; // steps between progress reports
  seed: number; // makes data order, masking and initial weights reproducible
  dropout?: number; // overrides the preset's dropout
  initializerRange?: number; // overrides the std of the initial weights (the preset's recipe, BERT_RECIPES)
  nspWeight: number; // the next-sentence loss's weight in the total (BERT: 1; 0 trains masked LM only)
  resume: boolean; // continue from the checkpoint in outDir when there is one
}

/**
 * How a preset trains unless told otherwise. BERT's own recipe (lr 1e-4, init std 0.02, 10k warm-up
 * steps of 1M) is for 110M parameters and billions of tokens; a 2-layer model on a small corpus with a
 * few hundred steps learns several times faster with a larger init and learning rate, measured on
 * identical batches in ours and PyTorch (bench/sameBatches.ts, docs/benchmarks.md "Learning speed").
 */
export interface BertRecipe {
  learningRate: number; // peak, after warm-up
  initializerRange: number; // std of the truncated normal init
  warmupFraction: number; // warm-up steps as a share of the step budget
  nspWeight: number; // weight of the next-sentence loss
}

export const BERT_RECIPES: Record<BertPreset, BertRecipe> = {
  // tiny: on the facts corpus of bench/sameBatches.ts, 600 steps, BERT's 0.02 / 1e-3 reach 0.28
  // masked accuracy, this recipe 0.38 (the same in PyTorch on identical batches)
  tiny: { learningRate: 2e-3, initializerRange: 0.05, warmupFraction: 0.1, nspWeight: 1 },
  // mini (4 layers, hidden 256) keeps BERT's init: on the same facts corpus, 600 steps of 16 with the
  // CLI, 1e-3 / 0.02 reach 0.44 masked accuracy, 5e-4 / 0.02 0.35, 1.5e-3 / 0.02 0.27, 1e-3 / 0.05 0.31,
  // tiny's 2e-3 / 0.05 0.13 (bench/presetRecipe.ts, docs/benchmarks.md); tiny's own recipe reaches 0.37
  mini: { learningRate: 1e-3, initializerRange: 0.02, warmupFraction: 0.1, nspWeight: 1 },
  // small and base keep the same (not measured on small corpora)
  small: { learningRate: 1e-3, initializerRange: 0.02, warmupFraction: 0.1, nspWeight: 1 },
  base: { learningRate: 1e-3, initializerRange: 0.02, warmupFraction: 0.1, nspWeight: 1 },
};

/** The warm-up a recipe gives a budget of `steps`: a share of it, at least one step. */
export function recipeWarmup(recipe: BertRecipe, steps: number): number {
  return Math.max(1, Math.round(recipe.warmupFraction * steps));
}

// learningRate, warmupSteps and nspWeight here are the tiny preset's recipe for the default budget;
// withDefaults (engine) takes them from BERT_RECIPES for the preset and budget actually chosen.
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
  learningRate: 2e-3,
  warmupSteps: 100,
  nspWeight: 1,
  weightDecay: 0.01,
  clipNorm: 1.0,
  checkpointEvery: 200,
  logEvery: 10,
  seed: 42,
  resume: true,
};

export interface TrainProgress {
  step: number; // optimizer steps done
  totalSteps: number; // the step budget
  mlmLoss: number; // masked-LM cross-entropy, mean since the last report
  nspLoss: number; // next-sentence cross-entropy, mean since the last report
  mlmAccuracy: number; // share of masked positions predicted right at top-1
  nspAccuracy: number; // share of sentence pairs classified right
  unigramEntropy?: number; // nats: the MLM loss of a model that predicts only word frequencies
  learningRate: number; // at the last step
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

export interface ModelSummary {
  dir: string;
  type: 'bert' | 'gpt'; // a Transformer trained in steps; 'gpt' folders carry a GptConfig
  preset?: string;
  config: BertConfig | GptConfig;
  vocabSize: number;
  parameters: number;
  corpus?: string[];
  steps: number;
  totalSteps?: number;
  finalMetrics?: Partial<TrainProgress>;
  createdAt?: string;
}
