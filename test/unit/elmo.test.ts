import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import { elmoContextualOccurrences } from '../../src/engine/analysis/elmoContextual';
import { requireLayerStates, sameWordSimilarities } from '../../src/engine/analysis/elmoLayers';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import { initBackend, onnxInference } from '../../src/engine/backend';
import { openModel, summariseModel } from '../../src/engine/checkpoint/registry';
import { handleElmoLayers } from '../../src/engine/elmoHandlers';
import { Elmo, sampleCandidates } from '../../src/engine/models/elmo';
import { ElmoTaskModel } from '../../src/engine/models/elmoTaskModel';
import { lstm, lstmShapes } from '../../src/engine/models/lstm';
import { scalarMix, scalarMixWeights } from '../../src/engine/models/scalarMix';
import type { OnnxElmo } from '../../src/engine/onnx/elmo';
import { Rng } from '../../src/engine/random';
import { elmoWithDefaults, pretrainElmo } from '../../src/engine/train/tasks/pretrainElmo';
import { Trainer } from '../../src/engine/train/trainer';
import { elmoJob } from '../../src/extension/jobs/elmo';
import type { ElmoConfig } from '../../src/shared/configs';
import { ElmoLayersViewSchema } from '../../src/shared/protocol/elmo';
import { JobProgressSchema } from '../../src/shared/protocol/training';
import { backend, ortSkip, tmpDir, writeCorpus } from './helpers';

before(async () => {
  await backend();
});

const TINY: ElmoConfig = { vocabSize: 12, embedDim: 6, hiddenSize: 8, numLayers: 2, dropout: 0, cellClip: 3 };

describe('LSTM layer', () => {
  test('its autograd gradient matches finite differences on a tiny case', () => {
    const In = 3;
    const H = 4;
    const P = 2;
    let seed = 3;
    const params = new Map<string, tf.Tensor>();
    for (const [n, s] of lstmShapes('l', In, H, P))
      params.set(n, tf.randomNormal(s, 0, 0.5, 'float32', seed++));
    const x = tf.randomNormal([2, 3, In], 0, 1, 'float32', 99) as tf.Tensor3D;
    const w = params.get('l.recurrentKernel')!;
    // a loss that reaches every step: the sum of the outputs weighted by fixed random numbers
    const r = tf.randomNormal([2, 3, P], 0, 1, 'float32', 7);
    const lossOf = (wk: tf.Tensor) =>
      tf.tidy(() => {
        const p = new Map(params).set('l.recurrentKernel', wk);
        return tf.sum(tf.mul(lstm(p, 'l', x), r)) as tf.Scalar;
      });
    const g = tf.grad(lossOf)(w);
    const gv = g.dataSync();
    const wv = w.dataSync();
    const eps = 1e-2;
    for (let i = 0; i < wv.length; i++) {
      const plus = Float32Array.from(wv);
      const minus = Float32Array.from(wv);
      plus[i] += eps;
      minus[i] -= eps;
      const lp = tf.tidy(() => lossOf(tf.tensor(plus, w.shape)).dataSync()[0]);
      const lm = tf.tidy(() => lossOf(tf.tensor(minus, w.shape)).dataSync()[0]);
      const numeric = (lp - lm) / (2 * eps);
      assert.ok(
        Math.abs(numeric - gv[i]) < 2e-3 + 2e-2 * Math.abs(numeric),
        `grad ${i}: ${gv[i]} vs ${numeric}`,
      );
    }
    tf.dispose([g, x, r, ...params.values()]);
  });
});

