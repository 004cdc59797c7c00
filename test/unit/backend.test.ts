import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackend, initBackend, onnxInference } from '../../src/engine/backend';
import { ortMatMulStats } from '../../src/engine/onnx/ortMatMul';
import { Rng } from '../../src/engine/random';
import { tmpDir } from './helpers';

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
        /^inference: onnxruntime \d+\.\d+\.\d+ \(\d+ threads?\) · training: (tensorflow|wasm|cpu)( \+ onnxruntime matrix products)?$/,
      );
      // ONNX Runtime already loaded: training on wasm hands it the large matrix products too
      assert.equal(auto.ortProducts, auto.name === 'wasm');
      assert.equal(ortMatMulStats().installed, auto.name === 'wasm');
      if (auto.name === 'wasm') {
        const c = tf.matMul(tf.ones([256, 256]), tf.fill([256, 256], 0.5)).dataSync();
        assert.equal(c[0], 128);
        assert.ok(ortMatMulStats().ortCalls > 0, 'a 256×256×256 product ran on ONNX Runtime');
      }
    } else {
      assert.ok(auto.inferenceError, 'ONNX Runtime was skipped without a reason');
      assert.equal(ortMatMulStats().installed, false);
    }
    // a named wasm backend is the way to leave ONNX Runtime out: it infers and trains alone
    const wasm = await initBackend('wasm');
    assert.equal(wasm.inference, undefined);
    assert.equal(onnxInference(), false);
    assert.equal(ortMatMulStats().installed, false);
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
  test('when the ONNX Runtime library cannot load, Predict Mask runs on wasm and one sentence says why', () => {
    // as on a machine without the library (a darwin-x64 package carries none): loading the binding fails
    const hook = path.join(tmpDir(), 'no-ort.cjs');
    fs.writeFileSync(
      hook,
      `const M = require('node:module'); const load = M._extensions['.node'];
M._extensions['.node'] = function (m, f) {
  if (f.includes('onnxruntime_binding')) throw new Error(f + ': cannot open shared object file: No such file or directory');
  return load.apply(this, arguments);
};`,
    );
    const root = path.join(__dirname, '..', '..');
    const starter = path.join(root, 'models', 'starter');
    const cli = path.join(root, 'src', 'engine', 'cli', 'main.ts');
    const args = ['predict-mask', '--model', starter, '--top-k', '3', 'Paris is the [MASK] of France.'];
    const r = spawnSync(
      process.execPath,
      [
        '--require',
        hook,
        '--import',
        'tsx',
        '-e',
        `require(${JSON.stringify(cli)}).runCli(${JSON.stringify(args)})`,
      ],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, PRETRAIN_LAB_BACKEND: 'auto' } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^backend: (wasm|tensorflow|cpu) \(.*onnxruntime unavailable\)$/m);
    assert.match(r.stdout, /\[MASK\] 1 \(character \d+\):\n(\s+\S+\s+\d+\.\d+%\n){3}/);
    const said = r.stderr.split('\n').filter((l) => l.includes('ONNX Runtime'));
    assert.equal(said.length, 1, r.stderr);
    assert.match(
      said[0],
      /^ONNX Runtime did not load \(.*cannot open shared object file.*\); inference runs on TensorFlow\.js\.$/,
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
