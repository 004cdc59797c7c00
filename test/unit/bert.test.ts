import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { bertParamCount } from '../../src/engine/checkpoint/bert';
import { Bert, bertParamShapes } from '../../src/engine/models/bert';
import { learningRateAt } from '../../src/engine/train/schedule';
import { NonFiniteLossError, Trainer } from '../../src/engine/train/trainer';
import { BERT_PRESETS, type BertConfig } from '../../src/shared/configs';
import { backend } from './helpers';

const tinyCfg: BertConfig = {
  ...BERT_PRESETS.tiny,
  hiddenSize: 16,
  numHeads: 2,
  intermediateSize: 32,
  numLayers: 2,
  vocabSize: 30,
  maxPositions: 12,
  dropout: 0,
};

function inputs(B: number, T: number, lengths: number[]) {
  const ids = new Int32Array(B * T);
  const mask = new Float32Array(B * T);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < lengths[b]; t++) {
      ids[b * T + t] = 5 + ((b * 7 + t * 3) % 20);
      mask[b * T + t] = 1;
    }
  return {
    inputIds: tf.tensor2d(ids, [B, T], 'int32'),
    segmentIds: tf.tensor2d(
      Int32Array.from({ length: B * T }, (_, i) => (i % T >= 4 ? 1 : 0)),
      [B, T],
      'int32',
    ),
    attentionMask: tf.tensor2d(mask, [B, T]),
  };
}

before(async () => {
  await backend();
});

describe('BERT model', () => {
  test('presets follow the paper: tiny is 2 layers/128/2 heads, base is 12/768/12 with 110M parameters', () => {
    assert.deepEqual(
      [BERT_PRESETS.tiny.numLayers, BERT_PRESETS.tiny.hiddenSize, BERT_PRESETS.tiny.numHeads],
      [2, 128, 2],
    );
    assert.deepEqual(
      [BERT_PRESETS.base.numLayers, BERT_PRESETS.base.hiddenSize, BERT_PRESETS.base.numHeads],
      [12, 768, 12],
    );
    const base = bertParamCount({ ...BERT_PRESETS.base, vocabSize: 30522 });
    assert.ok(base > 109e6 && base < 111e6, `BERT-base has ${base} parameters`);
    const m = new Bert(tinyCfg);
    assert.equal(m.parameterCount, bertParamCount(tinyCfg));
    assert.equal(m.params.size, bertParamShapes(tinyCfg).length);
    m.dispose();
  });

  test('a config that cannot work is refused in the constructor with the reason', () => {
    assert.throws(
      () => new Bert({ ...tinyCfg, numHeads: 3 }),
      /hiddenSize 16 must be divisible by numHeads 3/,
    );
    assert.throws(() => new Bert({ ...tinyCfg, vocabSize: 0 }), /vocabSize must be a positive integer/);
  });

  test('hidden states, MLM logits at masked positions only, NSP logits have the right shapes', () => {
    const m = new Bert(tinyCfg);
    tf.tidy(() => {
      const x = inputs(2, 8, [8, 5]);
      const { hidden } = m.forward(x);
      assert.deepEqual(hidden.shape, [2, 8, 16]);
      assert.deepEqual(m.mlmLogits(hidden, tf.tensor1d([1, 3, 9], 'int32')).shape, [3, 30]);
      assert.deepEqual(m.nspLogits(hidden).shape, [2, 2]);
    });
    m.dispose();
  });

  test('attention: every layer and head, rows sum to 1, padding gets 0, and equals a re-computation', () => {
    const m = new Bert(tinyCfg, { seed: 9 });
    const T = 6;
    const x = inputs(2, T, [6, 4]);
    const out = m.forward(x, { returnAttention: true, returnLayers: true });
    assert.equal(out.attentions!.length, 2);
    const a0 = out.attentions![0].arraySync() as number[][][][];
    assert.deepEqual(out.attentions![0].shape, [2, 2, T, T]);
    for (const layer of out.attentions!) {
      const a = layer.arraySync() as number[][][][];
      for (let b = 0; b < 2; b++)
        for (let h = 0; h < 2; h++)
          for (let i = 0; i < T; i++) {
            const row = a[b][h][i];
            assert.ok(Math.abs(row.reduce((s, v) => s + v, 0) - 1) < 1e-5);
            if (b === 1) assert.ok(row[4] < 1e-6 && row[5] < 1e-6, 'padding positions must get no attention');
          }
    }
    // re-compute layer 0 head 1 of sequence 0 from the embedding output and the query/key weights
    const e = (out.layers![0].arraySync() as number[][][])[0];
    const W = (n: string) =>
      m.params.get(`encoder.layer_0.attention.self.${n}`)!.arraySync() as number[][] & number[];
    const proj = (kind: string) =>
      e.map((row) =>
        (W(`${kind}.bias`) as number[]).map(
          (bias, j) => bias + row.reduce((s, v, k) => s + v * (W(`${kind}.kernel`) as number[][])[k][j], 0),
        ),
      );
    const q = proj('query');
    const k = proj('key');
    const h = 1;
    const dh = 8;
    for (let i = 0; i < T; i++) {
      const scores = Array.from({ length: T }, (_, j) => {
        let s = 0;
        for (let d = h * dh; d < (h + 1) * dh; d++) s += q[i][d] * k[j][d];
        return s / Math.sqrt(dh);
      });
      const mx = Math.max(...scores);
      const ex = scores.map((s) => Math.exp(s - mx));
      const z = ex.reduce((a, b) => a + b, 0);
      for (let j = 0; j < T; j++) {
        assert.ok(Math.abs(ex[j] / z - a0[0][h][i][j]) < 1e-4, `attention[0][${h}][${i}][${j}]`);
      }
    }
    tf.dispose([out.hidden, ...out.attentions!, ...out.layers!, x.inputIds, x.segmentIds, x.attentionMask]);
    m.dispose();
  });

  test('no tensor is leaked by forward passes, training steps or dispose', async () => {
    const before = tf.memory().numTensors;
    const m = new Bert(tinyCfg);
    const trainer = new Trainer(m, { weightDecay: 0.01, clipNorm: 1 });
    const during = tf.memory().numTensors;
    const step = () =>
      trainer.trainStep(() => {
        const x = inputs(2, 8, [8, 6]);
        const l = m.pretrainLosses(
          x,
          {
            maskedPositions: tf.tensor1d([1, 2, 9, 10], 'int32'),
            maskedIds: tf.tensor1d([5, 6, 7, 8], 'int32'),
            maskedWeights: tf.tensor1d([1, 1, 1, 0]),
            nspLabels: tf.tensor1d([0, 1], 'int32'),
          },
          { training: true, seed: 1 },
        );
        return { loss: l.loss, metrics: { mlm: l.mlmLoss, hit: l.mlmCorrect } };
      }, 1e-3);
    await step();
    const afterOne = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) await step();
    assert.equal(tf.memory().numTensors, afterOne, 'tensors grew across training steps');
    assert.equal(afterOne, during, 'a training step left tensors behind');
    tf.tidy(() => {
      m.forward(inputs(1, 8, [8]), { returnAttention: true });
    });
    assert.equal(tf.memory().numTensors, during, 'predict left tensors behind');
    trainer.dispose();
    m.dispose();
    assert.equal(tf.memory().numTensors, before, 'dispose left tensors behind');
  });
});

