// While a training runs in the engine, forward-only requests take turns with it and use at most SHARE of
// the time, so a person who keeps clicking Predict Mask slows the training by under 10%; when no training
// runs, requests are not held back.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  excuse,
  SHARE,
  shareWithTraining,
  trainingRuns,
  whileTraining,
} from '../../src/engine/inferenceShare';

/** Keeps the thread busy for `ms`, as a synchronous forward pass does. */
function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {}
}

describe('inference beside a training', () => {
  test('requests keep the training for at least 90% of the time while it runs', async () => {
    let inferenceMs = 0;
    let answered = 0;
    let steps = 0;
    let stop = false;
    const t0 = performance.now();
    const training = whileTraining(async () => {
      // steps of 5 ms, yielding between them as the training loop does
      while (performance.now() - t0 < 2000) {
        await new Promise((r) => setImmediate(r));
        busy(5);
        steps++;
      }
    });
    const requests = (async () => {
      while (!stop) {
        await shareWithTraining(() => {
          const s = performance.now();
          const during = trainingRuns();
          busy(15);
          if (during) inferenceMs += performance.now() - s;
          answered++;
        });
      }
    })();
    assert.equal(trainingRuns(), true);
    await training;
    const elapsed = performance.now() - t0;
    stop = true;
    await requests;
    assert.ok(answered >= 2, `only ${answered} requests were answered during the training`);
    // at most SHARE of the time plus the first request (admitted at once): under 10%
    assert.ok(
      inferenceMs <= elapsed * 0.1,
      `inference took ${inferenceMs.toFixed(0)} of ${elapsed.toFixed(0)} ms (share ${SHARE})`,
    );
    assert.ok(steps > answered, `the training made ${steps} steps while ${answered} requests ran`);
  });

  test('with no training, requests run at once, one after another without waiting', async () => {
    assert.equal(trainingRuns(), false);
    const t0 = performance.now();
    for (let i = 0; i < 10; i++) await shareWithTraining(() => busy(20));
    assert.ok(performance.now() - t0 < 400, `10 requests of 20 ms took ${performance.now() - t0} ms`);
  });

  test('a session compiled again for one thread is not charged: the next request does not wait for it', async () => {
    await whileTraining(async () => {
      await shareWithTraining(() => {
        busy(200); // what ONNX Runtime spends compiling the session again
        excuse(200);
      });
      const t0 = performance.now();
      await shareWithTraining(() => busy(1));
      const waited = performance.now() - t0;
      assert.ok(
        waited < 150,
        `the next request waited ${waited.toFixed(0)} ms (200 ms charged would be ${200 / SHARE})`,
      );
    });
  });

  test('a request that fails does not block the ones after it', async () => {
    await whileTraining(async () => {
      await assert.rejects(
        shareWithTraining(() => {
          throw new Error('bad input');
        }),
        /bad input/,
      );
      assert.equal(await shareWithTraining(() => 7), 7);
    });
  });
});
