// A word2vec table as frozen input features (BERT §5.3's feature-based baseline, with static vectors):
// the mean of a text's word vectors for classification, each word's own vector for tagging.
import type { TaskBatch } from '../../data/tasks/encode';
import type { WordFeatures } from '../wordFeatures';
import { BertShapedEncoder, batchInputs } from './bert';
import type { TaskEncoder } from './types';

export class WordFeaturesTaskEncoder extends BertShapedEncoder<WordFeatures> implements TaskEncoder {
  readonly kind = 'word2vec' as const;

  trainableNames(): string[] {
    return []; // a constant table: only the head trains, whatever the freeze setting
  }

  forward(b: TaskBatch) {
    const inputs = batchInputs(b);
    const { hidden } = this.base.forward(inputs);
    return { sequence: hidden, pooled: this.base.pooled(hidden, inputs) };
  }
}
