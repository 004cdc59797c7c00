// A word2vec model as frozen input features for a task head: each word's vector looked up in a fixed
// table, the mean of a text's word vectors for classification, a word's own vector for tagging. Nothing
// below the head trains (the feature-based baseline of BERT §5.3, with static vectors). It stands in for
// a Bert inside TaskModel: the same forward/pooled surface, and no parameters of its own.
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../shared/configs';
import type { Vocab } from '../tokenizer/vocab';
import type { WordVectors } from '../word2vec/vectors';

/** The input ids of a batch and its attention mask, as Bert.forward takes them. */
export interface FeatureInputs {
  inputIds: tf.Tensor2D; // [B, T] int32
  attentionMask: tf.Tensor2D; // [B, T] float32, 1 for real tokens
}

/**
 * The task vocabulary of a word2vec base: the special tokens a task input needs, then the base's words
 * (a word whose vector is absent maps to [UNK], a zero vector, through WordPiece's whole-word match).
 */
export function featureVocabTokens(words: readonly string[]): string[] {
  const specials = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const s = new Set(specials);
  return [...specials, ...words.filter((w) => !s.has(w) && !w.startsWith('##'))];
}

export class WordFeatures {
  /** Empty: the table is a constant, so freezing is implied and the optimizer sees only the head. */
  readonly params = new Map<string, tf.Variable>();
  /** The encoder's shape in BERT terms (hiddenSize = vector dimension, no layers), for the head and the saved config. */
  readonly config: BertConfig;
  private readonly table: tf.Tensor2D; // [V, D], row i = the vector of vocab token i (zeros for specials and unknowns)
  private readonly special: tf.Tensor1D; // [V] 1 for special tokens, excluded from the mean

  constructor(vectors: WordVectors, vocab: Vocab) {
    const D = vectors.dim;
    const V = vocab.tokens.length;
    const data = new Float32Array(V * D);
    const special = new Float32Array(V);
    vocab.tokens.forEach((t, i) => {
      if (vocab.specialIds.has(i)) {
        special[i] = 1;
        return;
      }
      const j = vectors.index.get(t);
      if (j !== undefined) data.set(vectors.vectors.subarray(j * D, (j + 1) * D), i * D);
    });
    this.table = tf.tensor2d(data, [V, D]);
    this.special = tf.tensor1d(special);
    this.config = {
      vocabSize: V,
      hiddenSize: D,
      numLayers: 0,
      numHeads: 1,
      intermediateSize: 0,
      maxPositions: 512, // no position embeddings; the cap only bounds one input's length
      typeVocabSize: 1,
      dropout: 0.1, // the head's dropout on the features
      layerNormEps: 1e-12,
      initializerRange: 0.02,
    };
  }

  /** The word vectors of a batch, [B, T, D]. Call inside tf.tidy. */
  forward(inputs: FeatureInputs, _o: { training?: boolean; seed?: number } = {}): { hidden: tf.Tensor3D } {
    const [B, T] = inputs.inputIds.shape;
    const flat = tf.gather(this.table, tf.reshape(inputs.inputIds, [B * T])); // [B*T, D]
    return { hidden: tf.reshape(flat, [B, T, this.config.hiddenSize]) };
  }

  /** The mean of each text's word vectors, [B, D]; [CLS], [SEP] and padding left out. */
  pooled(hidden: tf.Tensor3D, inputs: FeatureInputs): tf.Tensor2D {
    const [B, T] = inputs.inputIds.shape;
    const isSpecial = tf.reshape(tf.gather(this.special, tf.reshape(inputs.inputIds, [B * T])), [B, T]);
    const mask = tf.mul(inputs.attentionMask, tf.sub(1, isSpecial)); // [B, T]
    const sum = tf.sum(tf.mul(hidden, tf.expandDims(mask, 2)), 1); // [B, D]
    return tf.div(sum, tf.maximum(tf.sum(mask, 1, true), 1)) as tf.Tensor2D;
  }

  /** A copy of the feature table, [V, D] (tests check it never changes). */
  tableData(): Float32Array {
    return this.table.dataSync() as Float32Array;
  }

  dispose(): void {
    this.table.dispose();
    this.special.dispose();
  }
}
