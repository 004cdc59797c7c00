// Issue 14, design (b): one BERT pretraining step (forward, backward, the losses of bert.ts's
// pretrainLosses) written out by hand over float32 arrays, in the spirit of karpathy/llm.c: a few fused
// passes per layer (embeddings + LayerNorm, attention's scale + padding bias + softmax, GELU with its
// derivative kept for the backward pass, softmax cross-entropy), the matrix products, softmaxes and GELU
// on ONNX Runtime (ortProducts.ts), no autograd tape and no per-op dispatch. tfjs's Bert stays the definition: the
// parameters are its variables' values by name, and test/unit/fastBert.test.ts checks loss and every
// gradient against tf.variableGrads of Bert.pretrainLosses. Covers the post-LN BERT with exact GELU
// (every preset; imported checkpoints with gelu_new or relu train on tfjs). Dropout draws its own masks
// (mulberry32 from the step's seed), so a step with dropout is not bit-equal to the tfjs one.
import type { BertConfig } from '../../shared/configs';
import { bertBlockNames } from '../models/bert';
import { OrtProducts } from '../onnx/ortProducts';
import { Rng } from '../random';

/** One packed batch (data/batches.ts Batch has these fields). */
export interface FastBatch {
  batchSize: number;
  seqLength: number;
  inputIds: Int32Array; // [B*T]
  segmentIds: Int32Array; // [B*T]
  attentionMask: Float32Array; // [B*T]
  maskedPositions: Int32Array; // [N] flat b*T + t
  maskedIds: Int32Array; // [N]
  maskedWeights: Float32Array; // [N]
  nspLabels: Int32Array; // [B]
}

export interface FastStepResult {
  loss: number;
  mlmLoss: number;
  nspLoss: number;
  mlmCorrect: number; // weighted right top-1 predictions
  nspCorrect: number;
  /** Gradients by parameter name; the arrays are reused by the next step. */
  grads: Map<string, Float32Array>;
}

/** Why this config cannot take the fast step, or undefined when it can. */
export function fastBertProblem(c: BertConfig): string | undefined {
  if ((c.hiddenAct ?? 'gelu') !== 'gelu') return `its activation is ${c.hiddenAct}, not gelu`;
  return undefined;
}