describe('ELMo biLM', () => {
  test('each direction is causal in its direction: changing token j moves the forward states only from j on, the backward only up to j', () => {
    const m = new Elmo(TINY, { seed: 1 });
    const before = tf.memory().numTensors;
    const ids = [1, 2, 3, 4, 5, 6];
    const j = 3;
    const changed = ids.map((t, i) => (i === j ? 9 : t));
    const run = (seq: number[]) =>
      tf.tidy(() => {
        const x = m.tokenLayer(tf.tensor2d([seq], [1, seq.length], 'int32'));
        return {
          f: m.direction('forward', x).map((h) => h.arraySync()[0]),
          b: m.direction('backward', x).map((h) => h.arraySync()[0]),
        };
      });
    const a = run(ids);
    const c = run(changed);
    for (let l = 0; l < TINY.numLayers; l++)
      for (let t = 0; t < ids.length; t++) {
        const fSame = a.f[l][t].every((v, k) => v === c.f[l][t][k]);
        const bSame = a.b[l][t].every((v, k) => v === c.b[l][t][k]);
        assert.equal(fSame, t < j, `forward layer ${l + 1} position ${t}`);
        assert.equal(bSame, t > j, `backward layer ${l + 1} position ${t}`);
      }
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks');
    m.dispose();
  });

  test('layer 0 of a word is identical in two contexts while layers 1 and 2 differ', () => {
    const m = new Elmo(TINY, { seed: 2 });
    const vecs = tf.tidy(() =>
      m
        .layers(
          tf.tensor2d(
            [
              [1, 7, 2, 3],
              [4, 5, 7, 6],
            ],
            [2, 4],
            'int32',
          ),
        )
        .map((l) => l.arraySync()),
    );
    assert.equal(vecs.length, 3);
    const a = (layer: number) => vecs[layer][0][1]; // word 7 in the first sentence
    const b = (layer: number) => vecs[layer][1][2]; // word 7 in the second
    assert.deepEqual(a(0), b(0));
    assert.equal(a(0).length, 2 * TINY.embedDim);
    assert.notDeepEqual(a(1), b(1));
    assert.notDeepEqual(a(2), b(2));
    m.dispose();
  });

  test('a tiny ELMo learns a repeated pattern: both perplexities fall far below the vocabulary size', async () => {
    const cfg: ElmoConfig = { ...TINY, vocabSize: 10, embedDim: 16, hiddenSize: 24 };
    const m = new Elmo(cfg, { seed: 3 });
    const opt = new Trainer(m, { weightDecay: 0, clipNorm: 1 });
    const before = tf.memory().numTensors;
    const pattern = [2, 3, 4, 5, 6, 7, 8, 9];
    const windows = (off: number) =>
      Array.from({ length: 4 }, (_, b) =>
        Array.from({ length: 9 }, (_, t) => pattern[(off + b + t) % pattern.length]),
      );
    let last = { f: 0, b: 0 };
    for (let step = 0; step < 150; step++) {
      const r = await opt.trainStep(() => {
        const l = m.lmLosses(tf.tensor2d(windows(step), [4, 9], 'int32'));
        return { loss: l.loss, metrics: { f: l.forwardLoss, b: l.backwardLoss } };
      }, 0.02);
      last = { f: Math.exp(r.metrics.f), b: Math.exp(r.metrics.b) };
    }
    assert.ok(last.f < 2 && last.b < 2, `perplexities ${last.f}, ${last.b} (vocabulary ${cfg.vocabSize})`);
    assert.equal(tf.memory().numTensors, before, 'no tensor leaks across train steps');
    opt.dispose();
    m.dispose();
  });
});

