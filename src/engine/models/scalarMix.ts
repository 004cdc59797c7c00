// The scalar mix of ELMo (Peters et al. 2018, eq. 1): a task's representation of token k is
//   ELMo_k = γ · Σ_j s_j · h_{k,j},   s = softmax(w)
// over the biLM's layers j = 0 … L, with w (one scalar per layer) and γ learned by the task while the
// biLM stays frozen. Softmax keeps the weights positive and summing to 1; γ rescales the whole vector
// to what the task head expects. Parameters for a mix `p` over L + 1 layers:
//   p.scalars [L + 1] (0 at start: an even mix), p.gamma [1] (1 at start).
// AllenNLP's ScalarMix can also layer-normalise each layer first; the paper found it helps some
// tasks, but it is left out here until a task needs it.
import * as tf from '@tensorflow/tfjs-core';
import type { ScalarMixWeights } from '../../shared/configs';
import { type ParamShapes, type ParamSource, param } from './layers';

export function scalarMixShapes(prefix: string, layers: number): ParamShapes {
  return [
    [`${prefix}.scalars`, [layers]],
    [`${prefix}.gamma`, [1]],
  ];
}

export function scalarMixInit(name: string, shape: number[]): tf.Tensor {
  return name.endsWith('.gamma') ? tf.ones(shape) : tf.zeros(shape);
}

/** γ · Σ_j softmax(w)_j · layers[j]; every layer has the same shape [..., D]. Call inside tf.tidy. */
export function scalarMix<T extends tf.Tensor>(params: ParamSource, prefix: string, layers: T[]): T {
  const w = param(params, `${prefix}.scalars`) as tf.Tensor1D; // [L + 1]
  if (w.shape[0] !== layers.length)
    throw new Error(
      `The scalar mix ${prefix} has ${w.shape[0]} weights but was given ${layers.length} layers.`,
    );
  const s = tf.unstack(tf.softmax(w)); // L + 1 scalars
  const sum = tf.addN(layers.map((h, j) => tf.mul(h, s[j])));
  return tf.mul(sum, param(params, `${prefix}.gamma`)) as T;
}

/** The mix as a person reads it: the softmax weights (summing to 1) and γ. */
export function scalarMixWeights(params: ParamSource, prefix: string): ScalarMixWeights {
  const weights = tf.tidy(() => tf.softmax(param(params, `${prefix}.scalars`) as tf.Tensor1D).dataSync());
  const gamma = param(params, `${prefix}.gamma`).dataSync()[0];
  return { weights: Array.from(weights), gamma };
}
