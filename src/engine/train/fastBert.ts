// Issue 14, design (b): one BERT pretraining step (forward, backward, the losses of bert.ts's
// pretrainLosses) written out by hand over float32 arrays, in the spirit of karpathy/llm.c: a few fused
// passes per layer (embeddings + LayerNorm, attention's scale + padding bias + softmax, GELU with its
// derivative kept for the backward pass, softmax cross-entropy; fastKernels.ts), the matrix products,
// softmaxes and GELU on ONNX Runtime (ortProducts.ts), no autograd tape and no per-op dispatch. tfjs's Bert stays the definition: the
// parameters are its variables' values by name, and test/unit/fastBert.test.ts checks loss and every
// gradient against tf.variableGrads of Bert.pretrainLosses. Covers the post-LN BERT with exact GELU
// (every preset; imported checkpoints with gelu_new or relu train on tfjs). Dropout draws its own masks
// (mulberry32 from the step's seed), so a step with dropout is not bit-equal to the tfjs one.
// The buffers, the copies in and the shared pieces (dense, residual LayerNorm, dropout, timed products)
// are fastStepBase.ts's.
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../shared/configs';
import { tensorMemory } from '../backend';
import { bertBlockNames } from '../models/bert';
import { OrtProducts } from '../onnx/ortProducts';
import { concatQkv, gatherRows, scatterAddRows, splitQkvGrad } from './fastKernels';
import { type FastBatch, FastStepBase, fastBertProblem } from './fastStepBase';
import { SimdKernels } from './stepKernels';

export { type FastBatch, fastBertProblem } from './fastStepBase';

export interface FastStepResult {
  loss: number;
  mlmLoss: number;
  nspLoss: number;
  mlmCorrect: number; // weighted right top-1 predictions
  nspCorrect: number;
  /** Gradients by parameter name; the arrays are reused by the next step. */
  grads: Map<string, Float32Array>;
  /** Σ g² over every gradient, when the SIMD passes computed it (Trainer.applyGradients takes it). */
  sumSquares?: number;
}