/** LayerNorm over rows of width C: out = x̂·γ + β, keeping x̂ and 1/σ for the backward pass. */
function layerNorm(
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
function layerNormBackward(
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

/** out[r, :] += bias over rows of width C. */
function addBias(out: Float32Array, bias: Float32Array, C: number): void {
  for (let o = 0; o < out.length; o += C) for (let j = 0; j < C; j++) out[o + j] += bias[j];
}

/** db += the column sums of dy (rows of width C). */
function biasGrad(dy: Float32Array, db: Float32Array, C: number): void {
  for (let o = 0; o < dy.length; o += C) for (let j = 0; j < C; j++) db[j] += dy[o + j];
}

/** Keeps each value with probability 1 − rate, scaled by 1/(1 − rate): the scale (0 or 1/(1 − rate)) per element. */
function dropoutMask(rng: Rng, mask: Float32Array, rate: number): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.next() < rate ? 0 : keep;
}

function mulInto(x: Float32Array, mask: Float32Array | undefined): void {
  if (!mask) return;
  for (let i = 0; i < x.length; i++) x[i] *= mask[i];
}

interface LayerBuffers {
  input: Float32Array; // [N, H] the block's input
  qkv: Float32Array; // [N, 3H]
  q: Float32Array; // [B·nh, T, dh]
  k: Float32Array;
  v: Float32Array;
  probs: Float32Array; // [B·nh, T, T] softmax
  probsDropped: Float32Array; // after dropout (read only when the step drops)
  ctxHeads: Float32Array; // [B·nh, T, dh]
  ctx: Float32Array; // [N, H]
  r1: Float32Array; // attention out (dropped) + input, [N, H]
  xhat1: Float32Array;
  rstd1: Float32Array;
  h1: Float32Array; // [N, H]
  f: Float32Array; // [N, I] before GELU
  g: Float32Array; // [N, I] GELU
  gd: Float32Array; // [N, I] GELU'
  r2: Float32Array;
  xhat2: Float32Array;
  rstd2: Float32Array;
  maskProbs?: Float32Array;
  maskAttn?: Float32Array;
  maskFfn?: Float32Array;
}

/** Buffers for one batch shape, kept between steps. */
class Workspace {
  readonly layers: LayerBuffers[] = [];
  readonly x0: Float32Array;
  readonly xhat0: Float32Array;
  readonly rstd0: Float32Array;
  readonly h0: Float32Array;
  readonly mask0?: Float32Array;
  readonly out: Float32Array; // [N, H] the encoder's output
  readonly wqkv: Float32Array[]; // per layer [H, 3H]
  readonly bqkv: Float32Array[]; // per layer [3H]
  // heads
  readonly picked: Float32Array; // [P, H]
  readonly t: Float32Array;
  readonly tg: Float32Array;
  readonly tgd: Float32Array;
  readonly xhatT: Float32Array;
  readonly rstdT: Float32Array;
  readonly u: Float32Array;
  readonly logits: Float32Array; // [P, V], then d logits
  readonly pooledPre: Float32Array; // [B, H] before tanh
  readonly pooled: Float32Array;
  // backward scratch
  readonly dX: Float32Array; // [N, H] d block output, then d block input
  readonly dR2: Float32Array; // [N, H]
  readonly dTmp: Float32Array; // [N, H] d dropped FFN / attention output
  readonly dH1: Float32Array;
  readonly dR1: Float32Array;
  readonly dCtx: Float32Array;
  readonly dCtxH: Float32Array; // [B·nh, T, dh]
  readonly dQ: Float32Array;
  readonly dK: Float32Array;
  readonly dV: Float32Array;
  readonly dI: Float32Array; // [N, I]
  readonly dQkv: Float32Array; // [N, 3H]
  readonly dProbs: Float32Array; // [B·nh, T, T]
  readonly dW3: Float32Array; // [H, 3H]
  readonly dPH: Float32Array; // [P, H]
  readonly dPH2: Float32Array;

  constructor(
    c: BertConfig,
    readonly B: number,
    readonly T: number,
    readonly P: number,
  ) {
    const H = c.hiddenSize;
    const I = c.intermediateSize;
    const N = B * T;
    const nh = c.numHeads;
    const f = (n: number) => new Float32Array(n);
    const drop = c.dropout > 0;
    this.x0 = f(N * H);
    this.xhat0 = f(N * H);
    this.rstd0 = f(N);
    this.h0 = f(N * H);
    if (drop) this.mask0 = f(N * H);
    for (let l = 0; l < c.numLayers; l++) {
      const probs = f(B * nh * T * T);
      this.layers.push({
        input: f(N * H),
        qkv: f(N * 3 * H),
        q: f(N * H),
        k: f(N * H),
        v: f(N * H),
        probs,
        probsDropped: drop ? f(B * nh * T * T) : probs,
        ctxHeads: f(N * H),
        ctx: f(N * H),
        r1: f(N * H),
        xhat1: f(N * H),
        rstd1: f(N),
        h1: f(N * H),
        f: f(N * I),
        g: f(N * I),
        gd: f(N * I),
        r2: f(N * H),
        xhat2: f(N * H),
        rstd2: f(N),
        ...(drop ? { maskProbs: f(B * nh * T * T), maskAttn: f(N * H), maskFfn: f(N * H) } : {}),
      });
    }
    this.out = f(N * H);
    this.wqkv = this.layers.map(() => f(H * 3 * H));
    this.bqkv = this.layers.map(() => f(3 * H));
    this.picked = f(P * H);
    this.t = f(P * H);
    this.tg = f(P * H);
    this.tgd = f(P * H);
    this.xhatT = f(P * H);
    this.rstdT = f(P);
    this.u = f(P * H);
    this.logits = f(P * c.vocabSize);
    this.pooledPre = f(B * H);
    this.pooled = f(B * H);
    this.dX = f(N * H);
    this.dR2 = f(N * H);
    this.dTmp = f(N * H);
    this.dH1 = f(N * H);
    this.dR1 = f(N * H);
    this.dCtx = f(N * H);
    this.dCtxH = f(N * H);
    this.dQ = f(N * H);
    this.dK = f(N * H);
    this.dV = f(N * H);
    this.dI = f(N * I);
    this.dQkv = f(N * 3 * H);
    this.dProbs = f(B * nh * T * T);
    this.dW3 = f(H * 3 * H);
    this.dPH = f(P * H);
    this.dPH2 = f(P * H);
  }
}

export class FastBertStep {
  private ws: Workspace | undefined;
  readonly grads = new Map<string, Float32Array>();
  /** When set (bench/bertStep.ts), the milliseconds of each part of the steps, the products apart. */
  timings: Map<string, number> | undefined;
  private last = 0;

  private lap(part: string): void {
    if (!this.timings) return;
    const now = performance.now();
    this.timings.set(part, (this.timings.get(part) ?? 0) + now - this.last);
    this.last = now;
  }

  constructor(
    readonly config: BertConfig,
    readonly products: OrtProducts,
    shapes: [string, number[]][], // every parameter's name and shape (bertParamShapes)
  ) {
    const problem = fastBertProblem(config);
    if (problem) throw new Error(`The fast BERT step cannot train this model: ${problem}.`);
    for (const [name, shape] of shapes)
      this.grads.set(name, new Float32Array(shape.reduce((a, b) => a * b, 1)));
  }

  private mm(
    a: Float32Array,
    aShape: number[],
    b: Float32Array,
    bShape: number[],
    out: Float32Array,
    outShape: number[],
    tA = false,
    tB = false,
  ): void {
    if (!this.timings) {
      this.products.run(a, aShape, b, bShape, out, outShape, tA, tB);
      return;
    }
    const t0 = performance.now();
    this.products.run(a, aShape, b, bShape, out, outShape, tA, tB);
    const ms = performance.now() - t0;
    const k = 'matrix products (ONNX Runtime)';
    this.timings.set(k, (this.timings.get(k) ?? 0) + ms);
    this.last += ms; // the part around the product does not count it
  }

  /**
   * Loss, metrics and the gradient of every parameter for one batch. `params` are the parameter values
   * by name (bert.ts names); `seed` draws the dropout masks when `training`.
   */
  step(
    params: ReadonlyMap<string, Float32Array>,
    batch: FastBatch,
    training: boolean,
    seed: number,
    nspWeight = 1, // the loss is MLM + nspWeight · NSP
  ): FastStepResult {
    const c = this.config;
    const B = batch.batchSize;
    const T = batch.seqLength;
    const P = batch.maskedPositions.length;
    const H = c.hiddenSize;
    const I = c.intermediateSize;
    const V = c.vocabSize;
    const nh = c.numHeads;
    const dh = H / nh;
    const N = B * T;
    const L = c.numLayers;
    const eps = c.layerNormEps;
    if (T > c.maxPositions)
      throw new Error(`The input has ${T} tokens; this model accepts at most ${c.maxPositions}.`);
    if (!this.ws || this.ws.B !== B || this.ws.T !== T || this.ws.P !== P)
      this.ws = new Workspace(c, B, T, P);
    const ws = this.ws;
    const p = (name: string) => {
      const v = params.get(name);
      if (!v) throw new Error(`The model has no parameter ${name}.`);
      return v;
    };
    const g = (name: string) => this.grads.get(name)!;
    for (const a of this.grads.values()) a.fill(0);
    const drop = training && c.dropout > 0;
    const rng = new Rng(seed);
    const rate = c.dropout;
    this.last = performance.now();

    // ---- embeddings
    const E = p('embeddings.word_embeddings');
    const Pe = p('embeddings.position_embeddings');
    const Se = p('embeddings.token_type_embeddings');
    for (let n = 0; n < N; n++) {
      const e = batch.inputIds[n] * H;
      const pe = (n % T) * H;
      const se = batch.segmentIds[n] * H;
      const o = n * H;
      for (let j = 0; j < H; j++) ws.x0[o + j] = E[e + j] + Pe[pe + j] + Se[se + j];
    }
    layerNorm(
      ws.x0,
      p('embeddings.LayerNorm.gamma'),
      p('embeddings.LayerNorm.beta'),
      eps,
      H,
      ws.h0,
      ws.xhat0,
      ws.rstd0,
    );
    const mask0 = drop ? ws.mask0 : undefined;
    if (mask0) {
      dropoutMask(rng, mask0, rate);
      mulInto(ws.h0, mask0);
    }

    this.lap('embeddings forward');
    // ---- encoder blocks
    const scale = 1 / Math.sqrt(dh);
    let x = ws.h0;
    for (let l = 0; l < L; l++) {
      const n = bertBlockNames(l);
      const lb = ws.layers[l];
      const a = n.attention as { query: string; key: string; value: string; output: string };
      lb.input.set(x);
      // one [H, 3H] product for query, key and value
      const W3 = ws.wqkv[l];
      const b3 = ws.bqkv[l];
      const Wq = p(`${a.query}.kernel`);
      const Wk = p(`${a.key}.kernel`);
      const Wv = p(`${a.value}.kernel`);
      for (let i = 0; i < H; i++) {
        W3.set(Wq.subarray(i * H, i * H + H), i * 3 * H);
        W3.set(Wk.subarray(i * H, i * H + H), i * 3 * H + H);
        W3.set(Wv.subarray(i * H, i * H + H), i * 3 * H + 2 * H);
      }
      b3.set(p(`${a.query}.bias`), 0);
      b3.set(p(`${a.key}.bias`), H);
      b3.set(p(`${a.value}.bias`), 2 * H);
      this.mm(lb.input, [N, H], W3, [H, 3 * H], lb.qkv, [N, 3 * H]);
      addBias(lb.qkv, b3, 3 * H);
      // [B, T, nh, dh] slices of qkv -> [B·nh, T, dh]
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++) {
          const src = (b * T + t) * 3 * H;
          for (let h = 0; h < nh; h++) {
            const dst = ((b * nh + h) * T + t) * dh;
            const s = src + h * dh;
            for (let d = 0; d < dh; d++) {
              lb.q[dst + d] = lb.qkv[s + d];
              lb.k[dst + d] = lb.qkv[s + H + d];
              lb.v[dst + d] = lb.qkv[s + 2 * H + d];
            }
          }
        }
      const BH = B * nh;
      this.mm(lb.q, [BH, T, dh], lb.k, [BH, T, dh], lb.probs, [BH, T, T], false, true);
      // scale and padding bias (BERT's -10000 at padding keys), then softmax over each row
      for (let bh = 0; bh < BH; bh++) {
        const m = Math.floor(bh / nh) * T;
        for (let i = 0; i < T; i++) {
          const o = (bh * T + i) * T;
          for (let j = 0; j < T; j++)
            lb.probs[o + j] = lb.probs[o + j] * scale + (1 - batch.attentionMask[m + j]) * -10000;
        }
      }
      this.products.softmax(lb.probs, BH * T, T, lb.probs);
      if (drop) {
        dropoutMask(rng, lb.maskProbs!, rate);
        for (let i = 0; i < lb.probs.length; i++) lb.probsDropped[i] = lb.probs[i] * lb.maskProbs![i];
      }
      this.mm(drop ? lb.probsDropped : lb.probs, [BH, T, T], lb.v, [BH, T, dh], lb.ctxHeads, [BH, T, dh]);
      for (let b = 0; b < B; b++)
        for (let h = 0; h < nh; h++)
          for (let t = 0; t < T; t++) {
            const src = ((b * nh + h) * T + t) * dh;
            const dst = (b * T + t) * H + h * dh;
            for (let d = 0; d < dh; d++) lb.ctx[dst + d] = lb.ctxHeads[src + d];
          }
      this.mm(lb.ctx, [N, H], p(`${a.output}.kernel`), [H, H], lb.r1, [N, H]);
      addBias(lb.r1, p(`${a.output}.bias`), H);
      if (drop) {
        dropoutMask(rng, lb.maskAttn!, rate);
        mulInto(lb.r1, lb.maskAttn);
      }
      for (let i = 0; i < lb.r1.length; i++) lb.r1[i] += lb.input[i];
      layerNorm(
        lb.r1,
        p(`${n.attentionNorm}.gamma`),
        p(`${n.attentionNorm}.beta`),
        eps,
        H,
        lb.h1,
        lb.xhat1,
        lb.rstd1,
      );
      // feed-forward
      this.mm(lb.h1, [N, H], p(`${n.ffn.inner}.kernel`), [H, I], lb.f, [N, I]);
      addBias(lb.f, p(`${n.ffn.inner}.bias`), I);
      this.products.gelu(lb.f, lb.g, lb.gd);
      this.mm(lb.g, [N, I], p(`${n.ffn.output}.kernel`), [I, H], lb.r2, [N, H]);
      addBias(lb.r2, p(`${n.ffn.output}.bias`), H);
      if (drop) {
        dropoutMask(rng, lb.maskFfn!, rate);
        mulInto(lb.r2, lb.maskFfn);
      }
      for (let i = 0; i < lb.r2.length; i++) lb.r2[i] += lb.h1[i];
      const out = l + 1 < L ? ws.layers[l + 1].input : ws.out;
      layerNorm(lb.r2, p(`${n.ffnNorm}.gamma`), p(`${n.ffnNorm}.beta`), eps, H, out, lb.xhat2, lb.rstd2);
      x = out;
    }
    const hL = ws.out;

    this.lap('encoder forward');
    // ---- next-sentence head: pooled [CLS] (tanh dense), 2-way logits, mean cross-entropy
    const Wp = p('pooler.dense.kernel');
    const bp = p('pooler.dense.bias');
    const Wn = p('cls.seq_relationship.output_weights');
    const bn = p('cls.seq_relationship.output_bias');
    let nspLoss = 0;
    let nspCorrect = 0;
    const dNsp = new Float32Array(B * 2);
    for (let b = 0; b < B; b++) {
      const cls = b * T * H;
      for (let j = 0; j < H; j++) {
        let s = bp[j];
        for (let i = 0; i < H; i++) s += hL[cls + i] * Wp[i * H + j];
        ws.pooledPre[b * H + j] = s;
        ws.pooled[b * H + j] = Math.tanh(s);
      }
      const z = [bn[0], bn[1]];
      for (let i = 0; i < H; i++) {
        z[0] += ws.pooled[b * H + i] * Wn[i * 2];
        z[1] += ws.pooled[b * H + i] * Wn[i * 2 + 1];
      }
      const m = Math.max(z[0], z[1]);
      const lse = m + Math.log(Math.exp(z[0] - m) + Math.exp(z[1] - m));
      const y = batch.nspLabels[b];
      nspLoss += (lse - z[y]) / B;
      if ((z[1] > z[0] ? 1 : 0) === y) nspCorrect++;
      for (let k = 0; k < 2; k++)
        dNsp[b * 2 + k] = ((Math.exp(z[k] - lse) - (k === y ? 1 : 0)) / B) * nspWeight;
    }

    this.lap('NSP head');
    // ---- masked-LM head at the masked positions: dense, GELU, LayerNorm, tied decoder, cross-entropy
    for (let i = 0; i < P; i++)
      ws.picked.set(hL.subarray(batch.maskedPositions[i] * H, batch.maskedPositions[i] * H + H), i * H);
    this.mm(ws.picked, [P, H], p('cls.predictions.transform.dense.kernel'), [H, H], ws.t, [P, H]);
    addBias(ws.t, p('cls.predictions.transform.dense.bias'), H);
    this.products.gelu(ws.t, ws.tg, ws.tgd);
    const gT = p('cls.predictions.transform.LayerNorm.gamma');
    layerNorm(ws.tg, gT, p('cls.predictions.transform.LayerNorm.beta'), eps, H, ws.u, ws.xhatT, ws.rstdT);
    this.mm(ws.u, [P, H], E, [V, H], ws.logits, [P, V], false, true);
    const ob = p('cls.predictions.output_bias');
    let wsum = 1e-5;
    for (let i = 0; i < P; i++) wsum += batch.maskedWeights[i];
    let mlmNll = 0;
    let mlmCorrect = 0;
    const dob = g('cls.predictions.output_bias');
    const row = ws.logits;
    const argmax = new Int32Array(P);
    for (let i = 0; i < P; i++) {
      const o = i * V;
      let max = -Infinity;
      let arg = 0;
      for (let v = 0; v < V; v++) {
        const z = row[o + v] + ob[v];
        row[o + v] = z;
        if (z > max) {
          max = z;
          arg = v;
        }
      }
      argmax[i] = arg;
    }
    this.products.softmax(row, P, V, row);
    for (let i = 0; i < P; i++) {
      const o = i * V;
      const y = batch.maskedIds[i];
      const w = batch.maskedWeights[i];
      mlmNll -= w * Math.log(Math.max(row[o + y], 1e-30));
      if (argmax[i] === y) mlmCorrect += w;
      // d loss / d logits = w / Σw · (softmax − one-hot), written over the row
      const k = w / wsum;
      for (let v = 0; v < V; v++) {
        const d = row[o + v] * k;
        row[o + v] = d;
        dob[v] += d;
      }
      row[o + y] -= k;
      dob[y] -= k;
    }
    const mlmLoss = mlmNll / wsum;
    const dLogits = ws.logits;

    this.lap('MLM head forward + softmax cross-entropy');
    // ---- backward: masked-LM head
    const dE = g('embeddings.word_embeddings');
    this.mm(dLogits, [P, V], ws.u, [P, H], dE, [V, H], true, false); // the decoder's share of dE
    this.mm(dLogits, [P, V], E, [V, H], ws.dPH, [P, H]); // d u
    layerNormBackward(
      ws.dPH,
      ws.xhatT,
      ws.rstdT,
      gT,
      H,
      ws.dPH2,
      g('cls.predictions.transform.LayerNorm.gamma'),
      g('cls.predictions.transform.LayerNorm.beta'),
    );
    for (let i = 0; i < P * H; i++) ws.dPH2[i] *= ws.tgd[i]; // d t
    biasGrad(ws.dPH2, g('cls.predictions.transform.dense.bias'), H);
    this.mm(
      ws.picked,
      [P, H],
      ws.dPH2,
      [P, H],
      g('cls.predictions.transform.dense.kernel'),
      [H, H],
      true,
      false,
    );
    this.mm(
      ws.dPH2,
      [P, H],
      p('cls.predictions.transform.dense.kernel'),
      [H, H],
      ws.dPH,
      [P, H],
      false,
      true,
    );
    const dX = ws.dX; // d (encoder output)
    dX.fill(0);
    for (let i = 0; i < P; i++) {
      const o = batch.maskedPositions[i] * H;
      for (let j = 0; j < H; j++) dX[o + j] += ws.dPH[i * H + j];
    }
    this.lap('MLM head backward');
    // ---- backward: next-sentence head
    const dWn = g('cls.seq_relationship.output_weights');
    const dbn = g('cls.seq_relationship.output_bias');
    const dWp = g('pooler.dense.kernel');
    const dbp = g('pooler.dense.bias');
    const dPre = new Float32Array(H);
    for (let b = 0; b < B; b++) {
      const d0 = dNsp[b * 2];
      const d1 = dNsp[b * 2 + 1];
      dbn[0] += d0;
      dbn[1] += d1;
      for (let i = 0; i < H; i++) {
        const pv = ws.pooled[b * H + i];
        dWn[i * 2] += pv * d0;
        dWn[i * 2 + 1] += pv * d1;
        dPre[i] = (d0 * Wn[i * 2] + d1 * Wn[i * 2 + 1]) * (1 - pv * pv);
      }
      const cls = b * T * H;
      for (let j = 0; j < H; j++) dbp[j] += dPre[j];
      for (let i = 0; i < H; i++) {
        const h = hL[cls + i];
        let s = 0;
        for (let j = 0; j < H; j++) {
          dWp[i * H + j] += h * dPre[j];
          s += dPre[j] * Wp[i * H + j];
        }
        dX[cls + i] += s;
      }
    }

    this.lap('NSP head backward');
    // ---- backward: encoder blocks; dX holds d (block output), then d (block input)
    for (let l = L - 1; l >= 0; l--) {
      const n = bertBlockNames(l);
      const lb = ws.layers[l];
      const a = n.attention as { query: string; key: string; value: string; output: string };
      const { dR2, dTmp, dH1, dR1, dCtx, dCtxH, dQ, dK, dV, dI, dQkv } = ws;
      layerNormBackward(
        dX,
        lb.xhat2,
        lb.rstd2,
        p(`${n.ffnNorm}.gamma`),
        H,
        dR2,
        g(`${n.ffnNorm}.gamma`),
        g(`${n.ffnNorm}.beta`),
      );
      // dR2 flows to h1 (residual) and through the dropped feed-forward output
      dTmp.set(dR2);
      if (drop) mulInto(dTmp, lb.maskFfn);
      biasGrad(dTmp, g(`${n.ffn.output}.bias`), H);
      this.mm(lb.g, [N, I], dTmp, [N, H], g(`${n.ffn.output}.kernel`), [I, H], true, false);
      this.mm(dTmp, [N, H], p(`${n.ffn.output}.kernel`), [I, H], dI, [N, I], false, true);
      for (let i = 0; i < dI.length; i++) dI[i] *= lb.gd[i];
      biasGrad(dI, g(`${n.ffn.inner}.bias`), I);
      this.mm(lb.h1, [N, H], dI, [N, I], g(`${n.ffn.inner}.kernel`), [H, I], true, false);
      this.mm(dI, [N, I], p(`${n.ffn.inner}.kernel`), [H, I], dH1, [N, H], false, true);
      for (let i = 0; i < dH1.length; i++) dH1[i] += dR2[i];
      layerNormBackward(
        dH1,
        lb.xhat1,
        lb.rstd1,
        p(`${n.attentionNorm}.gamma`),
        H,
        dR1,
        g(`${n.attentionNorm}.gamma`),
        g(`${n.attentionNorm}.beta`),
      );
      // dR1 flows to the block input (residual) and through the dropped attention output
      dTmp.set(dR1);
      if (drop) mulInto(dTmp, lb.maskAttn);
      biasGrad(dTmp, g(`${a.output}.bias`), H);
      this.mm(lb.ctx, [N, H], dTmp, [N, H], g(`${a.output}.kernel`), [H, H], true, false);
      this.mm(dTmp, [N, H], p(`${a.output}.kernel`), [H, H], dCtx, [N, H], false, true);
      for (let b = 0; b < B; b++)
        for (let h = 0; h < nh; h++)
          for (let t = 0; t < T; t++) {
            const dst = ((b * nh + h) * T + t) * dh;
            const src = (b * T + t) * H + h * dh;
            for (let d = 0; d < dh; d++) dCtxH[dst + d] = dCtx[src + d];
          }
      const BH = B * nh;
      // through ctx = dropped probs · v
      this.mm(dCtxH, [BH, T, dh], lb.v, [BH, T, dh], ws.dProbs, [BH, T, T], false, true);
      this.mm(
        drop ? lb.probsDropped : lb.probs,
        [BH, T, T],
        dCtxH,
        [BH, T, dh],
        dV,
        [BH, T, dh],
        true,
        false,
      );
      if (drop) mulInto(ws.dProbs, lb.maskProbs);
      // softmax backward, then the scale
      for (let r = 0; r < BH * T; r++) {
        const o = r * T;
        let dot = 0;
        for (let j = 0; j < T; j++) dot += ws.dProbs[o + j] * lb.probs[o + j];
        for (let j = 0; j < T; j++) ws.dProbs[o + j] = lb.probs[o + j] * (ws.dProbs[o + j] - dot) * scale;
      }
      this.mm(ws.dProbs, [BH, T, T], lb.k, [BH, T, dh], dQ, [BH, T, dh]);
      this.mm(ws.dProbs, [BH, T, T], lb.q, [BH, T, dh], dK, [BH, T, dh], true, false);
      for (let b = 0; b < B; b++)
        for (let t = 0; t < T; t++) {
          const dst = (b * T + t) * 3 * H;
          for (let h = 0; h < nh; h++) {
            const src = ((b * nh + h) * T + t) * dh;
            const s = dst + h * dh;
            for (let d = 0; d < dh; d++) {
              dQkv[s + d] = dQ[src + d];
              dQkv[s + H + d] = dK[src + d];
              dQkv[s + 2 * H + d] = dV[src + d];
            }
          }
        }
      const db3 = new Float32Array(3 * H);
      biasGrad(dQkv, db3, 3 * H);
      g(`${a.query}.bias`).set(db3.subarray(0, H));
      g(`${a.key}.bias`).set(db3.subarray(H, 2 * H));
      g(`${a.value}.bias`).set(db3.subarray(2 * H));
      this.mm(lb.input, [N, H], dQkv, [N, 3 * H], ws.dW3, [H, 3 * H], true, false);
      const dWq = g(`${a.query}.kernel`);
      const dWk = g(`${a.key}.kernel`);
      const dWv = g(`${a.value}.kernel`);
      for (let i = 0; i < H; i++) {
        dWq.set(ws.dW3.subarray(i * 3 * H, i * 3 * H + H), i * H);
        dWk.set(ws.dW3.subarray(i * 3 * H + H, i * 3 * H + 2 * H), i * H);
        dWv.set(ws.dW3.subarray(i * 3 * H + 2 * H, i * 3 * H + 3 * H), i * H);
      }
      // d (block input) = dR1 (residual) + dQkv · W3ᵀ; dX (d block output) is no longer needed
      this.mm(dQkv, [N, 3 * H], ws.wqkv[l], [H, 3 * H], dX, [N, H], false, true);
      for (let i = 0; i < dX.length; i++) dX[i] += dR1[i];
    }

    this.lap('encoder backward');
    // ---- backward: embeddings
    if (mask0) mulInto(dX, mask0);
    const dX0 = ws.dR1;
    layerNormBackward(
      dX,
      ws.xhat0,
      ws.rstd0,
      p('embeddings.LayerNorm.gamma'),
      H,
      dX0,
      g('embeddings.LayerNorm.gamma'),
      g('embeddings.LayerNorm.beta'),
    );
    const dPe = g('embeddings.position_embeddings');
    const dSe = g('embeddings.token_type_embeddings');
    for (let n = 0; n < N; n++) {
      const e = batch.inputIds[n] * H;
      const pe = (n % T) * H;
      const se = batch.segmentIds[n] * H;
      const o = n * H;
      for (let j = 0; j < H; j++) {
        const d = dX0[o + j];
        dE[e + j] += d;
        dPe[pe + j] += d;
        dSe[se + j] += d;
      }
    }
    this.lap('embeddings backward');
    return {
      loss: mlmLoss + nspWeight * nspLoss,
      mlmLoss,
      nspLoss,
      mlmCorrect,
      nspCorrect,
      grads: this.grads,
    };
  }
}

