// Issue 14 design (b), src/engine/train/fastBert.ts: the hand-written BERT pretraining step gives the
// loss, the metrics and every parameter's gradient that tfjs's autograd gives for Bert.pretrainLosses,
// on a batch with padding, both segments and an unused prediction slot.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Bert, bertParamShapes } from '../../src/engine/models/bert';
import { OrtProducts } from '../../src/engine/onnx/ortProducts';
import { Rng } from '../../src/engine/random';
import {
  type FastBatch,
  FastBertStep,
  fastBertFor,
  fastBertProblem,
  nspOnly,
  variableValues,
} from '../../src/engine/train/fastBert';
import { Trainer } from '../../src/engine/train/trainer';
import type { BertConfig } from '../../src/shared/configs';
import { backend } from './helpers';

const config: BertConfig = {
  vocabSize: 53,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 40,
  maxPositions: 12,
  typeVocabSize: 2,
  dropout: 0,
  initializerRange: 0.3, // large weights: gradients far from zero, so a wrong one shows
  layerNormEps: 1e-12,
};

function batch(rng: Rng, B: number, T: number, perSeq: number): FastBatch {
  const N = B * T;
  const attentionMask = new Float32Array(N).fill(1);
  for (let t = T - 3; t < T; t++) attentionMask[T + t] = 0; // the second sequence ends in padding
  const positions: number[] = [];
  for (let b = 0; b < B; b++) for (let k = 0; k < perSeq; k++) positions.push(b * T + 1 + k * 2);
  const weights = Float32Array.from(positions, () => 1);
  weights[weights.length - 1] = 0; // an unused prediction slot
  return {
    batchSize: B,
    seqLength: T,
    inputIds: Int32Array.from({ length: N }, () => rng.int(0, config.vocabSize - 1)),
    segmentIds: Int32Array.from({ length: N }, (_, i) => (i % T >= T / 2 ? 1 : 0)),
    attentionMask,
    maskedPositions: Int32Array.from(positions),
    maskedIds: Int32Array.from(positions, () => rng.int(0, config.vocabSize - 1)),
    maskedWeights: weights,
    nspLabels: Int32Array.from({ length: B }, (_, b) => b % 2),
  };
}

/** tfjs's losses of the model on the batch, without dropout: the reference. */
function tfLosses(model: Bert, b: FastBatch) {
  const [B, T] = [b.batchSize, b.seqLength];
  return model.pretrainLosses(
    {
      inputIds: tf.tensor2d(b.inputIds, [B, T], 'int32'),
      segmentIds: tf.tensor2d(b.segmentIds, [B, T], 'int32'),
      attentionMask: tf.tensor2d(b.attentionMask, [B, T]),
    },
    {
      maskedPositions: tf.tensor1d(b.maskedPositions, 'int32'),
      maskedIds: tf.tensor1d(b.maskedIds, 'int32'),
      maskedWeights: tf.tensor1d(b.maskedWeights),
      nspLabels: tf.tensor1d(b.nspLabels, 'int32'),
    },
    { training: false },
  );
}

