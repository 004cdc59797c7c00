// BERT (Devlin et al. 2019): token + position + segment embeddings, a post-LayerNorm Transformer encoder
// with GELU, the masked-LM head tied to the token embedding and the next-sentence head on pooled [CLS].
// Parameters carry the names of the original TensorFlow checkpoint, with '.' for '/'.
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../shared/configs';

export interface BertInputs {
  inputIds: tf.Tensor2D; // [B, T] int32
  segmentIds: tf.Tensor2D; // [B, T] int32
  attentionMask: tf.Tensor2D; // [B, T] float32, 1 = real token, 0 = padding
}

export interface BertOutputs {
  hidden: tf.Tensor3D; // [B, T, H] last layer
  layers?: tf.Tensor3D[]; // [B, T, H] embedding output then each layer, when asked
  attentions?: tf.Tensor4D[]; // per layer [B, heads, T, T], when asked
}

export interface ForwardOptions {
  training?: boolean; // applies dropout
  seed?: number; // dropout seed
  returnAttention?: boolean;
  returnLayers?: boolean;
}

export interface PretrainTargets {
  maskedPositions: tf.Tensor1D; // [N] int32 flat indices b*T + t
  maskedIds: tf.Tensor1D; // [N] int32
  maskedWeights: tf.Tensor1D; // [N] float32
  nspLabels: tf.Tensor1D; // [B] int32
}

export interface PretrainLosses {
  loss: tf.Scalar;
  mlmLoss: tf.Scalar;
  nspLoss: tf.Scalar;
  mlmCorrect: tf.Scalar; // weighted count of right top-1 predictions
  nspCorrect: tf.Scalar;
}

export function validateBertConfig(c: BertConfig): void {
  const ints: (keyof BertConfig)[] = [
    'vocabSize',
    'hiddenSize',
    'numLayers',
    'numHeads',
    'intermediateSize',
    'maxPositions',
    'typeVocabSize',
  ];
  for (const k of ints) {
    const v = c[k];
    if (!Number.isInteger(v) || v <= 0)
      throw new Error(`BERT config: ${k} must be a positive integer, got ${v}.`);
  }
  if (c.hiddenSize % c.numHeads !== 0) {
    throw new Error(`BERT config: hiddenSize ${c.hiddenSize} must be divisible by numHeads ${c.numHeads}.`);
  }
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new Error(`BERT config: dropout must be in [0, 1), got ${c.dropout}.`);
}

/** Shapes of every parameter, by name, in a fixed order (the order weights are stored in). */
export function bertParamShapes(c: BertConfig): [string, number[]][] {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const s: [string, number[]][] = [
    ['embeddings.word_embeddings', [c.vocabSize, H]],
    ['embeddings.position_embeddings', [c.maxPositions, H]],
    ['embeddings.token_type_embeddings', [c.typeVocabSize, H]],
    ['embeddings.LayerNorm.gamma', [H]],
    ['embeddings.LayerNorm.beta', [H]],
  ];
  for (let l = 0; l < c.numLayers; l++) {
    const p = `encoder.layer_${l}.`;
    for (const n of ['query', 'key', 'value']) {
      s.push([`${p}attention.self.${n}.kernel`, [H, H]], [`${p}attention.self.${n}.bias`, [H]]);
    }
    s.push(
      [`${p}attention.output.dense.kernel`, [H, H]],
      [`${p}attention.output.dense.bias`, [H]],
      [`${p}attention.output.LayerNorm.gamma`, [H]],
      [`${p}attention.output.LayerNorm.beta`, [H]],
      [`${p}intermediate.dense.kernel`, [H, I]],
      [`${p}intermediate.dense.bias`, [I]],
      [`${p}output.dense.kernel`, [I, H]],
      [`${p}output.dense.bias`, [H]],
      [`${p}output.LayerNorm.gamma`, [H]],
      [`${p}output.LayerNorm.beta`, [H]],
    );
  }
  s.push(
    ['pooler.dense.kernel', [H, H]],
    ['pooler.dense.bias', [H]],
    ['cls.predictions.transform.dense.kernel', [H, H]],
    ['cls.predictions.transform.dense.bias', [H]],
    ['cls.predictions.transform.LayerNorm.gamma', [H]],
    ['cls.predictions.transform.LayerNorm.beta', [H]],
    ['cls.predictions.output_bias', [c.vocabSize]],
    ['cls.seq_relationship.output_weights', [H, 2]],
    ['cls.seq_relationship.output_bias', [2]],
  );
  return s;
}

