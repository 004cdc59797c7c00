// The JavaScript passes of the hand-written BERT step (fastBert.ts), one small function each: V8
// optimises a small hot function at once, where the loops of one long step function ran several times
// slower. Row-major float32 arrays; N rows of width C unless said otherwise. The matrix products, the
// softmaxes and GELU run on ONNX Runtime (onnx/ortProducts.ts).

/** out[n] = E[ids[n]] + Pe[n mod T] + Se[segs[n]] (rows of width H). */
export function embed(
  ids: Int32Array,
  segs: Int32Array,
  E: Float32Array,
  Pe: Float32Array,
  Se: Float32Array,
  T: number,
  H: number,
  out: Float32Array,
): void {
  for (let n = 0; n < ids.length; n++) {
    const e = ids[n] * H;
    const pe = (n % T) * H;
    const se = segs[n] * H;
    const o = n * H;
    for (let j = 0; j < H; j++) out[o + j] = E[e + j] + Pe[pe + j] + Se[se + j];
  }
}

/** The backward pass of embed: dx added into the rows of dE, dPe and dSe it came from. */
export function embedBackward(
  ids: Int32Array,
  segs: Int32Array,
  dx: Float32Array,
  T: number,
  H: number,
  dE: Float32Array,
  dPe: Float32Array,
  dSe: Float32Array,
): void {
  for (let n = 0; n < ids.length; n++) {
    const e = ids[n] * H;
    const pe = (n % T) * H;
    const se = segs[n] * H;
    const o = n * H;
    for (let j = 0; j < H; j++) {
      const d = dx[o + j];
      dE[e + j] += d;
      dPe[pe + j] += d;
      dSe[se + j] += d;
    }
  }
}

/** LayerNorm over rows of width C: out = x̂·γ + β, keeping x̂ and 1/σ for the backward pass. */
export function layerNorm(
  x: Float32Array,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
  C: number,
  out: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
): void {
  const rows = x.length / C;
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let mean = 0;
    for (let j = 0; j < C; j++) mean += x[o + j];
    mean /= C;
    let v = 0;
    for (let j = 0; j < C; j++) {
      const d = x[o + j] - mean;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / C + eps);
    rstd[r] = rs;
    for (let j = 0; j < C; j++) {
      const h = (x[o + j] - mean) * rs;
      xhat[o + j] = h;
      out[o + j] = h * gamma[j] + beta[j];
    }
  }
}

/** The backward pass of layerNorm: dx (overwritten), and dγ, dβ accumulated. */
export function layerNormBackward(
  dy: Float32Array,
  xhat: Float32Array,
  rstd: Float32Array,
  gamma: Float32Array,
  C: number,
  dx: Float32Array,
  dgamma: Float32Array,
  dbeta: Float32Array,
): void {
  const rows = dy.length / C;
  for (let r = 0; r < rows; r++) {
    const o = r * C;
    let s1 = 0;
    let s2 = 0;
    for (let j = 0; j < C; j++) {
      const g = dy[o + j];
      const dh = g * gamma[j];
      s1 += dh;
      s2 += dh * xhat[o + j];
      dgamma[j] += g * xhat[o + j];
      dbeta[j] += g;
    }
    s1 /= C;
    s2 /= C;
    const rs = rstd[r];
    for (let j = 0; j < C; j++) dx[o + j] = rs * (dy[o + j] * gamma[j] - s1 - xhat[o + j] * s2);
  }
}

/** out[r, :] += bias, rows of width C. */
export function addBias(out: Float32Array, bias: Float32Array, C: number): void {
  for (let o = 0; o < out.length; o += C) for (let j = 0; j < C; j++) out[o + j] += bias[j];
}

/** db += the column sums of dy (rows of width C). */
export function biasGrad(dy: Float32Array, db: Float32Array, C: number): void {
  for (let o = 0; o < dy.length; o += C) for (let j = 0; j < C; j++) db[j] += dy[o + j];
}

