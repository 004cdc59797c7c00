// A BERT encoder (pretrained or fresh) or a word2vec table (wordFeatures.ts) with a task head on top:
// classification (and pairs) on the pooled [CLS] or the mean word vector, tagging on each word's first
// WordPiece (or its vector). It decides which parameters train (fine-tune all, freeze the lowest N
// layers, or feature-based with every encoder weight frozen) and gives the logits and loss of a batch.
import * as tf from '@tensorflow/tfjs-core';
import type { FreezeSpec, TaskFamily } from '../../shared/finetune';
import type { TaskBatch } from '../data/tasks/encode';
import { type Bert, bertEncoderShapes } from './bert';
import { classifyHeadShapes, classifyLogits, softmaxLoss } from './heads/classify';
import { tagHeadShapes, tagLogits } from './heads/tag';
import type { Dropout, ParamShapes } from './layers';
import { WordFeatures } from './wordFeatures';

/** What sits below the head: a BERT encoder, or a word2vec table as frozen features. */
export type TaskEncoder = Bert | WordFeatures;

export interface StepOptions {
  training: boolean;
  seed?: number;
}

export class TaskModel {
  readonly head = new Map<string, tf.Variable>();

  constructor(
    readonly task: TaskFamily,
    readonly bert: TaskEncoder,
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
    const H = this.bert.config.hiddenSize;
    return this.task === 'tag'
      ? tagHeadShapes(H, this.labels.length)
      : classifyHeadShapes(H, this.labels.length);
  }

  /** The encoder's parameter names (no MLM/NSP head) that train under a freeze setting. */
  trainableEncoderNames(freeze: FreezeSpec): string[] {
    if (freeze === 'all' || this.bert instanceof WordFeatures) return [];
    const n = freeze === 'none' ? 0 : freeze;
    if (n > this.bert.config.numLayers)
      throw new Error(
        `--freeze ${n} is more than the ${this.bert.config.numLayers} layers of the base; use all for feature-based training.`,
      );
    return bertEncoderShapes(this.bert.config)
      .map(([name]) => name)
      .filter((name) => {
        if (name.startsWith('embeddings.')) return n === 0; // embeddings sit below layer 0
        const m = /^encoder\.layer_(\d+)\./.exec(name);
        return m ? Number(m[1]) >= n : true; // the pooler trains unless everything is frozen
      });
  }

  /** The variables the optimizer updates: the head's and the unfrozen encoder's. */
  trainable(freeze: FreezeSpec): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const n of this.trainableEncoderNames(freeze)) out.set(n, this.bert.params.get(n)!);
    for (const [n, p] of this.head) out.set(n, p);
    return out;
  }

  private dropout(o: StepOptions): Dropout {
    const rate = this.bert.config.dropout;
    return <T extends tf.Tensor>(x: T): T =>
      o.training && rate > 0 ? (tf.dropout(x, rate, undefined, (o.seed ?? 0) * 131 + 7) as T) : x;
  }

  /** Logits [B, L] (classification) or [N, L] (one row per labelled word). Call inside tf.tidy. */
  logits(b: TaskBatch, o: StepOptions & { encoderTraining: boolean }): tf.Tensor2D {
    const inputs = {
      inputIds: tf.tensor2d(b.inputIds, [b.B, b.T], 'int32'),
      segmentIds: tf.tensor2d(b.segmentIds, [b.B, b.T], 'int32'),
      attentionMask: tf.tensor2d(b.attentionMask, [b.B, b.T], 'float32'),
    };
    const { hidden } = this.bert.forward(inputs, { training: o.encoderTraining, seed: o.seed });
    if (this.task === 'tag')
      return tagLogits(this.head, hidden, tf.tensor1d(b.positions, 'int32'), this.dropout(o));
    // word2vec features: the mean of the words' vectors stands in for BERT's pooled [CLS]
    const pooled =
      this.bert instanceof WordFeatures ? this.bert.pooled(hidden, inputs) : this.bert.pooled(hidden);
    return classifyLogits(this.head, pooled, this.dropout(o));
  }

  loss(b: TaskBatch, o: StepOptions & { encoderTraining: boolean }): { loss: tf.Scalar; correct: tf.Scalar } {
    return softmaxLoss(this.logits(b, o), tf.tensor1d(b.labels, 'int32'));
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
    for (const [name, v] of this.bert.params) if (!name.startsWith('cls.')) n += v.size;
    for (const v of this.head.values()) n += v.size;
    return n;
  }

  dispose(): void {
    this.bert.dispose();
    for (const v of this.head.values()) v.dispose();
    this.head.clear();
  }
}
