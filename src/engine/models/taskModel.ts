// A task head on an encoder (taskEncoders/: BERT, word2vec features, ELMo under a scalar mix, GPT):
// classification (and pairs) on the encoder's pooled vector, tagging on each word's vector. It decides
// which parameters train (the encoder's under a freeze setting, its task parameters such as a scalar
// mix, and the head) and gives the logits and loss of a batch (plus the encoder's auxiliary loss).
import * as tf from '@tensorflow/tfjs-core';
import type { FreezeSpec, TaskFamily } from '../../shared/finetune';
import type { TaskBatch } from '../data/tasks/encode';
import { classifyHeadShapes, classifyLogits, softmaxLoss } from './heads/classify';
import { tagHeadShapes, tagLogits } from './heads/tag';
import type { Dropout, ParamShapes } from './layers';
import type { MixWeights, TaskEncoder } from './taskEncoders/types';

export type { TaskEncoder } from './taskEncoders/types';

export interface StepOptions {
  training: boolean;
  seed?: number;
}

export class TaskModel {
  readonly head = new Map<string, tf.Variable>();

  constructor(
    readonly task: TaskFamily,
    readonly encoder: TaskEncoder,
    readonly labels: readonly string[],
    init: { seed?: number; head?: Map<string, tf.Tensor> } = {},
  ) {
    let seed = init.seed ?? 7;
    for (const [name, shape] of this.headShapes()) {
      const given = init.head?.get(name);
      if (given && given.shape.join(',') !== shape.join(','))
        throw new Error(
          `Head weight ${name} has shape [${given.shape}] but ${labels.length} labels need [${shape}].`,
        );
      const value =
        given ??
        (name.endsWith('bias') ? tf.zeros(shape) : tf.truncatedNormal(shape, 0, 0.02, 'float32', seed++));
      this.head.set(name, tf.variable(value, true));
      if (!given) value.dispose();
    }
  }

  headShapes(): ParamShapes {
    const n = this.labels.length;
    return this.task === 'tag'
      ? tagHeadShapes(this.encoder.featureSize, n)
      : classifyHeadShapes(this.encoder.pooledSize(this.task), n);
  }

  /** The encoder's parameter names that train under a freeze setting. */
  trainableEncoderNames(freeze: FreezeSpec): string[] {
    return this.encoder.trainableNames(freeze);
  }

  /** The variables the optimizer updates: the unfrozen encoder's, its task parameters, the head's. */
  trainable(freeze: FreezeSpec): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const n of this.trainableEncoderNames(freeze)) out.set(n, this.encoder.params.get(n)!);
    for (const [n, p] of this.encoder.taskParams) out.set(n, p);
    for (const [n, p] of this.head) out.set(n, p);
    return out;
  }

  /** What a fine-tuned folder keeps besides the encoder: the head and the encoder's task parameters. */
  ownWeights(): Map<string, tf.Variable> {
    return new Map([...this.encoder.taskParams, ...this.head]);
  }

  mix(): MixWeights | undefined {
    return this.encoder.mix?.();
  }

  private dropout(o: StepOptions): Dropout {
    const rate = this.encoder.dropoutRate;
    return <T extends tf.Tensor>(x: T): T =>
      o.training && rate > 0 ? (tf.dropout(x, rate, undefined, (o.seed ?? 0) * 131 + 7) as T) : x;
  }

  private run(b: TaskBatch, o: StepOptions & { encoderTraining: boolean }) {
    const out = this.encoder.forward(b, this.task, o);
    const logits =
      this.task === 'tag'
        ? tagLogits(this.head, out.sequence, tf.tensor1d(b.positions, 'int32'), this.dropout(o))
        : classifyLogits(this.head, out.pooled, this.dropout(o));
    return { logits, aux: out.aux };
  }

  /** Logits [B, L] (classification) or [N, L] (one row per labelled word). Call inside tf.tidy. */
  logits(b: TaskBatch, o: StepOptions & { encoderTraining: boolean }): tf.Tensor2D {
    return this.run(b, o).logits;
  }

  /** The task's cross-entropy, plus the encoder's weighted auxiliary loss while training (GPT's λ·LM). */
  loss(b: TaskBatch, o: StepOptions & { encoderTraining: boolean }): { loss: tf.Scalar; correct: tf.Scalar } {
    const r = this.run(b, o);
    const l = softmaxLoss(r.logits, tf.tensor1d(b.labels, 'int32'));
    return r.aux ? { loss: tf.add(l.loss, r.aux) as tf.Scalar, correct: l.correct } : l;
  }

  /** Probabilities per row, as plain arrays. */
  async probabilities(b: TaskBatch): Promise<Float32Array[]> {
    const p = tf.tidy(() => tf.softmax(this.logits(b, { training: false, encoderTraining: false })));
    const data = (await p.data()) as Float32Array;
    const [N, L] = p.shape;
    p.dispose();
    return Array.from({ length: N }, (_, i) => data.slice(i * L, (i + 1) * L));
  }

  get parameterCount(): number {
    let n = 0;
    for (const [name, v] of this.encoder.params) if (!name.startsWith('cls.')) n += v.size;
    for (const v of this.ownWeights().values()) n += v.size;
    return n;
  }

  dispose(): void {
    this.encoder.dispose();
    for (const v of this.head.values()) v.dispose();
    this.head.clear();
  }
}
