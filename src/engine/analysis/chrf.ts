// chrF (Popović 2015) as sacreBLEU 2.x computes it by default (`CHRF()`): character n-grams of orders
// 1–6, no word n-grams, β = 2, whitespace removed before counting, no lower-casing, and the "effective
// order" average (only orders both sides have). Corpus chrF sums each sentence's [hyp, ref, match]
// counts over the corpus, then computes one F-score. Characters are code points, as Python counts
// them, so Chinese and astral characters count once. Scores are 0–100.

export interface ChrfOptions {
  charOrder?: number; // 6
  beta?: number; // 2
  whitespace?: boolean; // false: whitespace is removed before counting
  epsSmoothing?: boolean; // false: the effective-order average (sacreBLEU ≥ 2.0's default)
}

function charNgrams(line: string, order: number, whitespace: boolean): Map<string, number>[] {
  const chars = Array.from(whitespace ? line : line.split(/\s+/).join(''));
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= order; n++) {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= chars.length; i++) {
      const g = chars.slice(i, i + n).join('');
      m.set(g, (m.get(g) ?? 0) + 1);
    }
    out.push(m);
  }
  return out;
}

/** [hyp n-grams, ref n-grams, matches] per order, flattened; a hypothesis order counts only when the reference has that order. */
function statistics(hyp: Map<string, number>[], ref: Map<string, number>[]): number[] {
  const s: number[] = [];
  hyp.forEach((h, i) => {
    const r = ref[i];
    let hypCount = 0;
    let match = 0;
    for (const [g, c] of h) {
      hypCount += c;
      match += Math.min(c, r.get(g) ?? 0);
    }
    let refCount = 0;
    for (const c of r.values()) refCount += c;
    s.push(r.size ? hypCount : 0, refCount, match);
  });
  return s;
}

function fScore(stats: readonly number[], order: number, beta: number, eps: boolean): number {
  const tiny = 1e-16;
  const factor = beta * beta;
  let score = 0;
  let effective = 0;
  let prec = 0;
  let rec = 0;
  for (let i = 0; i < order; i++) {
    const [nHyp, nRef, nMatch] = stats.slice(3 * i, 3 * i + 3);
    const p = nHyp > 0 ? nMatch / nHyp : tiny;
    const r = nRef > 0 ? nMatch / nRef : tiny;
    const denom = factor * p + r;
    score += denom > 0 ? ((1 + factor) * p * r) / denom : tiny;
    if (nHyp > 0 && nRef > 0) {
      prec += p;
      rec += r;
      effective++;
    }
  }
  if (eps) return (100 * score) / order;
  if (effective === 0) return 0;
  prec /= effective;
  rec /= effective;
  return prec + rec ? (100 * (1 + factor) * prec * rec) / (factor * prec + rec) : 0;
}

/**
 * Corpus chrF of hypotheses against reference streams (`refs[k][i]` is reference k of sentence i), as
 * `sacrebleu.corpus_chrf(hyps, refs)`: with several references, each sentence keeps the statistics of
 * the reference it scores best against. An empty output scores 0.
 */
export function corpusChrf(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  o: ChrfOptions = {},
): number {
  const order = o.charOrder ?? 6;
  const beta = o.beta ?? 2;
  const ws = o.whitespace ?? false;
  const eps = o.epsSmoothing ?? false;
  for (const r of refs)
    if (r.length !== hyps.length)
      throw new Error(
        `chrF got ${hyps.length} outputs but ${r.length} references; give one reference per output.`,
      );
  const total = new Array<number>(3 * order).fill(0);
  hyps.forEach((h, i) => {
    const hg = charNgrams(h, order, ws);
    let best: number[] = [];
    let bestF = -1;
    for (const r of refs) {
      const s = statistics(hg, charNgrams(r[i], order, ws));
      const f = fScore(s, order, beta, eps);
      if (f > bestF) {
        bestF = f;
        best = s;
      }
    }
    best.forEach((x, k) => {
      total[k] += x;
    });
  });
  return fScore(total, order, beta, eps);
}
