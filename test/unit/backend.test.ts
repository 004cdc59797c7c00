import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend, onnxInference } from '../../src/engine/backend';
import { Rng } from '../../src/engine/random';

function rand(shape: number[], rng: Rng): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => rng.next() * 2 - 1),
    shape,
  );
}

/** Straightforward reference: C[b] = op(A[b]) · op(B[b]), with a batch of 1 broadcast. */
function refMatMul(a: number[][][], b: number[][][], ta: boolean, tb: boolean): number[][][] {
  const tr = (m: number[][]) => m[0].map((_, j) => m.map((r) => r[j]));
  const batch = Math.max(a.length, b.length);
  const out: number[][][] = [];
  for (let i = 0; i < batch; i++) {
    const A = ta ? tr(a[a.length === 1 ? 0 : i]) : a[a.length === 1 ? 0 : i];
    const B = tb ? tr(b[b.length === 1 ? 0 : i]) : b[b.length === 1 ? 0 : i];
    out.push(A.map((row) => B[0].map((_, j) => row.reduce((s, x, k) => s + x * B[k][j], 0))));
  }
  return out;
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol = 1e-4): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('backend selection', () => {
  test('auto picks the best available backend and says why others were skipped', async () => {
    const info = await initBackend('auto');
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.name));
    assert.equal(tf.getBackend(), info.name);
    for (const t of info.tried.slice(0, -1)) assert.ok(t.error, `${t.name} was skipped without a reason`);
  });

  test('auto runs inference on ONNX Runtime when it loads, and a named tfjs backend on itself', async () => {
    const auto = await initBackend('auto');
    if (auto.inference) {
      assert.equal(onnxInference(), true);
      assert.match(
        describeBackend(auto),
        /^inference: onnxruntime \d+\.\d+\.\d+ \(\d+ threads?\) · training: (tensorflow|wasm|cpu)$/,
      );
    } else {
      assert.ok(auto.inferenceError, 'ONNX Runtime was skipped without a reason');
    }
    const wasm = await initBackend('wasm');
    assert.equal(wasm.inference, undefined);
    assert.equal(onnxInference(), false);
    assert.equal(describeBackend(wasm), 'wasm');
  });

  test('a forced backend that is not installed fails with a clear sentence', async () => {
    let hasNode = true;
    try {
      require.resolve('@tensorflow/tfjs-node');
    } catch {
      hasNode = false;
    }
    if (hasNode) return;
    await assert.rejects(
      initBackend('tensorflow'),
      /No TensorFlow\.js backend could start \(tensorflow: .*\); set the backend to "cpu"/,
    );
  });
});

for (const name of ['wasm', 'cpu'] as const) {
  describe(`${name} kernels`, () => {
    test('the O(N) UnsortedSegmentSum (gather gradient) equals a reference sum', async () => {
      await initBackend(name);
      const rng = new Rng(1);
      const x = rand([50, 7], rng);
      const ids = Int32Array.from({ length: 50 }, () => rng.int(-1, 11)); // -1 is dropped, as in TF
      const got = tf.unsortedSegmentSum(x, tf.tensor1d(ids, 'int32'), 12);
      const xv = x.dataSync();
      const want = new Float32Array(12 * 7);
      ids.forEach((s, i) => {
        if (s >= 0) for (let j = 0; j < 7; j++) want[s * 7 + j] += xv[i * 7 + j];
      });
      close(got.dataSync(), want, 1e-5);
      // and through the gradient of gather, the way embeddings train
      const table = tf.variable(rand([12, 7], rng));
      const g = tf.grad((t: tf.Tensor) =>
        tf.sum(
          tf.mul(
            tf.gather(
              t,
              tf.tensor1d(
                ids.map((i) => Math.max(0, i)),
                'int32',
              ),
            ),
            x,
          ),
        ),
      )(table);
      const want2 = new Float32Array(12 * 7);
      ids.forEach((s, i) => {
        for (let j = 0; j < 7; j++) want2[Math.max(0, s) * 7 + j] += xv[i * 7 + j];
      });
      close(g.dataSync(), want2, 1e-5);
      tf.dispose([x, got, table, g]);
    });

    test('transposed, batched and broadcast matrix products equal a reference product', async () => {
      await initBackend(name);
      const rng = new Rng(2);
      const cases: { a: number[]; b: number[]; ta: boolean; tb: boolean }[] = [
        { a: [1, 5, 4], b: [1, 4, 6], ta: false, tb: false },
        { a: [1, 4, 5], b: [1, 4, 6], ta: true, tb: false },
        { a: [1, 5, 4], b: [1, 6, 4], ta: false, tb: true },
        { a: [3, 5, 4], b: [3, 6, 4], ta: false, tb: true },
        { a: [3, 4, 5], b: [3, 6, 4], ta: true, tb: true },
        { a: [3, 5, 4], b: [1, 4, 6], ta: false, tb: false },
        { a: [3, 5, 4], b: [1, 6, 4], ta: false, tb: true },
      ];
      for (const c of cases) {
        const a = rand(c.a, rng);
        const b = rand(c.b, rng);
        const got = tf.matMul(a, b, c.ta, c.tb);
        const want = refMatMul(a.arraySync() as number[][][], b.arraySync() as number[][][], c.ta, c.tb);
        close(got.dataSync(), want.flat(2), 1e-4);
        assert.deepEqual(got.shape, [want.length, want[0].length, want[0][0].length]);
        tf.dispose([a, b, got]);
      }
      // 4-D attention shapes with a 2-D right side, as the model uses
      const a = rand([2, 3, 5, 4], rng);
      const b = rand([4, 6], rng);
      const got = tf.matMul(a, b);
      assert.deepEqual(got.shape, [2, 3, 5, 6]);
      const want = refMatMul(
        tf.reshape(a, [6, 5, 4]).arraySync() as number[][][],
        [b.arraySync() as number[][]],
        false,
        false,
      );
      close(got.dataSync(), want.flat(2), 1e-4);
      tf.dispose([a, b, got]);
    });
  });
}