/** The parameters only the next-sentence loss reaches: without it (weight 0) they get no update at all. */
export function nspOnly(name: string): boolean {
  return name.startsWith('pooler.') || name.startsWith('cls.seq_relationship.');
}

/**
 * The hand-written step for this model when it can and should run: the config is covered, and the wasm
 * backend already hands its matrix products to ONNX Runtime (backend `auto`), unless
 * PRETRAIN_LAB_FAST_STEP=0; PRETRAIN_LAB_FAST_STEP=1 asks for it wherever ONNX Runtime loads.
 * Otherwise undefined, and the training runs on tfjs's autograd.
 */
export function fastBertFor(
  config: BertConfig,
  shapes: [string, number[]][],
  ortProducts: boolean,
  threads: number,
): FastBertStep | undefined {
  const env = (process.env.PRETRAIN_LAB_FAST_STEP ?? '').trim().toLowerCase();
  if (['0', 'off', 'false'].includes(env)) return undefined;
  if (!ortProducts && !['1', 'on', 'true'].includes(env)) return undefined;
  if (fastBertProblem(config)) return undefined;
  try {
    return new FastBertStep(config, new OrtProducts(threads), shapes);
  } catch {
    return undefined; // ONNX Runtime did not load: tfjs trains, as it would have
  }
}