describe('fast BERT step (design b)', () => {
  for (const [kernels, decoder] of [
    ['simd', 'fused'],
    ['javascript', 'fused'],
    ['simd', 'split'],
  ] as const)
    test(`loss, metrics and every gradient equal tfjs autograd of Bert.pretrainLosses, after another step (${kernels} passes, ${decoder} MLM decoder)`, async () => {
      await backend();
      const model = new Bert(config, { seed: 7 });
      const b = batch(new Rng(3), 3, 10, 3);
      // tfjs: the reference
      const names = [...model.params.keys()];
      const vars = names.map((n) => model.params.get(n)!);
      let metrics: number[] = [];
      const { value, grads } = tf.variableGrads(() => {
        const l = tfLosses(model, b);
        metrics = [l.mlmLoss, l.nspLoss, l.mlmCorrect, l.nspCorrect].map((t) => t.dataSync()[0]);
        return l.loss;
      }, vars);
      // ours, from the same values
      const products = new OrtProducts(1);
      // the decoder and its cross-entropy as one ONNX Runtime graph, or split (read when the step is made)
      if (decoder === 'split') process.env.PRETRAIN_LAB_MLM_DECODER = 'split';
      const fast = new FastBertStep(config, products, bertParamShapes(config), kernels);
      delete process.env.PRETRAIN_LAB_MLM_DECODER;
      const values = new Map(names.map((n) => [n, model.params.get(n)!.dataSync() as Float32Array]));
      fast.step(values, batch(new Rng(8), 3, 10, 3), true, 5); // another batch first: nothing may carry over
      const r = fast.step(values, b, false, 1);
      assert.equal(fast.k.name, kernels === 'simd' ? 'wasm-simd' : 'javascript');
      assert.ok(Math.abs(r.loss - value.dataSync()[0]) < 1e-4, `loss ${r.loss} vs ${value.dataSync()[0]}`);
      assert.ok(Math.abs(r.mlmLoss - metrics[0]) < 1e-4, `MLM loss ${r.mlmLoss} vs ${metrics[0]}`);
      assert.ok(Math.abs(r.nspLoss - metrics[1]) < 1e-4, `NSP loss ${r.nspLoss} vs ${metrics[1]}`);
      assert.equal(r.mlmCorrect, metrics[2]);
      assert.equal(r.nspCorrect, metrics[3]);
      let worst = { name: '', diff: 0 };
      names.forEach((n, i) => {
        const want = grads[vars[i].name].dataSync();
        const got = r.grads.get(n)!;
        assert.equal(got.length, want.length, n);
        let scale = 1e-3;
        for (const w of want) scale = Math.max(scale, Math.abs(w));
        for (let k = 0; k < want.length; k++) {
          const d = Math.abs(got[k] - want[k]) / scale;
          if (d > worst.diff) worst = { name: `${n}[${k}]: ${got[k]} vs ${want[k]}`, diff: d };
        }
      });
      assert.ok(worst.diff < 1e-4, `largest difference relative to the gradient's scale: ${worst.name}`);
      assert.ok(products.calls > 30, `the products ran on ONNX Runtime (${products.calls})`);
      value.dispose();
      for (const g of Object.values(grads)) g.dispose();
      model.dispose();
      products.dispose();
    });

  test('dropout draws masks from the seed: the same seed gives the same step, another seed another', async () => {
    await backend();
    const c = { ...config, dropout: 0.2 };
    const model = new Bert(c, { seed: 7 });
    const values = new Map([...model.params].map(([n, v]) => [n, v.dataSync() as Float32Array]));
    const products = new OrtProducts(1);
    const fast = new FastBertStep(c, products, bertParamShapes(c));
    const b = batch(new Rng(3), 3, 10, 3);
    const loss = (training: boolean, seed: number) => fast.step(values, b, training, seed).loss;
    const plain = loss(false, 1);
    assert.equal(loss(true, 5), loss(true, 5));
    assert.notEqual(loss(true, 5), loss(true, 6));
    assert.notEqual(loss(true, 5), plain);
    assert.equal(loss(false, 9), plain, 'without training, no dropout');
    model.dispose();
    products.dispose();
  });

  test('with dropout, the gradient is that of the loss the step computes (central differences)', async () => {
    await backend();
    const c = { ...config, dropout: 0.2, initializerRange: 0.2 };
    const model = new Bert(c, { seed: 11 });
    const values = new Map([...model.params].map(([n, v]) => [n, (v.dataSync() as Float32Array).slice()]));
    model.dispose();
    const products = new OrtProducts(1);
    const fast = new FastBertStep(c, products, bertParamShapes(c));
    const b = batch(new Rng(4), 3, 10, 3);
    const grads = new Map([...fast.step(values, b, true, 42).grads].map(([n, g]) => [n, g.slice()]));
    const rng = new Rng(9);
    const names = [...values.keys()];
    let checked = 0;
    for (const name of names) {
      const v = values.get(name)!;
      const g = grads.get(name)!;
      // the entry with the largest gradient, and one at random
      let big = 0;
      for (let i = 1; i < g.length; i++) if (Math.abs(g[i]) > Math.abs(g[big])) big = i;
      for (const i of [big, rng.int(0, v.length - 1)]) {
        const x = v[i];
        const h = 1e-2;
        v[i] = x + h;
        const up = fast.step(values, b, true, 42).loss;
        v[i] = x - h;
        const down = fast.step(values, b, true, 42).loss;
        v[i] = x;
        const numeric = (up - down) / (2 * h);
        assert.ok(
          Math.abs(numeric - g[i]) <= 2e-3 + 0.03 * Math.abs(g[i]),
          `${name}[${i}]: analytic ${g[i]}, central difference ${numeric}`,
        );
        checked++;
      }
    }
    assert.equal(checked, 2 * names.length);
    products.dispose();
  });

  test('it trains by default where the ORT products are on, and PRETRAIN_LAB_FAST_STEP=0 turns it off', () => {
    const shapes = bertParamShapes(config);
    const was = process.env.PRETRAIN_LAB_FAST_STEP;
    try {
      delete process.env.PRETRAIN_LAB_FAST_STEP;
      const on = fastBertFor(config, shapes, true, 1);
      assert.ok(on, 'on with the ORT products');
      on.products.dispose();
      assert.equal(
        fastBertFor(config, shapes, false, 1),
        undefined,
        'off without them (a named wasm or cpu backend)',
      );
      assert.equal(fastBertFor({ ...config, hiddenAct: 'gelu_new' }, shapes, true, 1), undefined);
      process.env.PRETRAIN_LAB_FAST_STEP = '0';
      assert.equal(fastBertFor(config, shapes, true, 1), undefined);
    } finally {
      if (was === undefined) delete process.env.PRETRAIN_LAB_FAST_STEP;
      else process.env.PRETRAIN_LAB_FAST_STEP = was;
    }
  });

  test('three steps through Trainer.applyGradients (in place) leave the parameters tfjs trainStep leaves', async () => {
    await backend();
    const ref = new Bert(config, { seed: 5 });
    const ours = new Bert(config, { seed: 5 });
    const opts = { weightDecay: 0.01, clipNorm: 1, decays: (n: string) => !n.endsWith('bias') };
    const tRef = new Trainer(ref, opts);
    const tOurs = new Trainer(ours, opts);
    const products = new OrtProducts(1);
    const fast = new FastBertStep(config, products, bertParamShapes(config));
    for (let s = 0; s < 3; s++) {
      const b = batch(new Rng(20 + s), 3, 10, 3);
      const a = await tRef.trainStep(() => {
        const l = tfLosses(ref, b);
        return { loss: l.loss, metrics: {} };
      }, 1e-2);
      const r = fast.step(variableValues(ours.params), b, false, 1);
      const norm = tOurs.applyGradients(r.grads, 1e-2, { inPlace: true });
      assert.ok(Math.abs(a.loss - r.loss) < 1e-4, `step ${s + 1}: loss ${r.loss} vs ${a.loss}`);
      assert.ok(
        Math.abs(a.gradNorm - norm) < 1e-3 * a.gradNorm,
        `step ${s + 1}: norm ${norm} vs ${a.gradNorm}`,
      );
    }
    assert.equal(tOurs.step, 3);
    for (const [n, v] of ref.params) {
      const want = v.dataSync();
      const got = ours.params.get(n)!.dataSync();
      for (let i = 0; i < want.length; i++)
        assert.ok(Math.abs(got[i] - want[i]) < 1e-4, `${n}[${i}]: ${got[i]} vs ${want[i]}`);
    }
    for (const t of [tRef, tOurs]) t.dispose();
    for (const m of [ref, ours]) m.dispose();
    fast.dispose();
  });

  test('the next-sentence weight scales only the NSP head and the pooler', async () => {
    await backend();
    const model = new Bert(config, { seed: 3 });
    const values = variableValues(model.params);
    const fast = new FastBertStep(config, new OrtProducts(1), bertParamShapes(config));
    const b = batch(new Rng(6), 3, 10, 3);
    const one = fast.step(values, b, false, 1, 1);
    const full = new Map([...one.grads].map(([n, g]) => [n, g.slice()]));
    const half = fast.step(values, b, false, 1, 0.5);
    assert.ok(Math.abs(half.loss - (half.mlmLoss + 0.5 * half.nspLoss)) < 1e-6);
    for (const [n, g] of half.grads) {
      const f = full.get(n)!;
      if (nspOnly(n)) for (let i = 0; i < g.length; i++) assert.ok(Math.abs(g[i] - 0.5 * f[i]) < 1e-6, n);
    }
    for (const n of ['cls.predictions.output_bias', 'cls.predictions.transform.dense.kernel'])
      assert.deepEqual([...half.grads.get(n)!], [...full.get(n)!], `${n} does not see the NSP loss`);
    fast.dispose();
    model.dispose();
  });

  test('a batch too large for one WebAssembly memory takes the JavaScript passes, with the same gradients', async () => {
    await backend();
    const model = new Bert(config, { seed: 7 });
    const values = new Map([...model.params].map(([n, v]) => [n, v.dataSync() as Float32Array]));
    const b = batch(new Rng(3), 3, 10, 3);
    const products = new OrtProducts(1);
    const simd = new FastBertStep(config, products, bertParamShapes(config), 'simd');
    const capped = new FastBertStep(config, products, bertParamShapes(config), 'simd', 1024);
    const a = simd.step(values, b, false, 1);
    const want = new Map([...a.grads].map(([n, g]) => [n, Float32Array.from(g)]));
    const c = capped.step(values, b, false, 1);
    assert.equal(simd.k.name, 'wasm-simd');
    assert.equal(capped.k.name, 'javascript', 'a 1 KB cap is below any layout');
    assert.ok(Math.abs(a.loss - c.loss) < 1e-5);
    for (const [n, g] of want) {
      const got = c.grads.get(n)!;
      for (let i = 0; i < g.length; i++)
        assert.ok(Math.abs(got[i] - g[i]) <= 1e-5 * Math.max(1, Math.abs(g[i])), `${n}[${i}]`);
    }
    model.dispose();
    products.dispose();
  });

  test('the products flush subnormal floats to zero (a training meets them within steps, and x86 is slow on them), unless PRETRAIN_LAB_DENORMALS=keep', () => {
    // ORT takes the flag once per process, from its first session: each setting in its own process
    const products = path.join(__dirname, '..', '..', 'src', 'engine', 'onnx', 'ortProducts.ts');
    const product = (denormals: string) => {
      const r = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `const p = new (require(${JSON.stringify(products)}).OrtProducts)(1); const out = new Float32Array(1);
           p.run(Float32Array.of(1e-20), [1, 1], Float32Array.of(3e-20), [1, 1], out, [1, 1]);
           console.log(JSON.stringify(out[0]));`,
        ],
        { encoding: 'utf8', timeout: 60_000, env: { ...process.env, PRETRAIN_LAB_DENORMALS: denormals } },
      );
      assert.equal(r.status, 0, r.stderr);
      return Number(r.stdout.trim());
    };
    assert.equal(product(''), 0, "3e-40 is below float32's smallest normal number (1.18e-38): flushed");
    const kept = product('keep');
    assert.ok(Math.abs(kept - 3e-40) < 1e-42, `kept: ${kept}`);
  });

  test('an engine restarted in the same process trains with subnormals kept, and its training log says so once', () => {
    // the extension host never touches ORT; threads inherit the floating-point mode of their creator,
    // and ORT sets it only on the thread of the process's first session (the first engine's)
    const fixture = path.join(__dirname, 'fixtures', 'restartedEngineThread.ts');
    const r = spawnSync(process.execPath, ['--import', 'tsx', fixture], {
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, PRETRAIN_LAB_DENORMALS: '' },
    });
    assert.equal(r.status, 0, r.stderr);
    const { first, restarted } = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, string[]>;
    const said = (logs: string[]) => logs.filter((l) => /keeps subnormal floats/.test(l));
    assert.ok(
      first.some((l) => /hand-written BERT step/.test(l)),
      first.join('\n'),
    );
    assert.deepEqual(said(first), [], 'the first engine flushes them');
    assert.equal(said(restarted).length, 1, restarted.join('\n'));
    assert.match(said(restarted)[0], /reload the window to train at full speed\.$/);
  });

  test('a model with another activation is refused with the reason', () => {
    assert.equal(fastBertProblem(config), undefined);
    assert.match(fastBertProblem({ ...config, hiddenAct: 'relu' }) ?? '', /activation is relu/);
  });
});