/** a += b */
export function addInto(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** a *= b */
export function mulInto(a: Float32Array, b: Float32Array): void {
  for (let i = 0; i < a.length; i++) a[i] *= b[i];
}

/** out = a * b */
export function mulTo(a: Float32Array, b: Float32Array, out: Float32Array): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i] * b[i];
}

/**
 * Dropout's scale per element: 0 with probability `rate`, else 1/(1 − rate), from mulberry32 seeded
 * with `seed` (inlined: the state stays a 32-bit integer in a register).
 */
export function dropoutMask(seed: number, mask: Float32Array, rate: number): void {
  const keep = 1 / (1 - rate);
  const below = rate * 4294967296;
  let s = seed | 0;
  for (let i = 0; i < mask.length; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    mask[i] = (t ^ (t >>> 14)) >>> 0 < below ? 0 : keep;
  }
}

/** W3 [H, 3H] = [Wq | Wk | Wv] row by row, b3 = [bq | bk | bv]. */
export function concatQkv(
  Wq: Float32Array,
  Wk: Float32Array,
  Wv: Float32Array,
  bq: Float32Array,
  bk: Float32Array,
  bv: Float32Array,
  H: number,
  W3: Float32Array,
  b3: Float32Array,
): void {
  for (let i = 0; i < H; i++) {
    W3.set(Wq.subarray(i * H, i * H + H), i * 3 * H);
    W3.set(Wk.subarray(i * H, i * H + H), i * 3 * H + H);
    W3.set(Wv.subarray(i * H, i * H + H), i * 3 * H + 2 * H);
  }
  b3.set(bq, 0);
  b3.set(bk, H);
  b3.set(bv, 2 * H);
}

/** The gradient of concatQkv: dW3 [H, 3H] split into dWq, dWk, dWv (overwritten). */
export function splitQkvGrad(
  dW3: Float32Array,
  H: number,
  dWq: Float32Array,
  dWk: Float32Array,
  dWv: Float32Array,
): void {
  for (let i = 0; i < H; i++) {
    dWq.set(dW3.subarray(i * 3 * H, i * 3 * H + H), i * H);
    dWk.set(dW3.subarray(i * 3 * H + H, i * 3 * H + 2 * H), i * H);
    dWv.set(dW3.subarray(i * 3 * H + 2 * H, i * 3 * H + 3 * H), i * H);
  }
}

/** Batch, sequence length, heads and the width of one head. */
export interface HeadShape {
  B: number;
  T: number;
  nh: number;
  dh: number;
}

/**
 * The three [B, T, nh, dh] slices of qkv [B·T, 3H] (query, key, value side by side, H = nh·dh) as
 * [B·nh, T, dh] each, or back (toHeads false: q, k, v into qkv).
 */
export function qkvHeads(
  qkv: Float32Array,
  q: Float32Array,
  k: Float32Array,
  v: Float32Array,
  { B, T, nh, dh }: HeadShape,
  toHeads: boolean,
): void {
  const H = nh * dh;
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++) {
      const row = (b * T + t) * 3 * H;
      for (let h = 0; h < nh; h++) {
        const head = ((b * nh + h) * T + t) * dh;
        const s = row + h * dh;
        if (toHeads)
          for (let d = 0; d < dh; d++) {
            q[head + d] = qkv[s + d];
            k[head + d] = qkv[s + H + d];
            v[head + d] = qkv[s + 2 * H + d];
          }
        else
          for (let d = 0; d < dh; d++) {
            qkv[s + d] = q[head + d];
            qkv[s + H + d] = k[head + d];
            qkv[s + 2 * H + d] = v[head + d];
          }
      }
    }
}

