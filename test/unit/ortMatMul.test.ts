// Issue 14 design (a), src/engine/onnx/ortMatMul.ts: with PRETRAIN_LAB_ORT_MATMUL=1 the wasm backend's
// matrix products above a size run on ONNX Runtime. They must give tfjs' products (transposes, batch
// dimensions, broadcasting) and a BERT's gradients, leave what they do not handle to tfjs, and training
// must still work, on tfjs alone, when the native library cannot load. Skipped where ORT cannot load.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend';
import { Bert } from '../../src/engine/models/bert';
import { installOrtMatMul, ortMatMulStats, uninstallOrtMatMul } from '../../src/engine/onnx/ortMatMul';
import { Rng } from '../../src/engine/random';
import { BERT_PRESETS } from '../../src/shared/configs';
import { ortSkip, tmpDir } from './helpers';

const skip = ortSkip();

function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  let scale = 1e-6;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return d / scale;
}

describe('ORT matrix products inside tfjs training', { skip }, () => {
  after(() => uninstallOrtMatMul());

  test('random products with transposes, batch dimensions and broadcasting equal tfjs within 1e-4', async () => {
    await initBackend('wasm');
    const rng = new Rng(3);
    const cases: { a: number[]; b: number[]; tA: boolean; tB: boolean }[] = [];
    for (let i = 0; i < 24; i++) {
      const [M, K, N] = [1 + rng.int(0, 40), 1 + rng.int(0, 40), 1 + rng.int(0, 40)];
      const tA = i % 2 === 1;
      const tB = i % 4 >= 2;
      const batch = i < 8 ? [] : i < 16 ? [1 + rng.int(0, 4)] : [2, 1 + rng.int(0, 3)];
      // a broadcast batch on one side: [1, ...] against [n, ...]
      const bBatch = i >= 12 && i < 16 ? [1] : batch;
      cases.push({
        a: [...batch, ...(tA ? [K, M] : [M, K])],
        b: [...bBatch, ...(tB ? [N, K] : [K, N])],
        tA,
        tB,
      });
    }
    const inputs = cases.map((c) => [
      tf.randomNormal(c.a, 0, 1, 'float32', 1),
      tf.randomNormal(c.b, 0, 1, 'float32', 2),
    ]);
    const run = () =>
      cases.map((c, i) => tf.tidy(() => tf.matMul(inputs[i][0], inputs[i][1], c.tA, c.tB).dataSync()));
    const want = run();
    assert.equal(installOrtMatMul({ minWork: 1 }), undefined);
    const got = run();
    assert.equal(ortMatMulStats().ortCalls, cases.length, 'every product ran on ORT');
    cases.forEach((c, i) => {
      const d = relDiff(got[i], want[i]);
      assert.ok(d < 1e-4, `${JSON.stringify(c)}: relative difference ${d}`);
    });
    // fused with a bias (not handled) and below the threshold: tfjs' own kernels, same results
    const x = tf.randomNormal([6, 5], 0, 1, 'float32', 4);
    const w = tf.randomNormal([5, 7], 0, 1, 'float32', 5);
    const bias = tf.randomNormal([7], 0, 1, 'float32', 6);
    const fused = tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }).dataSync();
    const plainFused = tf.fused.matMul({ a: x, b: w }).dataSync();
    assert.equal(ortMatMulStats().ortCalls, cases.length + 1, 'a plain fused product ran on ORT');
    installOrtMatMul({ minWork: 1e9 });
    assert.ok(relDiff(plainFused, tf.matMul(x, w).dataSync()) < 1e-4);
    assert.ok(relDiff(fused, tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }).dataSync()) < 1e-6);
    assert.equal(ortMatMulStats().ortCalls, 0, 'nothing ran on ORT above its threshold');
    uninstallOrtMatMul();
    tf.dispose([...inputs.flat(), x, w, bias]);
  });

  test('the gradients of a small BERT pretraining loss equal those without ORT (tolerance 1e-4)', async () => {
    await initBackend('wasm');
    const cfg = { ...BERT_PRESETS.tiny, hiddenSize: 32, numHeads: 2, intermediateSize: 64, vocabSize: 60 };
    const m = new Bert({ ...cfg, numLayers: 2, maxPositions: 16, dropout: 0 }, { seed: 5 });
    const [B, T] = [3, 10];
    const grads = () => {
      const vars = [...m.params.values()];
      const { value, grads: g } = tf.variableGrads(() => {
        const l = m.pretrainLosses(
          {
            inputIds: tf.tensor2d(
              Int32Array.from({ length: B * T }, (_, i) => 3 + ((i * 13) % 55)),
              [B, T],
              'int32',
            ),
            segmentIds: tf.zeros([B, T], 'int32') as tf.Tensor2D,
            attentionMask: tf.ones([B, T]) as tf.Tensor2D,
          },
          {
            maskedPositions: tf.tensor1d([1, 4, 12, 17, 25], 'int32'),
            maskedIds: tf.tensor1d([7, 8, 9, 10, 11], 'int32'),
            maskedWeights: tf.ones([5]) as tf.Tensor1D,
            nspLabels: tf.tensor1d([0, 1, 0], 'int32'),
          },
          { training: true, seed: 1 },
        );
        return l.loss;
      }, vars);
      const out = { loss: value.dataSync()[0], g: vars.map((v) => g[v.name].dataSync()) };
      tf.dispose([value, ...Object.values(g)]);
      return out;
    };
    const want = grads();
    installOrtMatMul({ minWork: 1 });
    const got = grads();
    const onOrt = ortMatMulStats().ortCalls;
    uninstallOrtMatMul();
    let maxAbs = 0;
    want.g.forEach((w, i) => {
      for (let j = 0; j < w.length; j++) maxAbs = Math.max(maxAbs, Math.abs(w[j] - got.g[i][j]));
    });
    console.log(
      `BERT gradients with ORT products (${onOrt} products): max abs diff ${maxAbs.toExponential(2)}`,
    );
    assert.ok(onOrt > 20, `the forward and backward products ran on ORT (${onOrt})`);
    assert.ok(Math.abs(want.loss - got.loss) < 1e-5, `loss ${want.loss} vs ${got.loss}`);
    assert.ok(maxAbs < 1e-4, `max abs gradient difference ${maxAbs}`);
    m.dispose();
  });

  test('when ONNX Runtime cannot load, PRETRAIN_LAB_ORT_MATMUL=1 trains on tfjs and one sentence says why', () => {
    const hook = path.join(tmpDir(), 'no-ort.cjs');
    fs.writeFileSync(
      hook,
      `const M = require('node:module'); const load = M._extensions['.node'];
M._extensions['.node'] = function (m, f) {
  if (f.includes('onnxruntime_binding')) throw new Error(f + ': cannot open shared object file: No such file or directory');
  return load.apply(this, arguments);
};`,
    );
    const src = path.join(__dirname, '..', '..', 'src', 'engine');
    const script = `(async () => {
  const tf = require('@tensorflow/tfjs-core');
  await require(${JSON.stringify(path.join(src, 'backend.ts'))}).initBackend('wasm');
  const s = require(${JSON.stringify(path.join(src, 'onnx', 'ortMatMul.ts'))}).ortMatMulStats();
  const c = tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])).dataSync();
  console.log(JSON.stringify({ installed: s.installed, c0: c[0], backend: tf.getBackend() }));
})();`;
    const r = spawnSync(process.execPath, ['--require', hook, '--import', 'tsx', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
      cwd: path.join(__dirname, '..', '..'),
      env: { ...process.env, PRETRAIN_LAB_ORT_MATMUL: '1' },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout.trim().split('\n').pop()!), {
      installed: false,
      c0: 64,
      backend: 'wasm',
    });
    const said = r.stderr.split('\n').filter((l) => l.includes('ONNX Runtime'));
    assert.equal(said.length, 1, r.stderr);
    assert.match(
      said[0],
      /^ONNX Runtime did not load \(.*cannot open shared object file.*\); matrix products run on TensorFlow\.js\.$/,
    );
  });
});
