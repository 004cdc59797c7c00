// The engine's warmModel request (src/engine/warmModel.ts): it loads a GPT into the model cache and runs
// two generation steps, leaving no tensor behind, so the first generate that follows finds it loaded;
// while a training runs it does nothing, and a model that cannot generate is only loaded.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { GPT_FORMAT, saveGptCheckpoint, writeGptHeader } from '../../src/engine/checkpoint/gpt';
import { whileTraining } from '../../src/engine/inferenceShare';
import { Gpt } from '../../src/engine/models/gpt';
import { EngineService } from '../../src/engine/service';
import { PieceCounter, trainBpe } from '../../src/engine/tokenizer/bpeTrainer';
import type { EngineResponses } from '../../src/shared/engineProtocol';
import { backend, tmpDir } from './helpers';

function gptFolder(): string {
  const pc = new PieceCounter();
  for (let i = 0; i < 5; i++) pc.add('the cat sat on the mat. 中文也可以。');
  const tok = trainBpe(pc.counts, { vocabSize: 300, minFrequency: 2 });
  const g = new Gpt(
    {
      vocabSize: tok.size,
      hiddenSize: 16,
      numLayers: 2,
      numHeads: 2,
      intermediateSize: 32,
      maxPositions: 32,
      norm: 'pre',
      dropout: 0,
      layerNormEps: 1e-5,
      initializerRange: 0.2,
    },
    { seed: 3 },
  );
  const dir = tmpDir();
  writeGptHeader(
    dir,
    {
      format: GPT_FORMAT,
      formatVersion: 1,
      modelType: 'gpt',
      gpt: g.config,
      tokenizer: { type: 'byte-level-bpe', chinese: 'chars' },
      createdAt: '',
    },
    tok,
  );
  saveGptCheckpoint(dir, [...g.params.keys()], {
    weights: g.params,
    state: { step: 1, totalSteps: 1, rngState: 0, options: {}, finished: true, savedAt: '' },
  });
  g.dispose();
  return dir;
}

const ctx = (cancelled = false) => ({ id: 1, progress: () => {}, cancelled, onCancel: () => {} });

before(async () => {
  await backend();
});

describe('warmModel', () => {
  test('loads a GPT and runs two steps without leaking a tensor; skipped while a training runs', async () => {
    const dir = gptFolder();
    const service = new EngineService('cpu');
    try {
      // while a training runs, the training keeps the engine: nothing is loaded
      const during = (await whileTraining(() =>
        service.handle({ type: 'warmModel', modelDir: dir }, ctx()),
      )) as EngineResponses['warmModel'];
      assert.equal(during.warmed, false);
      assert.equal(service.models.size, 0);

      const tensors = tf.memory().numTensors;
      const r = (await service.handle(
        { type: 'warmModel', modelDir: dir },
        ctx(),
      )) as EngineResponses['warmModel'];
      assert.equal(r.warmed, true);
      assert.equal(service.models.size, 1, 'the model stays loaded for the first generate');
      const loaded = tf.memory().numTensors - tensors; // the weights, held by the cache
      // a second warm-up finds it loaded: no new tensor, and the same model is used
      await service.handle({ type: 'warmModel', modelDir: dir }, ctx());
      assert.equal(tf.memory().numTensors - tensors, loaded, 'the warm-up leaves no tensor behind');
      assert.equal(service.models.size, 1);
      // a cancelled warm-up still loads, but runs no step
      service.models.forget(dir);
      const c = (await service.handle(
        { type: 'warmModel', modelDir: dir },
        ctx(true),
      )) as EngineResponses['warmModel'];
      assert.equal(c.warmed, true);
      assert.equal(service.models.size, 1);
    } finally {
      service.dispose();
    }
  });
});
