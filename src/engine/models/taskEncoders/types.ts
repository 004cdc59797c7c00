// What sits below a task head (taskModel.ts), one file per kind of base: a BERT encoder (bert.ts), a
// word2vec table (word2vec.ts), an ELMo biLM under a scalar mix (elmo.ts), a GPT decoder with its
// input transformation and auxiliary LM loss (gpt.ts). Each says how it turns text into ids (its own
// tokenizer: WordPieces, words, or byte-level BPE), which of its weights train under a freeze setting,
// and what it gives the head: a vector per token and a pooled vector per example.
import type * as tf from '@tensorflow/tfjs-core';
import type { FreezeSpec, TaskFamily } from '../../../shared/finetune';
import type { EncodedExample, TaskBatch } from '../../data/tasks/encode';
import type { Span } from '../../tokenizer/basic';

export type BaseKind = 'bert' | 'word2vec' | 'elmo' | 'gpt';

/** Text into a base's ids: a whole text (or a pair), a sentence of given words, a text's words. */
export interface TaskTokenizer {
  readonly unit: string; // what maxLen counts, for messages: "WordPieces", "words", "tokens"
  encodeText(text: string, textB: string | undefined, maxLen: number): EncodedExample;
  encodeWords(words: readonly string[], maxLen: number): EncodedExample;
  /** The words of a text with their spans, one label each when tagging. */
  words(text: string): Span[];
}

export interface EncoderRun {
  training: boolean; // dropout on
  encoderTraining: boolean; // the base's own dropout on (it trains)
  seed?: number;
}

export interface EncoderOutput {
  sequence: tf.Tensor3D; // [B, T, featureSize]
  pooled: tf.Tensor2D; // [B, pooledSize(task)]
  aux?: tf.Scalar; // an auxiliary loss the base adds, weighted (GPT's LM loss)
}

/** A mix of layers as a person reads it (ELMo): softmax weights summing to 1, and the scale γ. */
export interface MixWeights {
  weights: number[];
  gamma: number;
}

export interface TaskEncoder {
  readonly kind: BaseKind;
  /** The base's config (BERT, GPT or ELMo shape; saved in the fine-tuned config). */
  readonly config: { hiddenSize: number; numLayers: number; vocabSize: number } & object;
  readonly params: Map<string, tf.Variable>; // the base's weights
  readonly taskParams: Map<string, tf.Variable>; // always trained and saved with the head (a scalar mix)
  readonly featureSize: number; // width of a token's vector
  readonly dropoutRate: number; // the head's dropout
  readonly maxLength: number; // ids per example the base can read
  pooledSize(task: TaskFamily): number;
  /** The names in `params` that train under a freeze setting; one sentence when it is not allowed. */
  trainableNames(freeze: FreezeSpec): string[];
  forward(b: TaskBatch, task: TaskFamily, o: EncoderRun): EncoderOutput;
  mix?(): MixWeights;
  dispose(): void;
}

export class FreezeError extends Error {
  override name = 'FreezeError';
}

/**
 * How many of a layered base's lowest layers a freeze setting keeps fixed (0 for 'none'); refuses
 * more than the base has with `tooMany(n)`, one sentence. Not for 'all', which trains nothing.
 */
export function frozenLayers(
  freeze: Exclude<FreezeSpec, 'all'>,
  numLayers: number,
  tooMany: (n: number) => string,
): number {
  const n = freeze === 'none' ? 0 : freeze;
  if (n > numLayers) throw new FreezeError(tooMany(n));
  return n;
}
