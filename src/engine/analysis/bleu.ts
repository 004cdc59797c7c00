import { l10n } from '../../shared/l10nCore';

// Corpus BLEU-4 as sacreBLEU 2.x computes it by default (Post 2018; Papineni et al. 2002): its `13a`
// tokenisation (mteval-v13a) for English, `zh` (each Chinese character a token, the rest as 13a) for
// Chinese, n-gram counts clipped by the references and summed over the corpus, the brevity penalty
// from the closest reference length, and the `exp` smoothing of zero counts. Scores are 0–100.

const PUNCT = /([{-~[-` -&(-+:-@/])/g; // sacreBLEU's TokenizerRegexp, in order
const PERIOD_AFTER = /([^0-9])([.,])/g;
const PERIOD_BEFORE = /([.,])([^0-9])/g;
const DIGIT_DASH = /([0-9])(-)/g;

function postTokenize(line: string): string {
  const s = line
    .replace(PUNCT, ' $1 ')
    .replace(PERIOD_AFTER, '$1 $2 ')
    .replace(PERIOD_BEFORE, ' $1 $2')
    .replace(DIGIT_DASH, '$1 $2 ');
  return s.split(/\s+/).filter(Boolean).join(' ');
}

/** sacreBLEU's `13a` tokeniser. */
export function tokenize13a(line: string): string {
  let s = line
    .replace(/<skipped>/g, '')
    .replace(/-\n/g, '')
    .replace(/\n/g, ' ');
  if (s.includes('&'))
    s = s
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>');
  return postTokenize(` ${s} `);
}

// sacreBLEU's _UCODE_RANGES, compared as Python compares strings: three of its bounds are written
// '\u20000'-style, i.e. two characters, which Python compares lexicographically; kept so scores agree.
const ZH_RANGES: [string, string][] = [
  ['\u3400', '\u4db5'],
  ['\u4e00', '\u9fa5'],
  ['\u9fa6', '\u9fbb'],
  ['\uf900', '\ufa2d'],
  ['\ufa30', '\ufa6a'],
  ['\ufa70', '\ufad9'],
  ['\u20000', '\u2a6d6'],
  ['\u2f800', '\u2fa1d'],
  ['\uff00', '\uffef'],
  ['\u2e80', '\u2eff'],
  ['\u3000', '\u303f'],
  ['\u31c0', '\u31ef'],
  ['\u2f00', '\u2fdf'],
  ['\u2ff0', '\u2fff'],
  ['\u3100', '\u312f'],
  ['\u31a0', '\u31bf'],
  ['\ufe10', '\ufe1f'],
  ['\ufe30', '\ufe4f'],
  ['\u2600', '\u26ff'],
  ['\u2700', '\u27bf'],
  ['\u3200', '\u32ff'],
  ['\u3300', '\u33ff'],
];

/** Python's string order: by code point, a proper prefix first. */
function pyCompare(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

function isChineseChar(c: string): boolean {
  return ZH_RANGES.some(([lo, hi]) => pyCompare(lo, c) <= 0 && pyCompare(c, hi) <= 0);
}

/** sacreBLEU's `zh` tokeniser: spaces around each Chinese character, then 13a's punctuation rules. */
export function tokenizeZh(line: string): string {
  let s = '';
  for (const c of line.trim()) s += isChineseChar(c) ? ` ${c} ` : c;
  return postTokenize(s);
}

export type BleuTokenizer = '13a' | 'zh';

/** 'zh' when the references are mostly Chinese characters, else '13a' (as one would pass to sacreBLEU). */
export function pickTokenizer(refs: readonly string[]): BleuTokenizer {
  let han = 0;
  let all = 0;
  for (const r of refs)
    for (const c of r) {
      if (/\s/.test(c)) continue;
      all++;
      if (isChineseChar(c)) han++;
    }
  return all > 0 && han / all > 0.3 ? 'zh' : '13a';
}

export interface BleuResult {
  score: number; // 0–100
  counts: number[]; // matching n-grams, n = 1..4
  totals: number[]; // hypothesis n-grams
  precisions: number[]; // percent
  bp: number;
  sysLen: number;
  refLen: number;
}

function ngrams(tokens: string[], n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const g = tokens.slice(i, i + n).join('\u0001');
    m.set(g, (m.get(g) ?? 0) + 1);
  }
  return m;
}

/**
 * Corpus BLEU of hypotheses against one or more reference streams (`refs[k][i]` is reference k of
 * sentence i), as `sacrebleu.corpus_bleu(hyps, refs, tokenize=…)`. An empty output scores 0.
 */
export function corpusBleu(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  tokenizer?: BleuTokenizer,
): BleuResult {
  const order = 4;
  const tok = tokenizer ?? pickTokenizer(refs[0] ?? []);
  const split = (s: string) => (tok === 'zh' ? tokenizeZh(s) : tokenize13a(s)).split(' ').filter(Boolean);
  for (const r of refs)
    if (r.length !== hyps.length)
      throw new Error(
        l10n.t(
          'BLEU got {0} outputs but {1} references; give one reference per output.',
          hyps.length,
          r.length,
        ),
      );
  const counts = new Array<number>(order).fill(0);
  const totals = new Array<number>(order).fill(0);
  let sysLen = 0;
  let refLen = 0;
  hyps.forEach((h, i) => {
    const ht = split(h);
    const rts = refs.map((r) => split(r[i]));
    sysLen += ht.length;
    // the closest reference length, the shorter on a tie (sacreBLEU's _extract_reference_info)
    let closest = rts[0]?.length ?? 0;
    for (const r of rts) {
      const d = Math.abs(r.length - ht.length);
      const best = Math.abs(closest - ht.length);
      if (d < best || (d === best && r.length < closest)) closest = r.length;
    }
    refLen += closest;
    for (let n = 1; n <= order; n++) {
      const hg = ngrams(ht, n);
      const maxRef = new Map<string, number>();
      for (const r of rts) for (const [g, c] of ngrams(r, n)) maxRef.set(g, Math.max(maxRef.get(g) ?? 0, c));
      for (const [g, c] of hg) {
        counts[n - 1] += Math.min(c, maxRef.get(g) ?? 0);
        totals[n - 1] += c;
      }
    }
  });
  const precisions = new Array<number>(order).fill(0);
  let smooth = 1;
  for (let n = 1; n <= order; n++) {
    if (totals[n - 1] === 0) break;
    if (counts[n - 1] === 0) {
      smooth *= 2;
      precisions[n - 1] = 100 / (smooth * totals[n - 1]);
    } else precisions[n - 1] = (100 * counts[n - 1]) / totals[n - 1];
  }
  const bp = sysLen < refLen ? (sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0) : 1;
  const logs = precisions.map((p) => (p === 0 ? -9999999999 : Math.log(p)));
  const score = bp * Math.exp(logs.reduce((a, b) => a + b, 0) / order);
  return { score, counts, totals, precisions, bp, sysLen, refLen };
}

/** Share of outputs equal to their reference after trimming, 0–1. */
export function exactMatch(hyps: readonly string[], refs: readonly string[]): number {
  if (hyps.length === 0) return 0;
  const norm = (s: string) => s.trim().split(/\s+/).join(' ');
  return hyps.filter((h, i) => norm(h) === norm(refs[i])).length / hyps.length;
}
