// The training loop on a model it has never heard of: fitting y = 3x with one weight.
import * as assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { type LoopOptions, type LoopProgress, type LoopTask, trainLoop } from '../../src/engine/train/loop';
import { learningRateAt } from '../../src/engine/train/schedule';
import { Trainer } from '../../src/engine/train/trainer';
import { backend } from './helpers';

before(async () => {
  await backend();
});

interface Batch {
  x: number[];
}

/** A line-fitting task; `poison` makes the loss NaN from that step on (1-based). */
function lineTask(w: tf.Variable, opts: { batches?: number; poison?: number } = {}) {
  let served = 0;
  let closed = false;
  async function* gen(): AsyncGenerator<Batch> {
    try {
      while (opts.batches === undefined || served < opts.batches) {
        served++;
        yield { x: [1, 2, 3, 4] };
      }
    } finally {
      closed = true;
    }
  }
  const task: LoopTask<Batch> = {
    batches: gen(),
    loss: (b) => {
      const n = served;
      return () => {
        const x = tf.tensor1d(b.x);
        const err = tf.sub(tf.mul(x, w), tf.mul(x, 3));
        const mse = tf.mean(tf.square(err)) as tf.Scalar;
        const loss =
          opts.poison !== undefined && n >= opts.poison ? (tf.mul(mse, Number.NaN) as tf.Scalar) : mse;
        return { loss, metrics: { mse } };
      };
    },
    tokens: (b) => b.x.length,
  };
  return { task, isClosed: () => closed, served: () => served };
}

function setup(opts: { batches?: number; poison?: number } = {}) {
  const zero = tf.scalar(0);
  const w = tf.variable(zero, true);
  zero.dispose();
  const optimizer = new Trainer({ params: new Map([['w', w]]) }, { weightDecay: 0, clipNorm: 1 });
  const saved: { step: number; finished: boolean }[] = [];
  const reports: LoopProgress[] = [];
  const base: LoopOptions = {
    optimizer,
    totalSteps: 10,
    learningRate: (s) => learningRateAt(s, 0.1, 2, 10),
    reportEvery: 4,
    checkpointEvery: 3,
    checkpoint: (finished) => {
      saved.push({ step: optimizer.step, finished });
    },
    onProgress: (p) => reports.push(p),
  };
  const dispose = () => {
    optimizer.dispose();
    w.dispose();
  };
  return { w, optimizer, saved, reports, base, dispose, ...lineTask(w, opts) };
}

describe('training loop', () => {
  test('runs to the step budget, reports every N steps and at the last, saves every N steps and at the end', async () => {
    const s = setup();
    const r = await trainLoop(s.task, s.base);
    assert.equal(r.status, 'done');
    assert.equal(r.step, 10);
    assert.equal(r.savedStep, 10);
    assert.deepEqual(
      s.reports.map((p) => p.step),
      [4, 8, 10],
    );
    assert.deepEqual(s.saved, [
      { step: 3, finished: false },
      { step: 6, finished: false },
      { step: 9, finished: false },
      { step: 10, finished: true },
    ]);
    const last = s.reports[2];
    assert.equal(last.totalSteps, 10);
    assert.equal(last.etaSeconds, 0);
    assert.ok(last.tokensPerSecond > 0 && last.elapsedSeconds >= 0);
    assert.deepEqual(Object.keys(last.metrics).sort(), ['loss', 'mse']);
    assert.equal(last.learningRate, learningRateAt(9, 0.1, 2, 10));
    assert.ok(s.reports[2].metrics.mse < s.reports[0].metrics.mse, 'the loss falls');
    assert.ok(Math.abs(s.w.dataSync()[0] - 3) < Math.abs(0 - 3), 'the weight moved towards 3');
    assert.ok(s.isClosed(), 'the data iterator is closed');
    s.dispose();
  });

  test('shouldStop cancels between steps and still writes an unfinished checkpoint', async () => {
    const s = setup();
    const r = await trainLoop(s.task, { ...s.base, shouldStop: () => s.optimizer.step >= 5 });
    assert.equal(r.status, 'cancelled');
    assert.equal(r.step, 5);
    assert.deepEqual(s.saved.at(-1), { step: 5, finished: false });
    assert.ok(s.isClosed());
    s.dispose();
  });

  test('resumes from the optimizer step, with the schedule at that step', async () => {
    const s = setup();
    s.optimizer.step = 7;
    const rates: number[] = [];
    const r = await trainLoop(s.task, {
      ...s.base,
      learningRate: (step) => {
        rates.push(step);
        return 0.01;
      },
    });
    assert.equal(r.step, 10);
    assert.deepEqual(rates, [7, 8, 9]);
    assert.equal(s.served(), 3);
    s.dispose();
  });

  test('data that ends before the budget ends the run as done, its checkpoint not marked finished', async () => {
    const s = setup({ batches: 2 });
    const r = await trainLoop(s.task, s.base);
    assert.equal(r.status, 'done');
    assert.equal(r.step, 2);
    // the budget (more steps) was not reached: a resume may go on
    assert.deepEqual(s.saved, [{ step: 2, finished: false }]);
    s.dispose();
  });

  test('a NaN loss stops with one sentence naming the step and the checkpoint kept', async () => {
    const s = setup({ poison: 5 });
    await assert.rejects(
      trainLoop(s.task, s.base),
      (e: Error) =>
        e.message ===
        'Training stopped: the loss became NaN at step 5; the checkpoint of step 3 is kept. Lower the learning rate and resume.',
    );
    assert.equal(s.optimizer.step, 4, 'the failed step changed nothing');
    assert.ok(s.isClosed());
    s.dispose();
    const t = setup({ poison: 1 });
    await assert.rejects(trainLoop(t.task, t.base), /at step 1; no checkpoint had been written yet\./);
    t.dispose();
  });

  test('leaves no tensor behind', async () => {
    const before = tf.memory().numTensors;
    const s = setup();
    const during = tf.memory().numTensors;
    await trainLoop(s.task, s.base);
    assert.equal(tf.memory().numTensors, during);
    s.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});
