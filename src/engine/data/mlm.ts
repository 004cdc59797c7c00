// Masked-LM selection (Devlin et al. 2019, §3.1 Task #1): choose 15% of the tokens, never [CLS]/[SEP]/
// [PAD]; of the chosen, 80% become [MASK], 10% a random token, 10% stay as they are. With whole-word
// masking all WordPieces of a word are chosen together.
import type { MaskTreatment } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import type { Rng } from '../random';
import type { Vocab } from '../tokenizer/vocab';

export interface MaskOptions {
  maskProb: number;
  maxPredictions: number;
  wholeWordMask: boolean;
}

export interface MaskedSequence {
  inputIds: number[];
  positions: number[]; // ascending
  labels: number[]; // the original ids at those positions
  treatments: MaskTreatment[];
}

export class Masker {
  private readonly randomPool: Int32Array;
  constructor(
    private readonly vocab: Vocab,
    private readonly opts: MaskOptions,
  ) {
    const pool: number[] = [];
    for (let i = 0; i < vocab.size; i++) if (!vocab.specialIds.has(i)) pool.push(i);
    if (pool.length === 0)
      throw new Error(l10n.t('The vocabulary has no ordinary tokens to use as random replacements.'));
    this.randomPool = Int32Array.from(pool);
  }

  mask(ids: readonly number[], rng: Rng): MaskedSequence {
    return this.maskSpans(ids, [[0, ids.length]], rng);
  }

  /**
   * The same choice made in each segment (each run of tokens between [CLS]/[SEP]) on its own: 15% of
   * each, at least one token. With --sentence-pairs every sentence then has its prediction; chosen over
   * the pair, nearly half of the pairs leave one sentence unmasked and mask two tokens of the other,
   * and a tiny BERT stays at chance on a corpus of short facts (docs/benchmarks.md, issue 11).
   */
  maskEachSegment(ids: readonly number[], rng: Rng): MaskedSequence {
    const spans: [number, number][] = [];
    let start = 0;
    for (let i = 0; i <= ids.length; i++) {
      if (i < ids.length && !this.vocab.specialIds.has(ids[i])) continue;
      if (i > start) spans.push([start, i]);
      start = i + 1;
    }
    return this.maskSpans(ids, spans, rng);
  }

  private maskSpans(ids: readonly number[], spans: readonly [number, number][], rng: Rng): MaskedSequence {
    const inputIds = ids.slice();
    const chosen: { pos: number; treatment: MaskTreatment }[] = [];
    for (const [from, to] of spans) {
      const budget = this.opts.maxPredictions - chosen.length;
      if (budget <= 0) break;
      this.chooseIn(ids, from, to, budget, inputIds, chosen, rng);
    }
    chosen.sort((a, b) => a.pos - b.pos);
    return {
      inputIds,
      positions: chosen.map((c) => c.pos),
      labels: chosen.map((c) => ids[c.pos]),
      treatments: chosen.map((c) => c.treatment),
    };
  }

  private chooseIn(
    ids: readonly number[],
    from: number,
    to: number,
    budget: number,
    inputIds: number[],
    chosen: { pos: number; treatment: MaskTreatment }[],
    rng: Rng,
  ): void {
    const groups: number[][] = [];
    for (let i = from; i < to; i++) {
      if (this.vocab.specialIds.has(ids[i])) continue;
      const isContinuation = this.vocab.token(ids[i]).startsWith('##');
      if (
        this.opts.wholeWordMask &&
        isContinuation &&
        groups.length > 0 &&
        groups[groups.length - 1].at(-1) === i - 1
      ) {
        groups[groups.length - 1].push(i);
      } else groups.push([i]);
    }
    if (groups.length === 0) return;
    rng.shuffle(groups);
    // 15% of the maskable tokens (BERT's script counts [CLS] and [SEP] too, which gives slightly less).
    let candidates = 0;
    for (const g of groups) candidates += g.length;
    const numToPredict = Math.min(budget, Math.max(1, Math.round(candidates * this.opts.maskProb)));
    let n = 0;
    for (const g of groups) {
      if (n >= numToPredict) break;
      if (n + g.length > numToPredict) continue;
      for (const pos of g) {
        let treatment: MaskTreatment;
        const r = rng.next();
        if (r < 0.8) {
          treatment = 'mask';
          inputIds[pos] = this.vocab.maskId;
        } else if (r < 0.9) {
          treatment = 'keep';
        } else {
          treatment = 'random';
          inputIds[pos] = this.randomPool[Math.floor(rng.next() * this.randomPool.length)];
        }
        chosen.push({ pos, treatment });
        n++;
      }
    }
  }
}
