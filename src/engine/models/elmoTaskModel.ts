// Feature-based use of ELMo (Peters et al. 2018 §3.3): the biLM is frozen, and a task learns only a
// scalar mix of its layers (scalarMix.ts) and a head on top: a sentence label from the mean of the
// mixed token vectors, or a label per token. Only `params` (mix + head) reach the optimizer, so the
// biLM's weights stay byte-identical. Not yet wired into the fine-tune wizard or CLI: this is the model
// a `finetune --model <elmo dir> --freeze all` will train.
import * as tf from '@tensorflow/tfjs-core';
import type { ScalarMixWeights } from '../../shared/configs';
import type { Elmo } from './elmo';
import { dense, denseShapes } from './layers';
import { scalarMix, scalarMixInit, scalarMixShapes, scalarMixWeights } from './scalarMix';

export type ElmoTask = 'classify' | 'tag';

export interface ElmoTaskExample {
  ids: number[]; // word ids, <s> … </s> included by the caller
  labels: number[]; // one (classify) or one per id (tag; -1 where no label, e.g. the boundaries)
}

export class ElmoTaskModel {
  readonly params = new Map<string, tf.Variable>(); // what trains: the mix and the head

  constructor(
    readonly elmo: Elmo,
    readonly task: ElmoTask,
    readonly numLabels: number,
    seed = 11,
  ) {
    const layers = elmo.config.numLayers + 1;
    const width = 2 * elmo.config.embedDim;
    for (const [name, shape] of [
      ...scalarMixShapes('mix', layers),
      ...denseShapes('head', width, numLabels),
    ]) {
      const value = name.startsWith('mix.')
        ? scalarMixInit(name, shape)
        : name.endsWith('.bias')
          ? tf.zeros(shape)
          : tf.randomNormal(shape, 0, 0.02, 'float32', seed++);
      this.params.set(name, tf.variable(value, true));
      value.dispose();
    }
  }

  /** The mixed vectors of same-length sequences ids [B, T]: [B, T, 2D]. Call inside tf.tidy. */
  features(ids: tf.Tensor2D): tf.Tensor3D {
    // no gradient flows into the biLM: the optimizer differentiates only `params`
    return scalarMix(this.params, 'mix', this.elmo.layers(ids));
  }

  /** Logits: classify [B, C] from the mean over tokens, tag [B, T, C]. Call inside tf.tidy. */
  logits(ids: tf.Tensor2D): tf.Tensor {
    const h = this.features(ids);
    return dense(this.params, 'head', this.task === 'classify' ? tf.mean(h, 1) : h);
  }

  /**
   * Mean cross-entropy over a batch of examples of one length (the backward LM would read padding
   * first, so batches are never padded; group examples by length).
   */
  loss(batch: readonly ElmoTaskExample[]): tf.Scalar {
    const T = batch[0].ids.length;
    if (batch.some((e) => e.ids.length !== T))
      throw new Error('An ELMo task batch holds sequences of one length; group the examples by length.');
    const ids = tf.tensor2d(
      batch.map((e) => e.ids),
      [batch.length, T],
      'int32',
    );
    const labels = batch.flatMap((e) => e.labels);
    const logits = tf.reshape(this.logits(ids), [-1, this.numLabels]) as tf.Tensor2D; // [N, C]
    const keep = labels.map((l): number => (l >= 0 ? 1 : 0));
    const onehot = tf.oneHot(
      tf.tensor1d(
        labels.map((l) => Math.max(0, l)),
        'int32',
      ),
      this.numLabels,
    );
    const nll = tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1)); // [N]
    const w = tf.tensor1d(keep, 'float32');
    return tf.div(
      tf.sum(tf.mul(nll, w)),
      Math.max(
        1,
        keep.reduce((a, b) => a + b, 0),
      ),
    ) as tf.Scalar;
  }

  mixWeights(): ScalarMixWeights {
    return scalarMixWeights(this.params, 'mix');
  }

  /** Frees the mix and the head; the biLM belongs to the caller. */
  dispose(): void {
    for (const p of this.params.values()) p.dispose();
    this.params.clear();
  }
}
