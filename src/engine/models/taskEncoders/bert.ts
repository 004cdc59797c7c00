// A BERT encoder below a task head (BERT §4): [CLS] A [SEP] (B [SEP]) in WordPieces, the pooled final
// [CLS] for classification and pairs, each word's first WordPiece for tagging. Fine-tune every layer,
// freeze the lowest N (and the embeddings), or freeze all (feature-based).
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../../shared/configs';
import type { FreezeSpec } from '../../../shared/finetune';
import { l10n } from '../../../shared/l10nCore';
import { encodeText, encodeWords, type TaskBatch } from '../../data/tasks/encode';
import type { WordPieceTokenizer } from '../../tokenizer/wordpiece';
import { type Bert, bertEncoderShapes } from '../bert';
import { frozenLayers, type TaskEncoder, type TaskTokenizer } from './types';

/** The WordPiece side of a BERT or word2vec base. */
export function wordPieceTaskTokenizer(tok: WordPieceTokenizer): TaskTokenizer {
  return {
    unit: 'WordPieces',
    encodeText: (text, textB, maxLen) => encodeText(tok, text, textB, maxLen),
    encodeWords: (words, maxLen) => encodeWords(tok, words, maxLen),
    words: (text) => tok.basic.tokenizeWithSpans(text),
  };
}

export function batchInputs(b: TaskBatch) {
  return {
    inputIds: tf.tensor2d(b.inputIds, [b.B, b.T], 'int32'),
    segmentIds: tf.tensor2d(b.segmentIds, [b.B, b.T], 'int32'),
    attentionMask: tf.tensor2d(b.attentionMask, [b.B, b.T], 'float32'),
  };
}

/** What a BERT-shaped base (a BERT, or word2vec features in BERT's terms) gives an encoder. */
export abstract class BertShapedEncoder<
  M extends { config: BertConfig; params: Map<string, tf.Variable>; dispose(): void },
> {
  readonly taskParams = new Map<string, tf.Variable>();

  constructor(readonly base: M) {}

  get config() {
    return this.base.config;
  }
  get params() {
    return this.base.params;
  }
  get featureSize() {
    return this.base.config.hiddenSize;
  }
  get dropoutRate() {
    return this.base.config.dropout;
  }
  get maxLength() {
    return this.base.config.maxPositions;
  }
  pooledSize() {
    return this.base.config.hiddenSize;
  }
  dispose(): void {
    this.base.dispose();
  }
}

export class BertTaskEncoder extends BertShapedEncoder<Bert> implements TaskEncoder {
  readonly kind = 'bert' as const;

  trainableNames(freeze: FreezeSpec): string[] {
    if (freeze === 'all') return [];
    const n = frozenLayers(freeze, this.config.numLayers, (k) =>
      l10n.t(
        '--freeze {0} is more than the {1} layers of the base; use all for feature-based training.',
        k,
        this.config.numLayers,
      ),
    );
    return bertEncoderShapes(this.config)
      .map(([name]) => name)
      .filter((name) => {
        if (name.startsWith('embeddings.')) return n === 0; // embeddings sit below layer 0
        const m = /^encoder\.layer_(\d+)\./.exec(name);
        return m ? Number(m[1]) >= n : true; // the pooler trains unless everything is frozen
      });
  }

  forward(b: TaskBatch, _task: unknown, o: { encoderTraining: boolean; seed?: number }) {
    const { hidden } = this.base.forward(batchInputs(b), { training: o.encoderTraining, seed: o.seed });
    return { sequence: hidden, pooled: this.base.pooled(hidden) };
  }
}
