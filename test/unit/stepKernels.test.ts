// Issue 14: the WebAssembly SIMD passes of the hand-written BERT step (src/engine/train/stepKernels.wat)
// give what their JavaScript twins (fastKernels.ts, softmax and GELU on ONNX Runtime) give, on random
// inputs whose widths leave a tail after the last group of 4 where a pass takes any width; dropout's masks
// are the same bits. fastBert.test.ts then checks the whole step against tfjs's autograd.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { OrtProducts } from '../../src/engine/onnx/ortProducts';
import { loadOrt } from '../../src/engine/onnx/runtime';
import { Rng } from '../../src/engine/random';
import { adamWUpdate, simdAdamW } from '../../src/engine/train/fusedAdamW';
import { jsKernels, SimdKernels, type StepKernels } from '../../src/engine/train/stepKernels';
import { STEP_KERNELS_WASM_BASE64 } from '../../src/engine/train/stepKernelsWasm';

const rng = new Rng(7);
const rand = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * scale);

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]) / Math.max(1, Math.abs(b[i]));
    if (!(d <= worst)) worst = d; // NaN makes it NaN
  }
  return worst;
}

/** A SIMD arena with room for `floats` values; copies of `src` arrays inside it. */
function arena(floats: number) {
  const k = new SimdKernels(floats * 4 + 64 * 16);
  const put = (a: Float32Array) => {
    const v = k.f32(a.length);
    v.set(a);
    return v;
  };
  const putI = (a: Int32Array) => {
    const v = k.i32(a.length);
    v.set(a);
    return v;
  };
  return { k, put, putI };
}

