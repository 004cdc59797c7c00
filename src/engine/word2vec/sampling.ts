// The distributions training draws from: negative samples (alias table), the Huffman tree of
// hierarchical softmax, and subsampling of frequent words.

/**
 * The negative-sampling distribution, count(w)^0.75 / Σ count^0.75, as Vose's alias table: one draw
 * picks a row, a second keeps it or takes its alias. Exact, O(1) per sample, and 8 bytes a word, so it
 * stays in cache where word2vec.c's 10⁸-slot table does not.
 */
export function aliasTable(counts: Float64Array, power = 0.75): { prob: Float32Array; alias: Int32Array } {
  const V = counts.length;
  const prob = new Float32Array(V);
  const alias = new Int32Array(V);
  let total = 0;
  for (const c of counts) total += c ** power;
  const scaled = Float64Array.from(counts, (c) => (c ** power / total) * V);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => {
    (p < 1 ? small : large).push(i);
  });
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large[large.length - 1];
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) {
      large.pop();
      small.push(l);
    }
  }
  for (const i of [...small, ...large]) {
    prob[i] = 1;
    alias[i] = i;
  }
  return { prob, alias };
}

/** Huffman tree over the counts, as word2vec.c's CreateBinaryTree: codes and inner-node paths. */
export function huffman(counts: Float64Array): {
  codes: Uint8Array;
  points: Int32Array;
  codeOff: Int32Array;
  codeLen: Uint8Array;
} {
  const V = counts.length;
  const count = new Float64Array(V * 2 + 1).fill(1e15);
  count.set(counts);
  const binary = new Uint8Array(V * 2 + 1);
  const parent = new Int32Array(V * 2 + 1);
  // counts are sorted descending; two pointers walk leaves (from the end) and new nodes (from V)
  let pos1 = V - 1;
  let pos2 = V;
  for (let a = 0; a < V - 1; a++) {
    let min1: number;
    let min2: number;
    if (pos1 >= 0 && count[pos1] < count[pos2]) min1 = pos1--;
    else min1 = pos2++;
    if (pos1 >= 0 && count[pos1] < count[pos2]) min2 = pos1--;
    else min2 = pos2++;
    count[V + a] = count[min1] + count[min2];
    parent[min1] = V + a;
    parent[min2] = V + a;
    binary[min2] = 1;
  }
  const codeLen = new Uint8Array(new SharedArrayBuffer(Math.max(1, V)));
  const codeOff = new Int32Array(new SharedArrayBuffer(Math.max(4, V * 4)));
  const codesTmp: number[][] = [];
  const pointsTmp: number[][] = [];
  let total = 0;
  for (let a = 0; a < V; a++) {
    const code: number[] = [];
    const point: number[] = [];
    let b = a;
    do {
      code.push(binary[b]);
      point.push(b);
      b = parent[b];
    } while (b !== V * 2 - 2);
    // from the root down, as word2vec.c: point[0] is the root (V - 2), inner nodes numbered from 0
    const cl = code.length;
    const c2 = new Array<number>(cl);
    const p2 = new Array<number>(cl);
    p2[0] = V - 2;
    for (let i = 0; i < cl; i++) c2[cl - 1 - i] = code[i];
    for (let i = 1; i < cl; i++) p2[cl - i] = point[i] - V;
    codesTmp.push(c2);
    pointsTmp.push(p2);
    codeLen[a] = Math.min(255, cl);
    codeOff[a] = total;
    total += cl;
  }
  const codes = new Uint8Array(new SharedArrayBuffer(Math.max(1, total)));
  const points = new Int32Array(new SharedArrayBuffer(Math.max(4, total * 4)));
  for (let a = 0; a < V; a++) {
    codes.set(codesTmp[a], codeOff[a]);
    points.set(pointsTmp[a], codeOff[a]);
  }
  return { codes, points, codeOff, codeLen };
}

/** gensim's subsampling: keep an occurrence of w with probability (√(f/t) + 1)·t/f, f = count/total. */
export function keepProbabilities(counts: Float64Array, sample: number): Float32Array {
  const keep = new Float32Array(new SharedArrayBuffer(Math.max(4, counts.length * 4)));
  let total = 0;
  for (const c of counts) total += c;
  const threshold = sample * total;
  for (let i = 0; i < counts.length; i++) {
    const v = counts[i];
    keep[i] = sample > 0 ? Math.min(1, (Math.sqrt(v / threshold) + 1) * (threshold / v)) : 1;
  }
  return keep;
}
