// Parameter plumbing the Transformer models (bert.ts, gpt.ts) share: the size checks of a config,
// variables made from given weights or a fresh initialisation, their count, and dropout sites whose
// masks follow from the step's seed.
import * as tf from '@tensorflow/tfjs-core';
import type { Dropout, ParamShapes } from './layers';

/** Sizes that must be positive integers, and a hidden size the heads divide; `family` names the config. */
export function checkSizes<C extends { hiddenSize: number; numHeads: number }>(
  c: C,
  family: string,
  sizes: readonly (keyof C & string)[],
): void {
  for (const k of sizes) {
    const v = c[k];
    if (!Number.isInteger(v) || (v as number) <= 0)
      throw new Error(`${family} config: ${k} must be a positive integer, got ${v}.`);
  }
  if (c.hiddenSize % c.numHeads !== 0)
    throw new Error(
      `${family} config: hiddenSize ${c.hiddenSize} must be divisible by numHeads ${c.numHeads}.`,
    );
}

/**
 * One variable per parameter, in `shapes` order: the given tensor (its shape checked), else LayerNorm
 * gamma 1, beta and biases 0, and `random(name, shape)` for the rest.
 */
export function initParams(
  shapes: ParamShapes,
  weights: Map<string, tf.Tensor> | undefined,
  random: (name: string, shape: number[]) => tf.Tensor,
): Map<string, tf.Variable> {
  const params = new Map<string, tf.Variable>();
  for (const [name, shape] of shapes) {
    const given = weights?.get(name);
    let value: tf.Tensor;
    if (given) {
      if (given.shape.join(',') !== shape.join(','))
        throw new Error(`Weight ${name} has shape [${given.shape}] but the config needs [${shape}].`);
      value = given;
    } else if (name.endsWith('gamma')) value = tf.ones(shape);
    else if (name.endsWith('beta') || name.endsWith('bias')) value = tf.zeros(shape);
    else value = random(name, shape);
    // unnamed: tfjs variable names are global, and several models may be loaded at once
    params.set(name, tf.variable(value, true));
    if (!given) value.dispose();
  }
  return params;
}

export function countParams(params: Map<string, tf.Variable>): number {
  let n = 0;
  for (const v of params.values()) n += v.size;
  return n;
}

/** Dropout at one site; `salt` tells the sites apart, so each step's masks follow from its seed. */
export function dropoutSite(rate: number, o: { training?: boolean; seed?: number }, salt: number): Dropout {
  return <T extends tf.Tensor>(x: T): T => {
    if (!o.training || rate === 0) return x;
    return tf.dropout(x, rate, undefined, (o.seed ?? 0) * 131 + salt) as T;
  };
}