/** Biases and LayerNorm parameters get no weight decay (BERT's AdamWeightDecayOptimizer). */
export function decays(name: string): boolean {
  return !(name.endsWith('bias') || name.includes('LayerNorm'));
}

export function gelu(x: tf.Tensor): tf.Tensor {
  // exact GELU, as in BERT: x * Φ(x)
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

export class Bert {
  readonly config: BertConfig;
  readonly params = new Map<string, tf.Variable>();

  /** Random weights (truncated normal, std initializerRange), or the given tensors by name. */
  constructor(config: BertConfig, init: { seed?: number; weights?: Map<string, tf.Tensor> } = {}) {
    validateBertConfig(config);
    this.config = config;
    let seed = init.seed ?? 1234;
    for (const [name, shape] of bertParamShapes(config)) {
      const given = init.weights?.get(name);
      let value: tf.Tensor;
      if (given) {
        if (given.shape.join(',') !== shape.join(',')) {
          throw new Error(`Weight ${name} has shape [${given.shape}] but the config needs [${shape}].`);
        }
        value = given;
      } else if (name.endsWith('gamma')) value = tf.ones(shape);
      else if (name.endsWith('beta') || name.includes('bias')) value = tf.zeros(shape);
      else value = tf.truncatedNormal(shape, 0, config.initializerRange, 'float32', seed++);
      // unnamed: tfjs variable names are global, and several models may be loaded at once
      this.params.set(name, tf.variable(value, true));
      if (!given) value.dispose();
    }
  }

  get parameterCount(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  private p(name: string): tf.Variable {
    const v = this.params.get(name);
    if (!v) throw new Error(`BERT has no parameter ${name}.`);
    return v;
  }

  private dense(x: tf.Tensor2D, prefix: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.p(`${prefix}.kernel`)), this.p(`${prefix}.bias`));
  }

  private layerNorm(x: tf.Tensor2D, prefix: string): tf.Tensor2D {
    const mean = tf.mean(x, -1, true);
    const xc = tf.sub(x, mean);
    const variance = tf.mean(tf.square(xc), -1, true);
    const normed = tf.mul(xc, tf.rsqrt(tf.add(variance, this.config.layerNormEps)));
    return tf.add(tf.mul(normed, this.p(`${prefix}.gamma`)), this.p(`${prefix}.beta`));
  }

  private dropout<T extends tf.Tensor>(x: T, o: ForwardOptions, salt: number): T {
    if (!o.training || this.config.dropout === 0) return x;
    return tf.dropout(x, this.config.dropout, undefined, (o.seed ?? 0) * 131 + salt) as T;
  }

  /** The encoder. Call inside tf.tidy (or dispose the outputs). */
  forward(inputs: BertInputs, o: ForwardOptions = {}): BertOutputs {
    const c = this.config;
    const [B, T] = inputs.inputIds.shape;
    if (T > c.maxPositions)
      throw new Error(`The input has ${T} tokens; this model accepts at most ${c.maxPositions}.`);
    const H = c.hiddenSize;
    const nh = c.numHeads;
    const dh = H / nh;
    const flatIds = tf.reshape(inputs.inputIds, [B * T]);
    const positions = tf.tile(tf.range(0, T, 1, 'int32'), [B]);
    let x = tf.add(
      tf.add(
        tf.gather(this.p('embeddings.word_embeddings'), flatIds),
        tf.gather(this.p('embeddings.position_embeddings'), positions),
      ),
      tf.gather(this.p('embeddings.token_type_embeddings'), tf.reshape(inputs.segmentIds, [B * T])),
    ) as tf.Tensor2D; // [B*T, H]
    x = this.dropout(this.layerNorm(x, 'embeddings.LayerNorm'), o, 1);
    // Additive mask: 0 where attending is allowed, -10000 at padding. [B, 1, 1, T]
    const maskBias = tf.reshape(tf.mul(tf.sub(1, inputs.attentionMask), -10000), [B, 1, 1, T]);
    const attentions: tf.Tensor4D[] = [];
    const layers: tf.Tensor3D[] = [];
    if (o.returnLayers) layers.push(tf.reshape(x, [B, T, H]));
    const scale = 1 / Math.sqrt(dh);
    for (let l = 0; l < c.numLayers; l++) {
      const p = `encoder.layer_${l}.`;
      const heads = (t: tf.Tensor2D) => tf.transpose(tf.reshape(t, [B, T, nh, dh]), [0, 2, 1, 3]); // [B, nh, T, dh]
      const q = heads(this.dense(x, `${p}attention.self.query`));
      const k = heads(this.dense(x, `${p}attention.self.key`));
      const v = heads(this.dense(x, `${p}attention.self.value`));
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), scale), maskBias); // [B, nh, T, T]
      const probs = tf.softmax(scores) as tf.Tensor4D;
      if (o.returnAttention) attentions.push(probs);
      const ctx = tf.matMul(this.dropout(probs, o, 10 + l), v); // [B, nh, T, dh]
      const merged = tf.reshape(tf.transpose(ctx, [0, 2, 1, 3]), [B * T, H]) as tf.Tensor2D;
      const attnOut = this.dropout(this.dense(merged, `${p}attention.output.dense`), o, 100 + l);
      x = this.layerNorm(tf.add(attnOut, x), `${p}attention.output.LayerNorm`);
      const inter = gelu(this.dense(x, `${p}intermediate.dense`)) as tf.Tensor2D;
      const ffOut = this.dropout(this.dense(inter, `${p}output.dense`), o, 1000 + l);
      x = this.layerNorm(tf.add(ffOut, x), `${p}output.LayerNorm`);
      if (o.returnLayers) layers.push(tf.reshape(x, [B, T, H]));
    }
    const out: BertOutputs = { hidden: tf.reshape(x, [B, T, H]) };
    if (o.returnAttention) out.attentions = attentions;
    if (o.returnLayers) out.layers = layers;
    return out;
  }

  /** MLM logits only at the given flat positions: [N, V]. */
  mlmLogits(hidden: tf.Tensor3D, flatPositions: tf.Tensor1D): tf.Tensor2D {
    const [B, T, H] = hidden.shape;
    const picked = tf.gather(tf.reshape(hidden, [B * T, H]), flatPositions) as tf.Tensor2D; // [N, H]
    const t = this.layerNorm(
      gelu(this.dense(picked, 'cls.predictions.transform.dense')) as tf.Tensor2D,
      'cls.predictions.transform.LayerNorm',
    );
    // Decoder tied to the input embedding (§A.2 of the paper; BERT's run_pretraining.py), own bias.
    return tf.add(
      tf.matMul(t, this.p('embeddings.word_embeddings'), false, true),
      this.p('cls.predictions.output_bias'),
    );
  }

  /** The pooled [CLS] representation, [B, H]. */
  pooled(hidden: tf.Tensor3D): tf.Tensor2D {
    const [B, , H] = hidden.shape;
    const cls = tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D;
    return tf.tanh(this.dense(cls, 'pooler.dense'));
  }

  nspLogits(hidden: tf.Tensor3D): tf.Tensor2D {
    return tf.add(
      tf.matMul(this.pooled(hidden), this.p('cls.seq_relationship.output_weights')),
      this.p('cls.seq_relationship.output_bias'),
    );
  }

  /** The pretraining objective: weighted MLM cross-entropy + NSP cross-entropy. */
  pretrainLosses(inputs: BertInputs, targets: PretrainTargets, o: ForwardOptions): PretrainLosses {
    const { hidden } = this.forward(inputs, o);
    const V = this.config.vocabSize;
    const mlm = this.mlmLogits(hidden, targets.maskedPositions);
    const mlmLogp = tf.logSoftmax(mlm);
    const mlmNll = tf.neg(tf.sum(tf.mul(mlmLogp, tf.oneHot(targets.maskedIds, V)), -1)); // [N]
    const wsum = tf.add(tf.sum(targets.maskedWeights), 1e-5);
    const mlmLoss = tf.div(tf.sum(tf.mul(mlmNll, targets.maskedWeights)), wsum) as tf.Scalar;
    const nsp = this.nspLogits(hidden);
    const nspLoss = tf.neg(
      tf.mean(tf.sum(tf.mul(tf.logSoftmax(nsp), tf.oneHot(targets.nspLabels, 2)), -1)),
    ) as tf.Scalar;
    const mlmHit = tf.cast(tf.equal(tf.argMax(mlm, -1), targets.maskedIds), 'float32');
    const mlmCorrect = tf.sum(tf.mul(mlmHit, targets.maskedWeights)) as tf.Scalar;
    const nspCorrect = tf.sum(
      tf.cast(tf.equal(tf.argMax(nsp, -1), targets.nspLabels), 'float32'),
    ) as tf.Scalar;
    return { loss: tf.add(mlmLoss, nspLoss) as tf.Scalar, mlmLoss, nspLoss, mlmCorrect, nspCorrect };
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
