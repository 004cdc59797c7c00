// The attention as the views read it: one label per row/column and a weight getter, either per token
// or per word. Words come from the engine's tokenizer (WordPieces, BPE pieces, characters), never from
// the token strings: attention is summed over the target word's tokens and averaged over the source's.
import { type AttentionView, unpackWeight } from '../../shared/protocol/attention';

export interface Grid {
  labels: string[];
  segments: number[];
  groups: number[][]; // token indices of each row/column
  at(layer: number, head: number, i: number, j: number): number;
}

/** Words as token groups, or undefined when they do not cover the tokens once and in order. */
function wordGroups(v: AttentionView): { groups: number[][]; labels: string[] } | undefined {
  let next = 0;
  const groups: number[][] = [];
  for (const w of v.words) {
    if (w.start !== next || w.end <= w.start) return undefined;
    groups.push(Array.from({ length: w.end - w.start }, (_, k) => w.start + k));
    next = w.end;
  }
  if (next !== v.tokens.length) return undefined;
  return { groups, labels: v.words.map((w) => w.text) };
}

export function grid(v: AttentionView, merge: boolean): Grid {
  const T = v.tokens.length;
  const raw = (l: number, h: number, i: number, j: number) =>
    unpackWeight(v.weights[((l * v.heads + h) * T + i) * T + j]);
  const words = merge ? wordGroups(v) : undefined;
  if (!words) {
    const groups = v.tokens.map((_, i) => [i]);
    return { labels: v.tokens, segments: v.segments, groups, at: raw };
  }
  const { groups, labels } = words;
  const segments = groups.map((g) => v.segments[g[0]]);
  const at = (l: number, h: number, i: number, j: number) => {
    let s = 0;
    for (const a of groups[i]) for (const b of groups[j]) s += raw(l, h, a, b);
    return s / groups[i].length;
  };
  return { labels, segments, groups, at };
}

export function meanOver(g: Grid, layer: number, heads: number[], i: number, j: number): number {
  if (heads.length === 0) return 0;
  let s = 0;
  for (const h of heads) s += g.at(layer, h, i, j);
  return s / heads.length;
}

/** [n, n] means over the heads for one layer, row-major. */
export function matrix(g: Grid, layer: number, heads: number[]): Float32Array {
  const n = g.labels.length;
  const out = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) out[i * n + j] = meanOver(g, layer, heads, i, j);
  return out;
}

// Weights arrive in 16-bit steps (error under 0.0000076, see WEIGHT_STEPS), so 3 decimals are exact.
export const fmtWeight = (w: number): string => w.toFixed(3);