export class FastBertStep extends FastStepBase {
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
    const T = batch.seqLength;
    if (T > c.maxPositions)
      throw new Error(`The input has ${T} tokens; this model accepts at most ${c.maxPositions}.`);
    this.begin(params, batch, training, seed);
    try {
      this.embeddingsForward();
      this.lap('embeddings forward');
      for (let l = 0; l < c.numLayers; l++) this.blockForward(l);
      this.lap('encoder forward');
      const nsp = this.nspHead(nspWeight);
      this.lap('NSP head, forward and backward');
      const mlm = this.mlmHeadForward();
      this.lap('MLM head forward + softmax cross-entropy');
      this.mlmHeadBackward();
      this.lap('MLM head backward');
      for (let l = c.numLayers - 1; l >= 0; l--) this.blockBackward(l);
      this.lap('encoder backward');
      this.embeddingsBackward();
      this.lap('embeddings backward');
      return {
        loss: mlm.loss + nspWeight * nsp.loss,
        mlmLoss: mlm.loss,
        nspLoss: nsp.loss,
        mlmCorrect: mlm.correct,
        nspCorrect: nsp.correct,
        grads: this.grads,
        sumSquares: this.k instanceof SimdKernels ? this.k.sumSquares(this.grads.values()) : undefined,
      };
    } finally {
      this.params = new Map();
    }
  }

  private embeddingsForward(): void {
    const { ws, batch: b, config: c } = this;
    const H = c.hiddenSize;
    const E = this.p('embeddings.word_embeddings');
    this.k.embed(
      b.inputIds,
      b.segmentIds,
      E,
      this.p('embeddings.position_embeddings'),
      this.p('embeddings.token_type_embeddings'),
      ws.T,
      H,
      ws.x0,
    );
    const gamma = this.p('embeddings.LayerNorm.gamma');
    this.k.layerNorm(
      ws.x0,
      gamma,
      this.p('embeddings.LayerNorm.beta'),
      c.layerNormEps,
      H,
      ws.h0,
      ws.xhat0,
      ws.rstd0,
    );
    const m = this.mask(ws.mask0);
    if (m) this.k.mulInto(ws.h0, m);
  }

  /** The sizes, parameter names and buffers of block l. */
  private block(l: number) {
    const { ws, config: c } = this;
    const { B, T } = ws;
    const H = c.hiddenSize;
    const nh = c.numHeads;
    const n = bertBlockNames(l);
    const a = n.attention as { query: string; key: string; value: string; output: string };
    const dh = H / nh;
    return {
      B,
      T,
      H,
      I: c.intermediateSize,
      nh,
      dh,
      N: B * T,
      BH: B * nh,
      n,
      a,
      lb: ws.layers[l],
      hs: { B, T, nh, dh },
    };
  }

  private blockForward(l: number): void {
    const { ws, batch } = this;
    const { B, T, H, I, nh, dh, N, BH, n, a, lb, hs } = this.block(l);
    lb.input.set(l === 0 ? ws.h0 : ws.layers[l - 1].out);
    // one [H, 3H] product for query, key and value
    const p = (k: string) => this.p(k);
    concatQkv(
      p(`${a.query}.kernel`),
      p(`${a.key}.kernel`),
      p(`${a.value}.kernel`),
      p(`${a.query}.bias`),
      p(`${a.key}.bias`),
      p(`${a.value}.bias`),
      H,
      ws.wqkv[l],
      ws.bqkv[l],
    );
    this.mm(lb.input, [N, H], ws.wqkv[l], [H, 3 * H], lb.qkv, [N, 3 * H], false, false, ws.bqkv[l]);
    this.k.qkvHeads(lb.qkv, lb.q, lb.k, lb.v, hs, true);
    this.mm(lb.q, [BH, T, dh], lb.k, [BH, T, dh], lb.probs, [BH, T, T], false, true);
    this.k.scaleAndMask(lb.probs, batch.attentionMask, B, nh, T, 1 / Math.sqrt(dh));
    this.k.softmax(lb.probs, BH * T, T, lb.probs);
    const mp = this.mask(lb.maskProbs);
    if (mp) this.k.mulTo(lb.probs, mp, lb.probsDropped);
    this.mm(mp ? lb.probsDropped : lb.probs, [BH, T, T], lb.v, [BH, T, dh], lb.ctxHeads, [BH, T, dh]);
    this.k.heads(lb.ctx, lb.ctxHeads, hs, false);
    this.dense(lb.ctx, N, a.output, H, H, lb.r1);
    this.addNorm(lb.r1, lb.input, lb.maskAttn, n.attentionNorm, lb.h1, lb.xhat1, lb.rstd1);
    // feed-forward
    this.dense(lb.h1, N, n.ffn.inner, H, I, lb.f);
    this.k.gelu(lb.f, lb.g, lb.gd);
    this.dense(lb.g, N, n.ffn.output, I, H, lb.r2);
    this.addNorm(lb.r2, lb.h1, lb.maskFfn, n.ffnNorm, lb.out, lb.xhat2, lb.rstd2);
  }

  /**
   * The next-sentence head (pooled [CLS] → tanh dense → 2 logits, mean cross-entropy), both ways: the
   * pooler's products on ONNX Runtime, the two logits per sequence in loops.
   */
  private nspHead(weight: number): { loss: number; correct: number } {
    const { ws, batch, config: c } = this;
    const { B, T } = ws;
    const H = c.hiddenSize;
    const hL = ws.layers[c.numLayers - 1].out;
    const Wp = this.p('pooler.dense.kernel');
    const Wn = this.p('cls.seq_relationship.output_weights');
    const bn = this.p('cls.seq_relationship.output_bias');
    const dWn = this.g('cls.seq_relationship.output_weights');
    const dbn = this.g('cls.seq_relationship.output_bias');
    const dbp = this.g('pooler.dense.bias');
    const { cls, pooled, dPre, dCls } = ws;
    for (let b = 0; b < B; b++) cls.set(hL.subarray(b * T * H, b * T * H + H), b * H);
    this.mm(cls, [B, H], Wp, [H, H], pooled, [B, H], false, false, this.p('pooler.dense.bias'));
    let loss = 0;
    let correct = 0;
    for (let b = 0; b < B; b++) {
      const o = b * H;
      let z0 = bn[0];
      let z1 = bn[1];
      for (let i = 0; i < H; i++) {
        const t = Math.tanh(pooled[o + i]);
        pooled[o + i] = t;
        z0 += t * Wn[i * 2];
        z1 += t * Wn[i * 2 + 1];
      }
      const m = Math.max(z0, z1);
      const lse = m + Math.log(Math.exp(z0 - m) + Math.exp(z1 - m));
      const y = batch.nspLabels[b];
      loss += (lse - (y === 1 ? z1 : z0)) / B;
      if ((z1 > z0 ? 1 : 0) === y) correct++;
      const d0 = ((Math.exp(z0 - lse) - (y === 0 ? 1 : 0)) / B) * weight;
      const d1 = ((Math.exp(z1 - lse) - (y === 1 ? 1 : 0)) / B) * weight;
      dbn[0] += d0;
      dbn[1] += d1;
      for (let i = 0; i < H; i++) {
        const t = pooled[o + i];
        dWn[i * 2] += t * d0;
        dWn[i * 2 + 1] += t * d1;
        const d = (d0 * Wn[i * 2] + d1 * Wn[i * 2 + 1]) * (1 - t * t);
        dPre[o + i] = d;
        dbp[i] += d;
      }
    }
    // only this head reaches the pooler: its kernel's gradient is this product alone
    this.mm(cls, [B, H], dPre, [B, H], this.g('pooler.dense.kernel'), [H, H], true, false);
    this.mm(dPre, [B, H], Wp, [H, H], dCls, [B, H], false, true);
    ws.dX.fill(0); // the encoder output's gradient starts here (the MLM head adds to it)
    for (let b = 0; b < B; b++) ws.dX.set(dCls.subarray(b * H, b * H + H), b * T * H);
    return { loss, correct };
  }

  /** The masked-LM head at the masked positions: dense, GELU, LayerNorm, tied decoder, cross-entropy (and d logits). */
  private mlmHeadForward(): { loss: number; correct: number } {
    const { ws, batch, config: c } = this;
    const H = c.hiddenSize;
    const V = c.vocabSize;
    const P = ws.P;
    gatherRows(ws.layers[c.numLayers - 1].out, batch.maskedPositions, H, ws.picked);
    this.dense(ws.picked, P, 'cls.predictions.transform.dense', H, H, ws.t);
    this.k.gelu(ws.t, ws.tg, ws.tgd);
    const gamma = this.p('cls.predictions.transform.LayerNorm.gamma');
    this.k.layerNorm(
      ws.tg,
      gamma,
      this.p('cls.predictions.transform.LayerNorm.beta'),
      c.layerNormEps,
      H,
      ws.u,
      ws.xhatT,
      ws.rstdT,
    );
    let wsum = 1e-5;
    for (let i = 0; i < P; i++) wsum += batch.maskedWeights[i];
    if (this.fusedDecoder) {
      // the decoder, the cross-entropy and their gradients in one ONNX Runtime call (the [P, V] logits
      // stay there): d word embeddings and d bias written, d u left in dPH for mlmHeadBackward
      for (let i = 0; i < P; i++) ws.rowScale[i] = batch.maskedWeights[i] / wsum;
      const t0 = this.timings ? performance.now() : 0;
      this.products.mlmDecoder(
        ws.u,
        this.p('embeddings.word_embeddings'),
        this.p('cls.predictions.output_bias'),
        batch.maskedIds, // the arena's copy with the SIMD passes
        ws.rowScale,
        P,
        H,
        V,
        {
          nll: ws.nll,
          hit: ws.hit,
          dU: ws.dPH,
          dW: this.g('embeddings.word_embeddings'),
          db: this.g('cls.predictions.output_bias'),
        },
      );
      if (this.timings) this.countProduct(performance.now() - t0);
      let nll = 0;
      let right = 0;
      for (let i = 0; i < P; i++) {
        nll += batch.maskedWeights[i] * ws.nll[i];
        right += batch.maskedWeights[i] * ws.hit[i];
      }
      return { loss: nll / wsum, correct: right };
    }
    this.mm(ws.u, [P, H], this.p('embeddings.word_embeddings'), [V, H], ws.logits, [P, V], false, true);
    const [nll, right] = this.k.softmaxCrossEntropy(
      ws.logits,
      this.p('cls.predictions.output_bias'),
      batch.maskedIds,
      batch.maskedWeights,
      wsum,
      V,
      this.g('cls.predictions.output_bias'),
      ws.argmax,
      ws.pY,
    );
    return { loss: nll / wsum, correct: right };
  }

  private mlmHeadBackward(): void {
    const { ws, batch, config: c } = this;
    const H = c.hiddenSize;
    const V = c.vocabSize;
    const P = ws.P;
    if (!this.fusedDecoder) {
      const dLogits = ws.logits;
      // the decoder's share of d word embeddings; embeddingsBackward adds the lookup's
      this.mm(dLogits, [P, V], ws.u, [P, H], this.g('embeddings.word_embeddings'), [V, H], true, false);
      this.mm(dLogits, [P, V], this.p('embeddings.word_embeddings'), [V, H], ws.dPH, [P, H]);
    }
    const gamma = this.p('cls.predictions.transform.LayerNorm.gamma');
    this.k.layerNormBackward(
      ws.dPH,
      ws.xhatT,
      ws.rstdT,
      gamma,
      H,
      ws.dPH2,
      this.g('cls.predictions.transform.LayerNorm.gamma'),
      this.g('cls.predictions.transform.LayerNorm.beta'),
    );
    this.k.mulInto(ws.dPH2, ws.tgd);
    this.denseBackward(ws.picked, ws.dPH2, P, 'cls.predictions.transform.dense', H, H, ws.dPH);
    scatterAddRows(ws.dPH, batch.maskedPositions, H, ws.dX);
  }

  /** dX holds d (block output) on entry and d (block input) on return. */
  private blockBackward(l: number): void {
    const { ws } = this;
    const { T, H, I, dh, N, BH, n, a, lb, hs } = this.block(l);
    const { dX, dR2, dTmp, dH1, dR1, dCtx, dCtxH, dQ, dK, dV, dI, dQkv } = ws;
    const g = (k: string) => this.g(k);
    // dR2 flows to h1 (residual) and through the dropped feed-forward output (dTmp)
    this.addNormBackward(dX, lb.maskFfn, n.ffnNorm, lb.xhat2, lb.rstd2, dR2, dTmp);
    this.denseBackward(lb.g, dTmp, N, n.ffn.output, I, H, dI);
    this.k.mulInto(dI, lb.gd);
    this.denseBackward(lb.h1, dI, N, n.ffn.inner, H, I, dH1);
    this.k.addInto(dH1, dR2);
    // dR1 flows to the block input (residual) and through the dropped attention output (dTmp)
    this.addNormBackward(dH1, lb.maskAttn, n.attentionNorm, lb.xhat1, lb.rstd1, dR1, dTmp);
    this.denseBackward(lb.ctx, dTmp, N, a.output, H, H, dCtx);
    this.k.heads(dCtx, dCtxH, hs, true);
    // through ctx = (dropped) probs · v
    this.mm(dCtxH, [BH, T, dh], lb.v, [BH, T, dh], ws.dProbs, [BH, T, T], false, true);
    this.mm(
      this.drop ? lb.probsDropped : lb.probs,
      [BH, T, T],
      dCtxH,
      [BH, T, dh],
      dV,
      [BH, T, dh],
      true,
      false,
    );
    if (this.drop) this.k.mulInto(ws.dProbs, lb.maskProbs!);
    this.k.softmaxBackward(ws.dProbs, lb.probs, T, 1 / Math.sqrt(dh));
    this.mm(ws.dProbs, [BH, T, T], lb.k, [BH, T, dh], dQ, [BH, T, dh]);
    this.mm(ws.dProbs, [BH, T, T], lb.q, [BH, T, dh], dK, [BH, T, dh], true, false);
    this.k.qkvHeads(dQkv, dQ, dK, dV, hs, false);
    ws.db3.fill(0);
    this.k.biasGrad(dQkv, ws.db3, 3 * H);
    g(`${a.query}.bias`).set(ws.db3.subarray(0, H));
    g(`${a.key}.bias`).set(ws.db3.subarray(H, 2 * H));
    g(`${a.value}.bias`).set(ws.db3.subarray(2 * H));
    this.mm(lb.input, [N, H], dQkv, [N, 3 * H], ws.dW3, [H, 3 * H], true, false);
    splitQkvGrad(ws.dW3, H, g(`${a.query}.kernel`), g(`${a.key}.kernel`), g(`${a.value}.kernel`));
    // d (block input) = dR1 (residual) + dQkv · W3ᵀ; dX (d block output) is no longer needed
    this.mm(dQkv, [N, 3 * H], ws.wqkv[l], [H, 3 * H], dX, [N, H], false, true);
    this.k.addInto(dX, dR1);
  }

  private embeddingsBackward(): void {
    const { ws, batch, config: c } = this;
    const H = c.hiddenSize;
    if (this.drop && ws.mask0) this.k.mulInto(ws.dX, ws.mask0);
    const dX0 = ws.dR1;
    this.k.layerNormBackward(
      ws.dX,
      ws.xhat0,
      ws.rstd0,
      this.p('embeddings.LayerNorm.gamma'),
      H,
      dX0,
      this.g('embeddings.LayerNorm.gamma'),
      this.g('embeddings.LayerNorm.beta'),
    );
    this.k.embedBackward(
      batch.inputIds,
      batch.segmentIds,
      dX0,
      ws.T,
      H,
      this.g('embeddings.word_embeddings'),
      this.g('embeddings.position_embeddings'),
      this.g('embeddings.token_type_embeddings'),
    );
  }
}

/**
 * The variables' values by name for one step: views of their own memory on wasm and cpu (valid until
 * tfjs next allocates, which the step does not do), copies elsewhere.
 */
export function variableValues(params: ReadonlyMap<string, tf.Variable>): Map<string, Float32Array> {
  const name = tf.getBackend();
  const inPlace = name === 'wasm' || name === 'cpu';
  const backend = tf.backend();
  const values = new Map<string, Float32Array>();
  for (const [n, v] of params)
    values.set(n, (inPlace ? tensorMemory(backend, name, v) : v.dataSync()) as Float32Array);
  return values;
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
  let products: OrtProducts | undefined;
  try {
    products = new OrtProducts(threads);
    products.prepare(); // every session the step uses, so that one ORT refuses shows here
    return new FastBertStep(config, products, shapes);
  } catch {
    products?.dispose();
    return undefined; // ONNX Runtime did not load or refused a graph: tfjs trains, as it would have
  }
}
