// Training jobs as the training panel, the notification and the status bar see them: BERT's and
// word2vec's engine progress read as one JobProgress (position, named metrics, extras), each kind's
// closing sentence, and the panel's messages checked before the host uses them.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import * as v from 'valibot';
import { bertJob } from '../../src/extension/jobs/bert';
import { describeExisting, freshFolder } from '../../src/extension/jobs/folderNames';
import { word2vecJob, word2vecProgress } from '../../src/extension/jobs/word2vec';
import type { TrainProgress, W2vProgress } from '../../src/shared/configs';
import {
  briefMetrics,
  formatMetric,
  isFromTrainingPanel,
  JobProgressSchema,
  progressLine,
} from '../../src/shared/protocol/training';

const bertStep: TrainProgress = {
  step: 40,
  totalSteps: 100,
  mlmLoss: 5,
  nspLoss: 0.69,
  mlmAccuracy: 0.4,
  nspAccuracy: 0.7,
  learningRate: 1e-3,
  tokensPerSecond: 2000.4,
  etaSeconds: 20,
  elapsedSeconds: 40,
};

function w2v(over: Partial<W2vProgress>): W2vProgress {
  return {
    epoch: 2,
    epochs: 4,
    wordsDone: 1500,
    totalWords: 4000,
    loss: 2.5,
    alpha: 0.02,
    wordsPerSecond: 123456.7,
    etaSeconds: 3,
    elapsedSeconds: 1,
    ...over,
  };
}

