// GPT (Radford et al. 2018; GPT-2, Radford et al. 2019): the model config and its presets, the
// pretraining options with their defaults, what a training reports, and the generation settings.

export interface GptConfig {
  vocabSize: number; // byte-level BPE tokens (256 bytes + merges + <|endoftext|>)
  hiddenSize: number; // width of every token representation (GPT-2's n_embd)
  numLayers: number; // Transformer decoder blocks (n_layer)
  numHeads: number; // attention heads per block (n_head); hiddenSize must divide by it
  intermediateSize: number; // feed-forward inner width (4 × hiddenSize)
  maxPositions: number; // learned position embeddings: the context window (n_positions)
  norm: 'pre' | 'post'; // 'pre': GPT-2's LayerNorm before each sub-block plus a final one; 'post': GPT-1's
  dropout: number; // residual, embedding and attention dropout during training
  layerNormEps: number; // epsilon of every LayerNorm (1e-5 in GPT-2)
  initializerRange: number; // std of the normal weight init (0.02)
}

export type GptPreset = 'tiny' | 'mini' | 'small';
export const GPT_PRESET_NAMES: readonly GptPreset[] = ['tiny', 'mini', 'small'];

// tiny and mini are for a laptop in minutes; small is GPT-2 small's shape (124M with its 50k vocabulary).
export const GPT_PRESETS: Record<GptPreset, Omit<GptConfig, 'vocabSize'>> = {
  tiny: preset(2, 128, 2, 128),
  mini: preset(4, 256, 4, 256),
  small: preset(12, 768, 12, 1024),
};

function preset(
  numLayers: number,
  hiddenSize: number,
  numHeads: number,
  maxPositions: number,
): Omit<GptConfig, 'vocabSize'> {
  return {
    hiddenSize,
    numLayers,
    numHeads,
    intermediateSize: 4 * hiddenSize,
    maxPositions,
    norm: 'pre', // GPT-2's default: trains stably without warm-up tricks
    dropout: 0.1,
    layerNormEps: 1e-5,
    initializerRange: 0.02,
  };
}

export function isGptPreset(s: string): s is GptPreset {
  return (GPT_PRESET_NAMES as readonly string[]).includes(s);
}

export interface GptPretrainOptions {
  corpus: string[]; // files, folders or globs
  outDir: string; // model folder to write
  preset: GptPreset; // model size, see GPT_PRESETS
  norm?: 'pre' | 'post'; // overrides the preset's LayerNorm placement (post = GPT-1)
  steps: number; // optimizer steps
  batchSize: number; // token blocks per step
  blockSize: number; // tokens per block (the context trained on); at most the preset's maxPositions
  vocabSize: number; // byte-level BPE vocabulary to train (at least 257)
  minFrequency: number; // a pair must occur this often to become a merge
  learningRate: number; // peak learning rate, after warm-up
  warmupSteps: number; // linear warm-up from 0, then linear decay
  weightDecay: number; // AdamW decoupled weight decay, not applied to biases, LayerNorms, positions
  clipNorm: number; // global gradient-norm clipping
  checkpointEvery: number; // steps between checkpoints (each with a held-out perplexity)
  logEvery: number; // steps between progress reports
  heldOutShare: number; // share of the token stream kept out of training for perplexity
  seed: number; // data order, dropout and initial weights
  dropout?: number; // overrides the preset's dropout
  resume: boolean; // continue from the checkpoint in outDir when there is one
}

export const DEFAULT_GPT_PRETRAIN: Omit<GptPretrainOptions, 'corpus' | 'outDir'> = {
  preset: 'tiny',
  steps: 1000,
  batchSize: 16,
  blockSize: 64,
  vocabSize: 2000,
  minFrequency: 2,
  learningRate: 1e-3,
  warmupSteps: 100,
  weightDecay: 0.01,
  clipNorm: 1.0,
  checkpointEvery: 200,
  logEvery: 10,
  heldOutShare: 0.05,
  seed: 42,
  resume: true,
};

export interface GptProgress {
  step: number; // optimizer steps done
  totalSteps: number; // the step budget
  loss: number; // next-token cross-entropy (nats), mean since the last report
  perplexity: number; // exp(loss)
  heldOutPerplexity?: number; // on the held-out tokens, measured at the last checkpoint
  learningRate: number;
  tokensPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

/** How to continue a text; temperature 0 is greedy. */
export interface GenerateOptions {
  maxNewTokens: number; // clamped to 1…MAX_NEW_TOKENS (4096)
  temperature: number; // 0 = greedy (argmax); higher flattens the distribution
  topK: number; // sample among the k most likely (0 = all)
  topP: number; // nucleus: the smallest set with this much probability (1 = all)
  seed: number; // the same seed gives the same continuation
}

export const DEFAULT_GENERATE: GenerateOptions = {
  maxNewTokens: 50,
  temperature: 0.8,
  topK: 40,
  topP: 1,
  seed: 1,
};

export const MAX_NEW_TOKENS = 4096;

export interface GenerateResult {
  text: string; // the continuation only
  tokens: string[]; // the generated tokens as text (a part of a UTF-8 character as ⟨hex⟩)
  notice?: string; // e.g. the prompt was cut to the context window, or max tokens clamped
  stopped?: 'cancelled' | 'endOfText' | 'maxTokens';
}

export interface NextTokenResult {
  candidates: { token: string; id: number; probability: number }[];
  tokens: string[]; // the prefix as the model saw it
  notice?: string;
}