describe('WebAssembly SIMD passes of the BERT step', () => {
  loadOrt();
  const products = new OrtProducts(1);
  const ref: StepKernels = jsKernels(products);

  test('LayerNorm and its backward pass, bias add and bias gradient, embeddings both ways', () => {
    const C = 12;
    const rows = 7;
    const { k, put, putI } = arena(20000);
    const x = rand(rows * C, 3);
    const gamma = rand(C);
    const beta = rand(C);
    const dy = rand(rows * C);
    const outs = [ref, k].map((K) => {
      const o =
        K === k ? { x: put(x), g: put(gamma), b: put(beta), dy: put(dy) } : { x, g: gamma, b: beta, dy };
      const out = K.f32(rows * C);
      const xhat = K.f32(rows * C);
      const rstd = K.f32(rows);
      K.layerNorm(o.x, o.g, o.b, 1e-5, C, out, xhat, rstd);
      const dx = K.f32(rows * C);
      const dg = K.f32(C);
      const db = K.f32(C);
      dg.fill(0.5); // accumulated into
      K.layerNormBackward(o.dy, xhat, rstd, o.g, C, dx, dg, db);
      const biased = K.f32(rows * C);
      biased.set(o.dy);
      K.addBias(biased, o.b, C);
      const bg = K.f32(C);
      bg.fill(1);
      K.biasGrad(o.dy, bg, C);
      return [out, xhat, rstd, dx, dg, db, biased, bg].map((a) => Float32Array.from(a));
    });
    outs[0].forEach((a, i) => {
      assert.ok(maxRel(outs[1][i], a) < 1e-5, `output ${i}: ${maxRel(outs[1][i], a)}`);
    });

    const V = 9;
    const T = 5;
    const H = 8;
    const ids = Int32Array.from({ length: 10 }, (_, i) => (i * 4) % V);
    const segs = Int32Array.from({ length: 10 }, (_, i) => (i < 6 ? 0 : 1));
    const [E, Pe, Se, dx] = [rand(V * H), rand(T * H), rand(2 * H), rand(10 * H)];
    const got = [ref, k].map((K) => {
      const p = (a: Float32Array) => (K === k ? put(a) : Float32Array.from(a));
      const [I, S] = K === k ? [putI(ids), putI(segs)] : [ids, segs];
      const out = K.f32(10 * H);
      K.embed(I, S, p(E), p(Pe), p(Se), T, H, out);
      const [dE, dPe, dSe] = [p(E), p(Pe), p(Se)]; // accumulated into
      K.embedBackward(I, S, p(dx), T, H, dE, dPe, dSe);
      return [out, dE, dPe, dSe].map((a) => Float32Array.from(a));
    });
    got[0].forEach((a, i) => {
      assert.ok(maxRel(got[1][i], a) < 1e-6, `embedding output ${i}`);
    });
  });

  test('softmax, its backward pass, attention masking and GELU, with widths that leave a tail', () => {
    const { k, put } = arena(40000);
    for (const T of [5, 8, 13]) {
      const B = 2;
      const nh = 3;
      const s = rand(B * nh * T * T, 6);
      const mask = Float32Array.from({ length: B * T }, (_, i) => (i % T > T - 3 && i >= T ? 0 : 1));
      const dp = rand(B * nh * T * T);
      const got = [ref, k].map((K) => {
        const S = K === k ? put(s) : Float32Array.from(s);
        K.scaleAndMask(S, K === k ? put(mask) : mask, B, nh, T, 0.3);
        const probs = K.f32(S.length);
        K.softmax(S, B * nh * T, T, probs);
        const D = K === k ? put(dp) : Float32Array.from(dp);
        K.softmaxBackward(D, probs, T, 0.3);
        return [S, probs, D].map((a) => Float32Array.from(a));
      });
      got[0].forEach((a, i) => {
        assert.ok(maxRel(got[1][i], a) < 2e-6, `T ${T}, output ${i}: ${maxRel(got[1][i], a)}`);
      });
      // a masked key gets no weight
      assert.ok(got[1][1][(B * nh * T - 1) * T + T - 1] < 1e-30);
    }
    const x = rand(4 * 37, 5);
    x[0] = 0;
    x[1] = -12;
    x[2] = 12;
    const got = [ref, k].map((K) => {
      const [g, gd] = [K.f32(x.length), K.f32(x.length)];
      K.gelu(K === k ? put(x) : x, g, gd);
      return [g, gd].map((a) => Float32Array.from(a));
    });
    assert.ok(maxRel(got[1][0], got[0][0]) < 1e-6, `GELU ${maxRel(got[1][0], got[0][0])}`);
    assert.ok(maxRel(got[1][1], got[0][1]) < 1e-6, `GELU' ${maxRel(got[1][1], got[0][1])}`);
  });

  test('the masked LM softmax cross-entropy: loss, right answers, gradient and bias gradient', () => {
    const { k, put, putI } = arena(20000);
    const P = 6;
    const V = 83; // a tail of 3
    const logits = rand(P * V, 8);
    logits[2 * V + 81] = 20; // an arg max in the tail
    const bias = rand(V);
    const ids = Int32Array.from([3, 81, 81, 0, 50, 82]);
    const weights = Float32Array.from([1, 1, 1, 0, 1, 1]);
    const got = [ref, k].map((K) => {
      const L = K === k ? put(logits) : Float32Array.from(logits);
      const dBias = K.f32(V);
      const argmax = K.i32(P);
      const [nll, right] = K.softmaxCrossEntropy(
        L,
        K === k ? put(bias) : bias,
        K === k ? putI(ids) : ids,
        K === k ? put(weights) : weights,
        5,
        V,
        dBias,
        argmax,
        K.f32(P),
      );
      return {
        nll,
        right,
        L: Float32Array.from(L),
        dBias: Float32Array.from(dBias),
        argmax: Array.from(argmax),
      };
    });
    assert.ok(Math.abs(got[1].nll - got[0].nll) < 1e-4 * got[0].nll, `${got[1].nll} vs ${got[0].nll}`);
    assert.equal(got[1].right, got[0].right);
    assert.ok(got[0].right >= 1, 'the planted arg max is right');
    assert.deepEqual(got[1].argmax, got[0].argmax);
    assert.ok(maxRel(got[1].L, got[0].L) < 1e-6);
    assert.ok(maxRel(got[1].dBias, got[0].dBias) < 1e-6);
  });

  test('dropout masks are the same bits; products and sums of arrays and heads agree', () => {
    const { k, put } = arena(60000);
    for (const n of [4, 1001]) {
      const a = ref.f32(n);
      const b = k.f32(n);
      ref.dropoutMask(12345, a, 0.1);
      k.dropoutMask(12345, b, 0.1);
      assert.deepEqual(Array.from(b), Array.from(a));
      const dropped = a.filter((v) => v === 0).length / n;
      if (n > 100) assert.ok(dropped > 0.05 && dropped < 0.15, `dropped ${dropped}`);
    }
    const [a, b] = [rand(1003), rand(1003)];
    const [A, Bv] = [put(a), put(b)];
    k.addInto(A, Bv);
    assert.deepEqual(Array.from(A), Array.from(a.map((v, i) => Math.fround(v + b[i]))));
    k.mulTo(A, Bv, A);
    k.mulInto(A, Bv);
    const want = a.map((v, i) => Math.fround(Math.fround(Math.fround(v + b[i]) * b[i]) * b[i]));
    assert.deepEqual(Array.from(A), Array.from(want));

    const [B, T, nh, dh] = [2, 3, 2, 5];
    const qkv = rand(B * T * 3 * nh * dh);
    const got = [ref, k].map((K) => {
      const [q, kk, v] = [K.f32(qkv.length / 3), K.f32(qkv.length / 3), K.f32(qkv.length / 3)];
      K.qkvHeads(K === k ? put(qkv) : qkv, q, kk, v, { B, T, nh, dh }, true);
      const back = K.f32(qkv.length);
      K.qkvHeads(back, q, kk, v, { B, T, nh, dh }, false);
      const merged = K.f32(q.length);
      K.heads(merged, q, { B, T, nh, dh }, false);
      return [q, kk, v, back, merged].map((x) => Array.from(x));
    });
    assert.deepEqual(got[1], got[0]);
    assert.deepEqual(got[1][3], Array.from(qkv), 'heads and back again is the identity');

    const g = rand(1003, 0.1);
    const sq = g.reduce((s, x) => s + x * x, 0);
    assert.ok(Math.abs(k.sumSquares([put(g)]) - sq) < 1e-6 * sq, 'the gradient norm');
  });

  test('AdamW in SIMD updates parameters and moments as the JavaScript update does, clipped and decayed', () => {
    const n = 1003;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const run = simdAdamW(memory)!;
    const [p, m, v, g] = [rand(n), rand(n, 0.01), rand(n, 0.001).map(Math.abs), rand(n, 0.1)];
    const heap = new Float32Array(memory.buffer);
    [p, m, v, g].forEach((a, i) => {
      heap.set(a, i * n);
    });
    const step = {
      lr: 1e-3,
      b1: 0.9,
      b2: 0.999,
      bc1: 1 - 0.9 ** 3,
      bc2: 1 - 0.999 ** 3,
      eps: 1e-6,
      wd: 0.01,
      clip: 0.5,
    };
    run(0, 4 * n, 8 * n, 12 * n, n, step);
    adamWUpdate(p, m, v, g, step, p, m, v);
    [p, m, v].forEach((want, i) => {
      const got = heap.subarray(i * n, (i + 1) * n);
      assert.ok(maxRel(got, want) < 1e-6, `array ${i}: ${maxRel(got, want)}`);
    });
  });

  test('the committed WebAssembly matches stepKernels.wat', async () => {
    const { assemble } = await import('../../scripts/build-wasm.mjs');
    assert.equal(await assemble('step'), STEP_KERNELS_WASM_BASE64, 'run node scripts/build-wasm.mjs');
  });
});