describe('trainer', () => {
  test('learning rate warms up linearly, then decays linearly to 0', () => {
    assert.equal(learningRateAt(0, 1, 10, 110), 0.1);
    assert.equal(learningRateAt(9, 1, 10, 110), 1);
    assert.equal(learningRateAt(60, 1, 10, 110), 0.5);
    assert.equal(learningRateAt(110, 1, 10, 110), 0);
  });

  test('one AdamW step equals the hand-computed update, with decay and clipping', async () => {
    const p = tf.variable(tf.tensor1d([1, -2]), true, 'w');
    const b = tf.variable(tf.tensor1d([0.5]), true, 'bias');
    const model = {
      params: new Map([
        ['w', p],
        ['bias', b],
      ]),
    };
    const tr = new Trainer(model, {
      weightDecay: 0.1,
      clipNorm: 1,
      epsilon: 1e-6,
      decays: (n) => n !== 'bias',
    });
    // loss = 3*w0 + 4*w1 + 0*bias: gradient (3, 4, 0), norm 5, clipped to (0.6, 0.8, 0)
    const r = await tr.trainStep(
      () => ({
        loss: tf.add(tf.sum(tf.mul(p, tf.tensor1d([3, 4]))), tf.mul(tf.sum(b), 0)) as tf.Scalar,
        metrics: {},
      }),
      0.01,
    );
    assert.ok(Math.abs(r.gradNorm - 5) < 1e-5);
    // first step: m̂ = g, v̂ = g², so the Adam direction is g/|g| = 1 elementwise
    const w = p.dataSync();
    assert.ok(Math.abs(w[0] - (1 - 0.01 * (1 + 0.1 * 1))) < 1e-5, `w0 ${w[0]}`);
    assert.ok(Math.abs(w[1] - (-2 - 0.01 * (1 + 0.1 * -2))) < 1e-5, `w1 ${w[1]}`);
    assert.ok(Math.abs(b.dataSync()[0] - 0.5) < 1e-6, 'no decay and no gradient: bias unchanged');
    tr.dispose();
    tf.dispose([p, b]);
  });

  test('a NaN loss stops with NonFiniteLossError and leaves the weights untouched', async () => {
    const p = tf.variable(tf.tensor1d([1, 2]), true, 'w');
    const tr = new Trainer({ params: new Map([['w', p]]) }, { weightDecay: 0, clipNorm: 0 });
    await assert.rejects(
      tr.trainStep(() => ({ loss: tf.mul(tf.sum(p), NaN) as tf.Scalar, metrics: {} }), 0.1),
      NonFiniteLossError,
    );
    assert.deepEqual(Array.from(p.dataSync()), [1, 2]);
    assert.equal(tr.step, 0);
    tr.dispose();
    p.dispose();
  });
});
