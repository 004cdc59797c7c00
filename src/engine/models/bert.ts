// BERT (Devlin et al. 2019): token + position + segment embeddings and a post-LayerNorm Transformer
// encoder with GELU (the blocks of layers.ts), the pooled [CLS] output, then the heads in heads/: the
// masked-LM head tied to the token embedding and the next-sentence head on the pooled output.
// Parameters carry the names of the original TensorFlow checkpoint, with '.' for '/'.
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../shared/configs';
import { mlmHeadShapes, mlmLogits, mlmLoss } from './heads/mlm';
import { nspHeadShapes, nspLogits, nspLoss } from './heads/nsp';
import {
  activationFn,
  type BlockNames,
  blockShapes,
  type Dropout,
  dense,
  denseShapes,
  layerNorm,
  layerNormShapes,
  type ParamShapes,
  paddingBias,
  param,
  transformerBlock,
} from './layers';
import { checkSizes, countParams, dropoutSite, initParams } from './params';

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
  checkSizes(c, 'BERT', [
    'vocabSize',
    'hiddenSize',
    'numLayers',
    'numHeads',
    'intermediateSize',
    'maxPositions',
    'typeVocabSize',
  ]);
  if (c.hiddenAct !== undefined && !['gelu', 'gelu_new', 'relu'].includes(c.hiddenAct))
    throw new Error(`BERT config: hiddenAct must be gelu, gelu_new or relu, got ${c.hiddenAct}.`);
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new Error(`BERT config: dropout must be in [0, 1), got ${c.dropout}.`);
}

/** Names of the parameters of encoder block l, as in the TF checkpoint. */
export function bertBlockNames(l: number): BlockNames {
  const p = `encoder.layer_${l}.`;
  return {
    attention: {
      query: `${p}attention.self.query`,
      key: `${p}attention.self.key`,
      value: `${p}attention.self.value`,
      output: `${p}attention.output.dense`,
    },
    attentionNorm: `${p}attention.output.LayerNorm`,
    ffn: { inner: `${p}intermediate.dense`, output: `${p}output.dense` },
    ffnNorm: `${p}output.LayerNorm`,
  };
}

/** Shapes of the encoder's parameters (embeddings, blocks, pooler), by name, in stored order. */
export function bertEncoderShapes(c: BertConfig): ParamShapes {
  const H = c.hiddenSize;
  const s: ParamShapes = [
    ['embeddings.word_embeddings', [c.vocabSize, H]],
    ['embeddings.position_embeddings', [c.maxPositions, H]],
    ['embeddings.token_type_embeddings', [c.typeVocabSize, H]],
    ...layerNormShapes('embeddings.LayerNorm', H),
  ];
  for (let l = 0; l < c.numLayers; l++) s.push(...blockShapes(bertBlockNames(l), H, c.intermediateSize));
  s.push(...denseShapes('pooler.dense', H, H));
  return s;
}

/** Shapes of every parameter, by name, in a fixed order (the order weights are stored in). */
export function bertParamShapes(c: BertConfig): ParamShapes {
  return [
    ...bertEncoderShapes(c),
    ...mlmHeadShapes(c.hiddenSize, c.vocabSize),
    ...nspHeadShapes(c.hiddenSize),
  ];
}

/** Biases and LayerNorm parameters get no weight decay (BERT's AdamWeightDecayOptimizer). */
export function decays(name: string): boolean {
  return !(name.endsWith('bias') || name.includes('LayerNorm'));
}

export class Bert {
  readonly config: BertConfig;
  readonly params: Map<string, tf.Variable>;

  /** Random weights (truncated normal, std initializerRange), or the given tensors by name. */
  constructor(config: BertConfig, init: { seed?: number; weights?: Map<string, tf.Tensor> } = {}) {
    validateBertConfig(config);
    this.config = config;
    let seed = init.seed ?? 1234;
    this.params = initParams(bertParamShapes(config), init.weights, (_name, shape) =>
      tf.truncatedNormal(shape, 0, config.initializerRange, 'float32', seed++),
    );
  }

  get parameterCount(): number {
    return countParams(this.params);
  }

