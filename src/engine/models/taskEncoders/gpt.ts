// GPT below a task head (Radford et al. 2018 §3.3). Input transformation: <start> text <extract> for a
// text, <start> A <delim> B <extract> for a pair; the head reads the final hidden state at <extract>.
// A pair is read in BOTH orders (A then B, and B then A) and the two final states are added
// elementwise before the head, as the paper does for similarity. The three special tokens get NEW
// embedding rows appended after the pretrained vocabulary (drawn from a fixed seed, so a frozen run
// finds the same rows again); no pretrained row is reused. They train with the embeddings (freeze
// none) and stay at their drawn values when the embeddings are frozen. The auxiliary LM loss (§3.2,
// L3 = L2 + λ·L1) is the next-token cross-entropy of the text in the first order, special tokens and
// padding left out. Tagging is refused: a left-to-right model labels a word without its right context.
import * as tf from '@tensorflow/tfjs-core';
import type { GptConfig } from '../../../shared/configs';
import type { FreezeSpec, TaskFamily } from '../../../shared/finetune';
import { l10n } from '../../../shared/l10nCore';
import type { EncodedExample, TaskBatch } from '../../data/tasks/encode';
import type { BpeTokenizer } from '../../tokenizer/bpe';
import { Gpt, gptParamShapes, POSITION_EMBEDDING, TOKEN_EMBEDDING } from '../gpt';
import { lmLogits } from '../heads/lm';
import { FreezeError, frozenLayers, type TaskEncoder, type TaskTokenizer } from './types';

export const GPT_SPECIALS = ['<|start|>', '<|delim|>', '<|extract|>'] as const;
const SPECIAL_SEED = 20180611;

const GPT_TAG_REFUSAL =
  'A GPT base reads only the words to the left, so it does not tag words here; use a BERT or ELMo base for tagging.';

/** Why a GPT base does not tag, in the user's language. */
export const gptTagRefusal = (): string => l10n.t(GPT_TAG_REFUSAL);

/** Ids of the special tokens after a vocabulary of V: start V, delim V + 1, extract V + 2. */
export function gptTaskTokenizer(tok: BpeTokenizer): TaskTokenizer {
  const V = tok.size;
  const [start, delim, extract] = [V, V + 1, V + 2];
  return {
    unit: 'tokens',
    encodeText(text, textB, maxLen): EncodedExample {
      const a = tok.encodeIds(text);
      const b = textB === undefined ? undefined : tok.encodeIds(textB);
      let cut = 0;
      while (a.length + (b?.length ?? 0) > maxLen - (b ? 3 : 2)) {
        if (b && b.length > a.length) b.pop();
        else a.pop();
        cut++;
      }
      if (!b) return { ids: [start, ...a, extract], segments: new Array(a.length + 2).fill(0), cut };
      const ids = [start, ...a, delim, ...b, extract];
      return { ids, alt: [start, ...b, delim, ...a, extract], segments: new Array(ids.length).fill(0), cut };
    },
    encodeWords() {
      throw new FreezeError(gptTagRefusal());
    },
    words() {
      throw new FreezeError(gptTagRefusal());
    },
  };
}

/** The pretrained weights with the special tokens' rows appended to the token embedding. */
function withSpecialRows(c: GptConfig, weights: Map<string, tf.Tensor>): Map<string, tf.Tensor> {
  const wte = weights.get(TOKEN_EMBEDDING)!;
  if (wte.shape[0] === c.vocabSize + GPT_SPECIALS.length) return weights; // a saved fine-tuned GPT
  const rows = tf.randomNormal(
    [GPT_SPECIALS.length, c.hiddenSize],
    0,
    c.initializerRange,
    'float32',
    SPECIAL_SEED,
  );
  const out = new Map(weights);
  out.set(TOKEN_EMBEDDING, tf.concat([wte, rows], 0));
  rows.dispose();
  return out;
}

export class GptTaskEncoder implements TaskEncoder {
  readonly kind = 'gpt' as const;
  readonly taskParams = new Map<string, tf.Variable>();
  readonly base: Gpt;

