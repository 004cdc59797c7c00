// The fused AdamW update (one kernel per parameter, src/engine/train/fusedAdamW.ts) must train exactly as
// the op-by-op update it replaces: same parameters after steps with clipping, weight decay on some
// parameters only and a parameter the loss does not reach, on the wasm and the cpu backends.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { Bert } from '../../src/engine/models/bert';
import { mlmLoss } from '../../src/engine/models/heads/mlm';
import { Trainer } from '../../src/engine/train/trainer';
import { BERT_PRESETS } from '../../src/shared/configs';
import { backend } from './helpers';

const CONFIG = { ...BERT_PRESETS.tiny, hiddenSize: 32, intermediateSize: 64, vocabSize: 50, dropout: 0 };
const B = 4;
const T = 12;

/** Trains a small BERT's MLM loss for `steps` steps; returns every parameter and the step results. */
async function train(fused: boolean, steps: number) {
  if (fused) delete process.env.PRETRAIN_LAB_UNFUSED_ADAMW;
  else process.env.PRETRAIN_LAB_UNFUSED_ADAMW = '1';
  const m = new Bert(CONFIG, { seed: 3 });
  // clipNorm small enough that clipping acts; decay all but LayerNorm and biases, as BERT does
  const trainer = new Trainer(m, {
    weightDecay: 0.1,
    clipNorm: 0.5,
    decays: (n) => !/LayerNorm|bias/.test(n),
  });
  const results = [];
  for (let k = 0; k < steps; k++) {
    const ids = Array.from({ length: B * T }, (_, i) => 5 + ((i * 7 + k * 3) % 45));
    const r = await trainer.trainStep(() => {
      const { hidden } = m.forward({
        inputIds: tf.tensor2d(ids, [B, T], 'int32'),
        segmentIds: tf.zeros([B, T], 'int32') as tf.Tensor2D,
        attentionMask: tf.ones([B, T]) as tf.Tensor2D,
      });
      const pos = [1, 5, 9, 1 + T, 4 + T, 2 + 2 * T, 7 + 3 * T];
      const mlm = mlmLoss(
        m.mlmLogits(hidden, tf.tensor1d(pos, 'int32')),
        tf.tensor1d(
          pos.map((p) => ids[p]),
          'int32',
        ),
        tf.ones([pos.length]) as tf.Tensor1D,
      );
      return { loss: mlm.loss as tf.Scalar, metrics: {} };
    }, 5e-3);
    results.push(r);
  }
  const params = new Map([...m.params].map(([n, p]) => [n, p.dataSync().slice()]));
  m.dispose();
  trainer.dispose();
  return { params, results };
}

for (const name of ['default', 'cpu']) {
  test(`fused AdamW trains as the op-by-op update (${name} backend)`, async () => {
    if (name === 'cpu') {
      await import('@tensorflow/tfjs-backend-cpu');
      await tf.setBackend('cpu');
    } else await backend();
    const before = tf.memory().numTensors;
    const a = await train(false, 6);
    const b = await train(true, 6);
    delete process.env.PRETRAIN_LAB_UNFUSED_ADAMW;
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    for (let k = 0; k < 6; k++) {
      assert.ok(
        Math.abs(a.results[k].loss - b.results[k].loss) < 1e-4,
        `step ${k + 1}: loss ${a.results[k].loss} vs ${b.results[k].loss}`,
      );
      assert.ok(
        Math.abs(a.results[k].gradNorm - b.results[k].gradNorm) < 1e-4 * a.results[k].gradNorm,
        `step ${k + 1}: gradient norm ${a.results[k].gradNorm} vs ${b.results[k].gradNorm}`,
      );
    }
    assert.ok(a.results[0].gradNorm > 0.5, 'the test exercises clipping');
    assert.ok(a.results[5].loss < a.results[0].loss, 'the loss goes down');
    for (const [n, x] of a.params) {
      const y = b.params.get(n)!;
      let diff = 0;
      for (let i = 0; i < x.length; i++) diff = Math.max(diff, Math.abs(x[i] - y[i]));
      assert.ok(diff < 1e-5, `${n}: max abs diff ${diff}`);
    }
  });
}