describe('training jobs', () => {
  test('BERT progress reads as steps with MLM loss, MLM and NSP accuracy, tokens/s and the masking sample', () => {
    const job = bertJob({ corpus: ['c'], outDir: '/m/it-model', preset: 'tiny', steps: 100 }, 'c.txt');
    const sample = { tokens: ['[MASK]'], original: ['cat'], chosen: [], isRandomNext: false };
    const p = job.progress({ type: 'train', progress: bertStep, sample });
    assert.ok(p && v.is(JobProgressSchema, p), 'a valid JobProgress');
    assert.deepEqual(
      p.metrics.map((m) => m.name),
      ['MLM loss', 'MLM accuracy', 'NSP accuracy', 'tokens/s'],
    );
    assert.deepEqual([p.unit, p.done, p.total, p.position, p.fraction], ['step', 40, 100, 40, 0.4]);
    assert.equal(p.etaSeconds, 20);
    assert.deepEqual(p.extras?.maskingSample, sample);
    assert.equal(briefMetrics(p), 'MLM loss 5.000 · 2,000 tokens/s');
    assert.equal(
      job.progress({ type: 'w2v', progress: w2v({}) }),
      undefined,
      'word2vec progress is not BERT',
    );
  });

  test('BERT ends with the sentences the user knows (the controller, not the kind, makes it active)', () => {
    const job = bertJob({ corpus: ['c'], outDir: '/m/it-model', preset: 'tiny', steps: 100 }, 'c');
    job.progress({ type: 'train', progress: bertStep });
    const summary = { dir: '/m/it-model' } as never;
    const done = job.result({ status: 'done', step: 100, summary });
    assert.equal(done.message, 'Model it-model trained for 100 steps, MLM accuracy 40.0%.');
    const cancelled = job.result({ status: 'cancelled', step: 40, summary });
    assert.equal(
      cancelled.message,
      'Training cancelled at step 40; the checkpoint of that step is kept in it-model.',
    );
    assert.doesNotMatch(cancelled.message, /active/, 'a cancelled run does not claim to be active');
    assert.deepEqual(job.failed(), { step: 40 });
  });

  test('word2vec progress reads as epochs, x in fractional epochs, loss and words/s; an epoch end adds its mean', () => {
    const p = word2vecProgress(w2v({}));
    assert.ok(v.is(JobProgressSchema, p));
    assert.deepEqual([p.unit, p.done, p.total, p.position, p.fraction], ['epoch', 2, 4, 1.5, 0.375]);
    assert.deepEqual(
      p.metrics.map((m) => m.name),
      ['loss', 'words/s'],
    );
    assert.equal(briefMetrics(p), 'loss 2.500 · 123,457 words/s');
    const end = word2vecProgress(w2v({ wordsDone: 2000, epochLoss: 2.25 }));
    assert.equal(end.position, 2);
    assert.deepEqual(
      end.metrics.map((m) => [m.name, formatMetric(m)]),
      [
        ['loss', '2.500'],
        ['words/s', '123,457'],
        ['mean loss per epoch', '2.250'],
      ],
    );
  });

  test('word2vec logs each epoch, tells the explorer its progress as the panel charts it, and opens the model when an epoch was saved', async () => {
    const told: unknown[] = [];
    const shown: string[] = [];
    const job = word2vecJob({ corpus: ['c'], outDir: '/m/w2v', algo: 'skipgram', epochs: 4 }, 'english', {
      training: (s) => told.push(s),
      showModel: async (d) => {
        shown.push(d);
      },
    });
    assert.equal(job.family, 'word2vec skip-gram');
    job.onStart?.();
    const mid = { type: 'w2v' as const, progress: w2v({}) };
    const end = { type: 'w2v' as const, progress: w2v({ wordsDone: 2000, epochLoss: 2.25 }) };
    for (const p of [mid, end]) {
      assert.ok(job.progress(p));
      job.onProgress?.(p);
    }
    assert.equal(job.note?.(mid), undefined);
    assert.equal(job.note?.(end), 'word2vec epoch 2/4: mean loss 2.2500, 123457 words/s');
    assert.deepEqual(told, [
      { status: 'Training w2v on english…' },
      // the explorer gets the same JobProgress as the training panel, read by one formatter
      { progress: word2vecProgress(mid.progress) },
      { progress: word2vecProgress(end.progress) },
    ]);
    const r = job.result({ status: 'cancelled', epochsDone: 0, summary: {} as never });
    assert.equal(r.message, 'word2vec training cancelled; no epoch had finished, so there is no model yet.');
    assert.deepEqual(r.out, { epochsDone: 0 }, 'the reports are the controller’s, not kept twice');
    const base = { status: 'cancelled' as const, message: 'm', modelDir: '/m/w2v' };
    await job.finish({ ...base, progressEvents: 2, eventLoopDelayP99Ms: 0, ...r.out });
    assert.deepEqual(shown, [], 'no model to show');
    await job.finish({ ...base, progressEvents: 2, eventLoopDelayP99Ms: 0, epochsDone: 1 });
    assert.deepEqual(shown, ['/m/w2v']);
  });

  test('the panel may only send ready and cancel', () => {
    assert.ok(isFromTrainingPanel({ type: 'ready' }));
    assert.ok(isFromTrainingPanel({ type: 'cancel' }));
    for (const bad of [null, 'cancel', {}, { type: 'start' }, { type: 'cancel ' }, [{ type: 'cancel' }]])
      assert.equal(isFromTrainingPanel(bad), false, JSON.stringify(bad));
  });

  test('the notification and the Embedding Explorer read a report with one formatter', () => {
    const p = word2vecProgress(w2v({}));
    assert.equal(progressLine(p), `epoch ${p.done}/${p.total} · ${briefMetrics(p)}`);
    assert.match(progressLine(p), /^epoch \d+\/4 · loss \d\.\d{3} · [\d,]+ words\/s$/);
  });

  test('a new model gets a folder name that is not taken; an existing one is described before it is replaced', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-names-'));
    try {
      assert.equal(freshFolder(dir, 'bert-tiny'), path.join(dir, 'bert-tiny'));
      fs.mkdirSync(path.join(dir, 'bert-tiny'));
      fs.mkdirSync(path.join(dir, 'bert-tiny-2'));
      assert.equal(freshFolder(dir, 'bert-tiny'), path.join(dir, 'bert-tiny-3'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const entry = { dir: '/m/x', name: 'x', kind: 'stored' as const, capabilities: [] };
    assert.equal(
      describeExisting({ ...entry, modelKind: 'bert', steps: 120, totalSteps: 500, corpus: ['/c/a.txt'] }),
      'a BERT model (120 of 500 steps, corpus a.txt)',
    );
    assert.equal(
      describeExisting({ ...entry, modelKind: 'word2vec', epochsDone: 2, epochs: 5 }),
      'a word2vec model (2 of 5 epochs)',
    );
    assert.match(
      describeExisting({ ...entry, problem: 'It was not written by Pretrain Lab.' }),
      /^something Pretrain Lab cannot use \(it was not written by Pretrain Lab\)$/,
    );
  });
});
