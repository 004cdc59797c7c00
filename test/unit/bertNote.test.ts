// The training log says when a BERT run has probably not learnt yet: its MLM loss still near the
// unigram entropy of the masked tokens, which the engine reports with every progress.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { bertJob, notLearntNote } from '../../src/extension/jobs/bert';
import type { TrainProgress } from '../../src/shared/configs';

const at = (step: number, mlmLoss: number, unigramEntropy = 4): TrainProgress => ({
  step,
  totalSteps: 100,
  mlmLoss,
  nspLoss: 0.69,
  mlmAccuracy: 0.1,
  nspAccuracy: 0.5,
  unigramEntropy,
  learningRate: 1e-3,
  tokensPerSecond: 2000,
  etaSeconds: 20,
  elapsedSeconds: 40,
});

test('a loss within 10% of the unigram entropy past a fifth of the budget gets one note, and again at the end', () => {
  const job = bertJob({ corpus: ['c'], outDir: '/m/it-model', preset: 'tiny', steps: 100 }, 'c.txt');
  const note = (p: TrainProgress) => job.note?.({ type: 'train', progress: p });
  assert.equal(note(at(10, 3.9)), undefined, 'too early to tell');
  const first = note(at(30, 3.8));
  assert.match(first ?? '', /^At step 30 of 100 the MLM loss 3\.80 is still within 10% of 4\.00/);
  assert.equal(note(at(40, 3.8)), undefined, 'said once');
  assert.match(note(at(100, 3.7)) ?? '', /^After all 100 steps .*train it for more steps/);
});

test('a loss well below the entropy, or no entropy reported, gets no note', () => {
  assert.equal(notLearntNote(at(100, 3.5), false), undefined);
  assert.equal(notLearntNote({ ...at(100, 3.9), unigramEntropy: undefined }, false), undefined);
});