  private dropout(o: ForwardOptions, salt: number): Dropout {
    return dropoutSite(this.config.dropout, o, salt);
  }

  /** The encoder. Call inside tf.tidy (or dispose the outputs). */
  forward(inputs: BertInputs, o: ForwardOptions = {}): BertOutputs {
    const c = this.config;
    const params = this.params;
    const [B, T] = inputs.inputIds.shape;
    if (T > c.maxPositions)
      throw new Error(`The input has ${T} tokens; this model accepts at most ${c.maxPositions}.`);
    const H = c.hiddenSize;
    const positions = tf.tile(tf.range(0, T, 1, 'int32'), [B]); // [B*T]
    const embedded = tf.add(
      tf.add(
        tf.gather(param(params, 'embeddings.word_embeddings'), tf.reshape(inputs.inputIds, [B * T])),
        tf.gather(param(params, 'embeddings.position_embeddings'), positions),
      ),
      tf.gather(param(params, 'embeddings.token_type_embeddings'), tf.reshape(inputs.segmentIds, [B * T])),
    ); // [B*T, H]
    const normed = layerNorm(params, 'embeddings.LayerNorm', embedded, c.layerNormEps);
    let x = tf.reshape(this.dropout(o, 1)(normed), [B, T, H]) as tf.Tensor3D; // [B, T, H]
    const bias = paddingBias(inputs.attentionMask); // [B, 1, 1, T], shared by every layer
    const attentions: tf.Tensor4D[] = [];
    const layers: tf.Tensor3D[] = [];
    if (o.returnLayers) layers.push(x);
    for (let l = 0; l < c.numLayers; l++) {
      const r = transformerBlock(params, bertBlockNames(l), x, {
        numHeads: c.numHeads,
        norm: 'post',
        layerNormEps: c.layerNormEps,
        activation: activationFn(c.hiddenAct),
        paddingBias: bias,
        returnProbs: o.returnAttention,
        dropout: {
          probs: this.dropout(o, 10 + l),
          attention: this.dropout(o, 100 + l),
          ffn: this.dropout(o, 1000 + l),
        },
      });
      x = r.out;
      if (r.probs) attentions.push(r.probs);
      if (o.returnLayers) layers.push(x);
    }
    const out: BertOutputs = { hidden: x };
    if (o.returnAttention) out.attentions = attentions;
    if (o.returnLayers) out.layers = layers;
    return out;
  }

  /** The pooled [CLS] representation (BERT's pooler, part of the encoder), [B, H]. */
  pooled(hidden: tf.Tensor3D): tf.Tensor2D {
    const [B, , H] = hidden.shape;
    const cls = tf.reshape(tf.slice(hidden, [0, 0, 0], [B, 1, H]), [B, H]) as tf.Tensor2D; // [B, H]
    return tf.tanh(dense(this.params, 'pooler.dense', cls));
  }

  /** MLM logits only at the given flat positions: [N, V]. */
  mlmLogits(hidden: tf.Tensor3D, flatPositions: tf.Tensor1D): tf.Tensor2D {
    return mlmLogits(
      this.params,
      hidden,
      flatPositions,
      this.config.layerNormEps,
      activationFn(this.config.hiddenAct),
    );
  }

  /** Next-sentence logits, [B, 2]. */
  nspLogits(hidden: tf.Tensor3D): tf.Tensor2D {
    return nspLogits(this.params, this.pooled(hidden));
  }

  /** The pretraining objective: weighted MLM cross-entropy + NSP cross-entropy. */
  pretrainLosses(inputs: BertInputs, targets: PretrainTargets, o: ForwardOptions): PretrainLosses {
    const { hidden } = this.forward(inputs, o);
    const mlm = mlmLoss(
      this.mlmLogits(hidden, targets.maskedPositions),
      targets.maskedIds,
      targets.maskedWeights,
    );
    const nsp = nspLoss(this.nspLogits(hidden), targets.nspLabels);
    return {
      loss: tf.add(mlm.loss, nsp.loss) as tf.Scalar,
      mlmLoss: mlm.loss,
      nspLoss: nsp.loss,
      mlmCorrect: mlm.correct,
      nspCorrect: nsp.correct,
    };
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    this.params.clear();
  }
}