  /** `config` is the pretrained GPT's (vocabSize without the special tokens); λ weights the LM loss. */
  constructor(
    readonly config: GptConfig,
    weights: Map<string, tf.Tensor> | { seed: number },
    readonly lmWeight: number,
  ) {
    const big = { ...config, vocabSize: config.vocabSize + GPT_SPECIALS.length };
    if (weights instanceof Map) {
      const w = withSpecialRows(config, weights);
      this.base = new Gpt(big, { weights: w });
      if (w !== weights) w.get(TOKEN_EMBEDDING)!.dispose();
    } else this.base = new Gpt(big, { seed: weights.seed });
  }

  get params() {
    return this.base.params;
  }
  get featureSize() {
    return this.config.hiddenSize;
  }
  get dropoutRate() {
    return this.config.dropout;
  }
  get maxLength() {
    return this.config.maxPositions;
  }
  pooledSize() {
    return this.config.hiddenSize;
  }

  trainableNames(freeze: FreezeSpec): string[] {
    if (freeze === 'all') return [];
    const n = frozenLayers(freeze, this.config.numLayers, (k) =>
      l10n.t(
        '--freeze {0} is more than the {1} blocks of the GPT; use all for feature-based training.',
        k,
        this.config.numLayers,
      ),
    );
    return gptParamShapes(this.base.config)
      .map(([name]) => name)
      .filter((name) => {
        if (name === TOKEN_EMBEDDING || name === POSITION_EMBEDDING) return n === 0;
        const m = /^h\.(\d+)\./.exec(name);
        return m ? Number(m[1]) >= n : true; // ln_f trains unless everything is frozen
      });
  }

  /** The final hidden state at each example's last id (<extract>): [B, C]. */
  private extract(hidden: tf.Tensor3D, b: TaskBatch): tf.Tensor2D {
    const [B, T, C] = hidden.shape;
    const at = tf.tensor1d(
      Array.from(b.lengths, (n, i) => i * T + n - 1),
      'int32',
    );
    return tf.gather(tf.reshape(hidden, [B * T, C]), at) as tf.Tensor2D;
  }

  forward(
    b: TaskBatch,
    _task: TaskFamily,
    o: { training: boolean; encoderTraining: boolean; seed?: number },
  ) {
    const run = { training: o.encoderTraining, seed: o.seed };
    const ids = tf.tensor2d(b.inputIds, [b.B, b.T], 'int32');
    const hidden = this.base.forward(ids, run).hidden; // causal: padding after an example changes nothing in it
    let pooled = this.extract(hidden, b);
    if (b.altIds) {
      const alt = this.base.forward(tf.tensor2d(b.altIds, [b.B, b.T], 'int32'), run).hidden;
      pooled = tf.add(pooled, this.extract(alt, b)); // both orders, added elementwise
    }
    const out: { sequence: tf.Tensor3D; pooled: tf.Tensor2D; aux?: tf.Scalar } = { sequence: hidden, pooled };
    if (o.training && this.lmWeight > 0) out.aux = tf.mul(this.lmLoss(hidden, b), this.lmWeight) as tf.Scalar;
    return out;
  }

  /** Mean next-token cross-entropy over the text's tokens (targets that are special or padding left out). */
  lmLoss(hidden: tf.Tensor3D, b: TaskBatch): tf.Scalar {
    const [B, T] = [b.B, b.T];
    const V = this.config.vocabSize;
    const targets = new Int32Array(B * T);
    const keep = new Float32Array(B * T);
    for (let i = 0; i < B; i++)
      for (let t = 0; t + 1 < b.lengths[i]; t++) {
        const next = b.inputIds[i * T + t + 1];
        targets[i * T + t] = next;
        keep[i * T + t] = next < V ? 1 : 0;
      }
    const logits = lmLogits(this.base.params, TOKEN_EMBEDDING, hidden); // [B, T, V + 3]
    const logp = tf.logSoftmax(tf.reshape(logits, [B * T, -1]));
    const picked = tf.sum(
      tf.mul(logp, tf.oneHot(tf.tensor1d(targets, 'int32'), V + GPT_SPECIALS.length)),
      -1,
    );
    const n = keep.reduce((s, x) => s + x, 0);
    return tf.div(tf.neg(tf.sum(tf.mul(picked, tf.tensor1d(keep)))), Math.max(1, n)) as tf.Scalar;
  }

  dispose(): void {
    this.base.dispose();
  }
}