describe('scalar mix', () => {
  test('its weights are a softmax and γ scales the mix', () => {
    const p = new Map<string, tf.Tensor>([
      ['mix.scalars', tf.tensor1d([0.5, -1, 2])],
      ['mix.gamma', tf.tensor1d([3])],
    ]);
    const w = scalarMixWeights(p, 'mix');
    assert.ok(Math.abs(w.weights.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    const e = [0.5, -1, 2].map(Math.exp);
    for (const [i, x] of w.weights.entries()) assert.ok(Math.abs(x - e[i] / (e[0] + e[1] + e[2])) < 1e-6);
    assert.equal(w.gamma, 3);
    const out = tf.tidy(() =>
      scalarMix(p, 'mix', [tf.fill([2], 1), tf.fill([2], 2), tf.fill([2], 4)]).arraySync(),
    ) as number[];
    const expect = 3 * (w.weights[0] + 2 * w.weights[1] + 4 * w.weights[2]);
    assert.ok(Math.abs(out[0] - expect) < 1e-5);
    tf.dispose([...p.values()]);
  });
});

describe('ELMo pretraining and its folder', () => {
  const corpus = () => {
    const dir = tmpDir('pl-elmo-corpus-');
    const lines = Array.from({ length: 60 }, (_, i) =>
      i % 2 ? 'the children play in the park .' : 'we saw a play at the theatre .',
    );
    return writeCorpus(dir, { 'a.txt': `${lines.join('\n')}\n` });
  };
  const small = {
    preset: 'tiny' as const,
    batchSize: 4,
    seqLength: 8,
    minCount: 1,
    logEvery: 5,
    warmupSteps: 2,
  };

  test('trains, reports both perplexities, resumes, and a saved model loads to identical outputs', async () => {
    const out = path.join(tmpDir('pl-elmo-out-'), 'm');
    const seen: number[] = [];
    const r = await pretrainElmo(
      elmoWithDefaults({ corpus: [corpus()], outDir: out, steps: 20, checkpointEvery: 10, ...small }),
      {
        onProgress: (p) => {
          assert.ok(p.forwardPerplexity > 0 && p.backwardPerplexity > 0);
          seen.push(p.step);
        },
      },
    );
    assert.equal(r.status, 'done');
    assert.deepEqual(seen, [5, 10, 15, 20]);
    assert.equal(summariseModel(out).type, 'elmo');
    const again = await pretrainElmo(
      elmoWithDefaults({ corpus: [corpus()], outDir: out, steps: 25, ...small }),
    );
    assert.equal(again.step, 25, 'resumed from step 20');
    const before = tf.memory().numTensors;
    const a = openModel(out);
    const b = openModel(out);
    const text = 'the children play a play';
    const va = requireLayerStates(a).tokenLayers(text);
    const vb = requireLayerStates(b).tokenLayers(text);
    assert.deepEqual(va.layers, vb.layers);
    assert.equal(va.layers.length, 3);
    // "play" at 2 and 4: the token layer is the same, the biLSTM layers follow the context
    const pair = sameWordSimilarities(requireLayerStates(a), text).pairs.find((p) => p.token === 'play')!;
    assert.ok(Math.abs(pair.similarity[0] - 1) < 1e-6);
    assert.ok(pair.similarity[1] < 0.99999 && pair.similarity[2] < 0.99999);
    // the panel's view: every token, the other "play" in the selection and in the workspace file
    const ws = writeCorpus(tmpDir('pl-elmo-ws-'), { 'w.txt': 'they play all day\nno play today\n' });
    const view = handleElmoLayers(a, {
      type: 'elmoLayers',
      modelDir: out,
      text,
      files: [path.join(ws, 'w.txt')],
    });
    assert.ok(v.is(ElmoLayersViewSchema, view), 'the answer is what the panel accepts');
    const playOcc = view.occurrences.filter((o) => o.i === 2);
    assert.ok(playOcc.some((o) => o.where === 'selection' && o.j === 4));
    assert.equal(playOcc.filter((o) => o.where === 'workspace').length, 2);
    for (const o of playOcc) assert.ok(Math.abs(o.similarity[0] - 1) < 1e-6, 'layer 0 is context-free');
    // the Embedding Explorer's static-vs-contextual view: one point per occurrence, per layer
    const wsFiles = [path.join(ws, 'w.txt')];
    const top = elmoContextualOccurrences(requireLayerStates(a), 'play', wsFiles);
    assert.deepEqual([top.layer, top.layers, top.occurrences.length, top.dim], [2, 2, 2, 2 * 32]);
    const d = top.dim;
    assert.notDeepEqual(top.vectors.slice(0, d), top.vectors.slice(d));
    const l0 = elmoContextualOccurrences(requireLayerStates(a), 'play', wsFiles, { layer: 0 });
    assert.deepEqual(l0.vectors.slice(0, d), l0.vectors.slice(d));
    // an ELMo given to Predict Mask says what it is and what reads it
    assert.throws(
      () => requireCapability(a, 'predictMask'),
      /is an ELMo model \(.*Show ELMo Layers reads it\); Predict Mask needs/,
    );
    a.dispose();
    b.dispose();
    assert.equal(tf.memory().numTensors, before, 'load, analysis and dispose leak no tensor');
    // the same layers when inference runs on ONNX Runtime (the biLM as Scan loops, onnx/elmo.ts)
    if (!ortSkip()) {
      await initBackend('onnx');
      const o = openModel(out);
      try {
        assert.ok(onnxInference(), 'inference runs on ONNX Runtime');
        const twin = (o as unknown as { onnx?: OnnxElmo }).onnx;
        assert.ok(twin?.layers([1, 2]), 'the model has an ONNX twin that runs (not the tfjs fallback)');
        const vo = requireLayerStates(o).tokenLayers(text);
        assert.deepEqual(vo.tokens, va.tokens);
        for (const [j, layer] of vo.layers.entries())
          for (const [i, vec] of layer.entries())
            for (let k = 0; k < vec.length; k++)
              assert.ok(Math.abs(vec[k] - va.layers[j][i][k]) < 1e-4, `layer ${j}, token ${i}`);
      } finally {
        o.dispose();
        await initBackend('wasm');
      }
    }
  });

  test("a cancelled training keeps a checkpoint, and another kind's folder is refused", async () => {
    const out = path.join(tmpDir('pl-elmo-out-'), 'm');
    let n = 0;
    const r = await pretrainElmo(elmoWithDefaults({ corpus: [corpus()], outDir: out, steps: 50, ...small }), {
      shouldStop: () => ++n > 4,
    });
    assert.equal(r.status, 'cancelled');
    assert.ok(r.step > 0 && r.step < 50);
    const bertLike = tmpDir('pl-elmo-bert-');
    fs.writeFileSync(path.join(bertLike, 'config.json'), JSON.stringify({ format: 'pretrain-lab/word2vec' }));
    await assert.rejects(
      pretrainElmo(elmoWithDefaults({ corpus: [corpus()], outDir: bertLike, steps: 2, ...small })),
      /word2vec|holds/,
    );
  });
});

describe('ELMo training job', () => {
  test('charts forward and backward perplexity per step and ends with a sentence naming both', () => {
    const job = elmoJob({ corpus: ['c'], outDir: '/m/elmo-x', preset: 'tiny', steps: 100 }, 'c');
    const progress = {
      step: 40,
      totalSteps: 100,
      loss: 4,
      forwardPerplexity: 55.5,
      backwardPerplexity: 60.25,
      learningRate: 1e-3,
      tokensPerSecond: 900,
      etaSeconds: 30,
      elapsedSeconds: 20,
    };
    const p = job.progress({ type: 'elmo', progress });
    assert.ok(p && v.is(JobProgressSchema, p), 'a valid JobProgress');
    assert.deepEqual(
      p.metrics.map((m) => [m.name, m.value]),
      [
        ['forward perplexity', 55.5],
        ['backward perplexity', 60.25],
        ['loss', 4],
        ['tokens/s', 900],
      ],
    );
    const done = job.result({ status: 'done', step: 100, summary: { dir: '/m/elmo-x' } as never });
    assert.equal(
      done.message,
      'ELMo elmo-x trained for 100 steps, perplexity 55.5 forward and 60.3 backward.',
    );
  });
});

describe('sampled softmax', () => {
  test('its candidates hold every id of the batch once, and the remapped targets point back at them', () => {
    const ids = Int32Array.from([5, 7, 5, 9, 2]);
    const rng = new Rng(3);
    const r = sampleCandidates(ids, 100, 8, () => rng.next());
    assert.equal(r.candidates.length, 8);
    assert.equal(new Set(r.candidates).size, 8);
    for (let i = 0; i < ids.length; i++) assert.equal(r.candidates[r.targets[i]], ids[i]);
  });

  test('a loss over sampled candidates trains without leaking tensors', async () => {
    const m = new Elmo({ ...TINY, vocabSize: 50 }, { seed: 4 });
    const opt = new Trainer(m, { weightDecay: 0, clipNorm: 1 });
    const before = tf.memory().numTensors;
    const ids = Int32Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const s = sampleCandidates(ids, 50, 12, Math.random);
    const r = await opt.trainStep(() => {
      const sampled = {
        candidates: tf.tensor1d(s.candidates, 'int32'),
        targets: tf.tensor2d(s.targets, [2, 4], 'int32'),
      };
      const l = m.lmLosses(tf.tensor2d(ids, [2, 4], 'int32'), { sampled });
      return { loss: l.loss, metrics: {} };
    }, 0.01);
    assert.ok(
      Number.isFinite(r.loss) && r.loss < Math.log(50),
      'the loss is over 12 candidates, not 50 words',
    );
    assert.equal(tf.memory().numTensors, before);
    opt.dispose();
    m.dispose();
  });
});

describe('ELMo as frozen features with a scalar mix', () => {
  test('feature-based training moves the mix weights (still a softmax) while the biLM stays byte-identical', async () => {
    const elmo = new Elmo({ ...TINY, dropout: 0 }, { seed: 8 });
    const frozen = new Map([...elmo.params].map(([n, p]) => [n, Float32Array.from(p.dataSync())]));
    const task = new ElmoTaskModel(elmo, 'classify', 2);
    const opt = new Trainer(task, { weightDecay: 0, clipNorm: 1 });
    const before = tf.memory().numTensors;
    // the label is whether word 3 or word 4 stands in the middle
    const batch = [3, 4, 3, 4].map((w, i) => ({ ids: [0, 2 + i, w, 5, 0], labels: [w === 3 ? 0 : 1] }));
    for (let i = 0; i < 30; i++) await opt.trainStep(() => ({ loss: task.loss(batch), metrics: {} }), 0.05);
    const mix = task.mixWeights();
    assert.ok(Math.abs(mix.weights.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(
      mix.weights.some((w) => Math.abs(w - 1 / 3) > 1e-3),
      `the mix moved: ${mix.weights}`,
    );
    for (const [n, p] of elmo.params) assert.deepEqual(p.dataSync(), frozen.get(n), `${n} unchanged`);
    assert.equal(tf.memory().numTensors, before);
    opt.dispose();
    task.dispose();
    elmo.dispose();
  });
});
