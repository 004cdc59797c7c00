// The worker protocol end to end from a plain Node main thread, against the built dist/worker.js.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { EngineProgress, EngineRequest, EngineResponses } from '../../src/shared/engineProtocol';
import { CancelledError, RpcEndpoint } from '../../src/shared/rpc';
import { factCorpus, tmpDir } from './helpers';

const workerJs = path.join(__dirname, '..', '..', 'dist', 'worker.js');
let worker: Worker;
let rpc: RpcEndpoint;
let corpus: string;

function call<T extends EngineRequest['type']>(
  req: Extract<EngineRequest, { type: T }>,
  opts: { onProgress?: (p: EngineProgress) => void; signal?: AbortSignal } = {},
) {
  return rpc.request(req, {
    onProgress: (b) => opts.onProgress?.(b as EngineProgress),
    signal: opts.signal,
  }) as Promise<EngineResponses[T]>;
}

before(() => {
  assert.ok(fs.existsSync(workerJs), 'run the build first (npm run build)');
  worker = new Worker(workerJs, { workerData: { backend: process.env.PRETRAIN_LAB_BACKEND ?? 'auto' } });
  rpc = new RpcEndpoint((m) => worker.postMessage(m));
  worker.on('message', (m) => rpc.handle(m));
  corpus = factCorpus(tmpDir(), 12, 4);
});

after(async () => {
  await worker.terminate();
});

describe('engine worker', () => {
  test('reports its backend, pretrains with progress, cancels, predicts, and rejects errors with their message', async () => {
    const init = await call({ type: 'init', backend: 'auto' });
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(init.backend));

    const out = path.join(tmpDir(), 'model');
    const options = {
      corpus: [corpus],
      outDir: out,
      steps: 200,
      batchSize: 4,
      maxSeqLength: 32,
      vocabSize: 200,
      logEvery: 1,
      checkpointEvery: 50,
    };
    const ac = new AbortController();
    const steps: number[] = [];
    let sawSample = false;
    const result = await call(
      { type: 'pretrainBert', options },
      {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.type !== 'train') return;
          steps.push(p.progress.step);
          if (p.sample && p.sample.chosen.length > 0) sawSample = true;
          if (p.progress.step === 3) ac.abort();
        },
      },
    );
    assert.equal(result.status, 'cancelled');
    assert.ok(result.step >= 3 && result.step < 200, `stopped at ${result.step}`);
    assert.deepEqual(steps.slice(0, 3), [1, 2, 3]);
    assert.ok(sawSample, 'progress carries a masking sample');

    const pred = await call({
      type: 'predictMask',
      modelDir: out,
      text: 'the capital of peru is [MASK].',
      topK: 4,
    });
    assert.equal(pred.masks.length, 1);
    assert.equal(pred.masks[0].candidates.length, 4);

    await assert.rejects(
      call({ type: 'predictMask', modelDir: out, text: 'no mask', topK: 4 }),
      /The text has no \[MASK\]; write \[MASK\] where a word is missing/,
    );
    await assert.rejects(
      call({ type: 'predictMask', modelDir: '/nonexistent', topK: 4, text: '[MASK]' }),
      /The model folder \/nonexistent does not exist/,
    );
    await assert.rejects(rpc.request({ type: 'bogus' }), /malformed request/);
  });

  test('a second training while one runs is refused with a sentence; a cancelled request rejects as cancelled', async () => {
    const out = path.join(tmpDir(), 'model');
    const ac = new AbortController();
    const first = call(
      {
        type: 'pretrainBert',
        options: {
          corpus: [corpus],
          outDir: out,
          steps: 500,
          batchSize: 4,
          maxSeqLength: 32,
          vocabSize: 200,
          logEvery: 1,
        },
      },
      {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.type === 'train' && p.progress.step === 2) ac.abort();
        },
      },
    );
    await assert.rejects(
      call({ type: 'pretrainBert', options: { corpus: [corpus], outDir: path.join(tmpDir(), 'other') } }),
      /A training is already running; wait for it to finish or cancel it first\./,
    );
    assert.equal((await first).status, 'cancelled');
    const pre = new AbortController();
    pre.abort();
    await assert.rejects(
      call({ type: 'describeModel', modelDir: out }, { signal: pre.signal }),
      CancelledError,
    );
  });
});