/** x [B·T, nh·dh] as heads [B·nh, T, dh] (toHeads), or back. */
export function heads(
  x: Float32Array,
  hx: Float32Array,
  { B, T, nh, dh }: HeadShape,
  toHeads: boolean,
): void {
  const H = nh * dh;
  for (let b = 0; b < B; b++)
    for (let h = 0; h < nh; h++)
      for (let t = 0; t < T; t++) {
        const head = ((b * nh + h) * T + t) * dh;
        const row = (b * T + t) * H + h * dh;
        if (toHeads) for (let d = 0; d < dh; d++) hx[head + d] = x[row + d];
        else for (let d = 0; d < dh; d++) x[row + d] = hx[head + d];
      }
}

/** Attention scores [B·nh, T, T] scaled, with BERT's −10000 at padding keys (mask [B·T], 1 = token). */
export function scaleAndMask(
  s: Float32Array,
  mask: Float32Array,
  B: number,
  nh: number,
  T: number,
  scale: number,
): void {
  for (let b = 0; b < B; b++) {
    const m = b * T;
    for (let r = b * nh * T; r < (b + 1) * nh * T; r++) {
      const o = r * T;
      for (let j = 0; j < T; j++) s[o + j] = s[o + j] * scale + (1 - mask[m + j]) * -10000;
    }
  }
}

/** The backward pass of softmax over rows of width T, times `scale`: dp becomes d scores. */
export function softmaxBackward(dp: Float32Array, p: Float32Array, T: number, scale: number): void {
  for (let o = 0; o < dp.length; o += T) {
    let dot = 0;
    for (let j = 0; j < T; j++) dot += dp[o + j] * p[o + j];
    for (let j = 0; j < T; j++) dp[o + j] = p[o + j] * (dp[o + j] - dot) * scale;
  }
}

/** dst[i] = src[idx[i]] (rows of width H). */
export function gatherRows(src: Float32Array, idx: Int32Array, H: number, dst: Float32Array): void {
  for (let i = 0; i < idx.length; i++) dst.set(src.subarray(idx[i] * H, idx[i] * H + H), i * H);
}

/** dst[idx[i]] += src[i] (rows of width H). */
export function scatterAddRows(src: Float32Array, idx: Int32Array, H: number, dst: Float32Array): void {
  for (let i = 0; i < idx.length; i++) {
    const o = idx[i] * H;
    for (let j = 0; j < H; j++) dst[o + j] += src[i * H + j];
  }
}

/** logits [P, V] += bias; the arg max of each row into argmax. */
export function addBiasArgmax(logits: Float32Array, bias: Float32Array, V: number, argmax: Int32Array): void {
  for (let i = 0; i < argmax.length; i++) {
    const o = i * V;
    let max = -Infinity;
    let arg = 0;
    for (let v = 0; v < V; v++) {
      const z = logits[o + v] + bias[v];
      logits[o + v] = z;
      if (z > max) {
        max = z;
        arg = v;
      }
    }
    argmax[i] = arg;
  }
}

/**
 * The weighted cross-entropy of softmax rows (probs [P, V]) against `ids`, averaged with weights / wsum,
 * and its gradient in place: probs becomes w/wsum · (softmax − one-hot), its column sums added to dBias.
 * Returns [Σ w·nll, Σ w·right] (right: argmax equals the id).
 */
export function crossEntropyBackward(
  probs: Float32Array,
  ids: Int32Array,
  weights: Float32Array,
  argmax: Int32Array,
  wsum: number,
  V: number,
  dBias: Float32Array,
): [number, number] {
  let nll = 0;
  let right = 0;
  for (let i = 0; i < ids.length; i++) {
    const o = i * V;
    const y = ids[i];
    const w = weights[i];
    nll -= w * Math.log(Math.max(probs[o + y], 1e-30));
    if (argmax[i] === y) right += w;
    const k = w / wsum;
    for (let v = 0; v < V; v++) {
      const d = probs[o + v] * k;
      probs[o + v] = d;
      dBias[v] += d;
    }
    probs[o + y] -= k;
    dBias[y] -= k;
  }
  return [nll, right];
}
