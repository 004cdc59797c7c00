// Fine-tuning on an ELMo base, feature-based (Peters et al. 2018 §3.3): only a scalar mix of the biLM's
// layers and the head train, the biLM stays byte-identical, the mix's softmax weights sum to 1 and move,
// context decides a label better than a bag of words, and the fine-tuned folder reports its mix.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { evaluateFile } from '../../src/engine/analysis/taskEvaluate';
import { disposeElmoFolder, loadElmoFolder } from '../../src/engine/checkpoint/elmo';
import { loadTaskModel, requireTask } from '../../src/engine/checkpoint/finetuned';
import { openModel } from '../../src/engine/checkpoint/registry';
import { main } from '../../src/engine/cli/main';
import { finetune, withFinetuneDefaults } from '../../src/engine/train/tasks/finetune';
import { elmoWithDefaults, pretrainElmo } from '../../src/engine/train/tasks/pretrainElmo';
import { LiveRun, readRun } from '../../src/extension/finetuneRuns';
import type { FinetuneProgress } from '../../src/shared/finetune';
import { bagOfWordsAccuracy, bytesOf, nounVerbConll, sentimentLines } from './finetuneTasks';
import { backend, tmpDir, writeCorpus } from './helpers';

before(async () => {
  await backend();
});

const dir = tmpDir('pl-ft-elmo-');
const trainText = sentimentLines(240, 1);
const devText = sentimentLines(60, 2);
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};
const train = write('train.tsv', trainText);
const dev = write('dev.tsv', devText);
const elmoDir = path.join(dir, 'elmo');

async function captureStdout(args: string[]): Promise<string> {
  let out = '';
  const orig = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => {
    out += s;
    return true;
  }) as typeof process.stdout.write;
  try {
    assert.equal(await main(args), 0);
  } finally {
    process.stdout.write = orig;
  }
  return out;
}

describe('fine-tuning on an ELMo base', () => {
  before(async () => {
    // the biLM reads the task's sentences as plain text (no labels), as a pretraining corpus would
    const text = [...trainText.split('\n'), ...nounVerbConll(60).split('\n\n')].map((l) =>
      l.replace(/\t\w+$/, '').replace(/ [A-Z]+(\n|$)/g, ' '),
    );
    const corpus = writeCorpus(tmpDir('pl-ft-elmo-c-'), { 'a.txt': `${text.join('\n')}\n` });
    const r = await pretrainElmo(
      elmoWithDefaults({
        corpus: [corpus],
        outDir: elmoDir,
        preset: 'tiny',
        steps: 20, // a briefly trained biLM: enough for its LSTM states to carry a word's neighbours
        batchSize: 8,
        seqLength: 12,
        minCount: 1,
        warmupSteps: 5,
        learningRate: 1e-2,
      }),
    );
    assert.equal(r.status, 'done');
  });

  test('the mix and the head train, the biLM stays byte-identical, context beats a bag of words', async () => {
    const before = fs.readFileSync(path.join(elmoDir, 'checkpoint', 'weights.bin'));
    const mixes: FinetuneProgress['mix'][] = [];
    const r = await finetune(
      withFinetuneDefaults({
        task: 'classify',
        baseDir: elmoDir,
        train,
        dev,
        outDir: path.join(dir, 'cls'),
        epochs: 16,
        learningRate: 3e-2,
        freeze: 'all',
        batchSize: 16,
      }),
      { onProgress: (p) => mixes.push(p.mix) },
    );
    assert.ok(mixes.length > 8 && mixes.every((m) => m !== undefined), 'every report carries the mix');
    for (const m of mixes) assert.ok(Math.abs(m!.weights.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const first = mixes[0]!;
    const last = mixes.at(-1)!;
    assert.ok(
      last.weights.some((w, j) => Math.abs(w - first.weights[j]) > 1e-3) ||
        Math.abs(last.gamma - first.gamma) > 1e-3,
      `the mix moved: ${JSON.stringify(first)} → ${JSON.stringify(last)}`,
    );
    const bow = bagOfWordsAccuracy(trainText, devText);
    assert.ok(
      r.summary.dev.accuracy > bow + 0.1,
      `dev accuracy ${r.summary.dev.accuracy}, bag of words ${bow}`,
    );
    // the biLM: its file and every loaded tensor unchanged
    assert.ok(fs.readFileSync(path.join(elmoDir, 'checkpoint', 'weights.bin')).equals(before));
    const tuned = loadTaskModel(path.join(dir, 'cls')).model;
    const f = loadElmoFolder(elmoDir);
    try {
      for (const [name, w] of f.weights)
        assert.ok(bytesOf(tuned.encoder.params.get(name)!).equals(bytesOf(w)), `${name} changed`);
      const manifest = JSON.parse(
        fs.readFileSync(path.join(dir, 'cls', 'checkpoint', 'weights.json'), 'utf8'),
      );
      assert.deepEqual(manifest.weights.map((w: { name: string }) => w.name).sort(), [
        'classifier.bias',
        'classifier.kernel',
        'elmo_head.hidden.bias',
        'elmo_head.hidden.kernel',
        'mix.gamma',
        'mix.scalars',
      ]);
    } finally {
      disposeElmoFolder(f);
      tuned.dispose();
    }
    // the saved folder answers, evaluates and reports its mix
    const m = openModel(path.join(dir, 'cls'));
    const a = await requireTask(m, 'classify').classify('the song was not awful');
    assert.ok(Math.abs(a.probabilities.pos + a.probabilities.neg - 1) < 1e-5);
    m.dispose();
    const ev = await evaluateFile(path.join(dir, 'cls'), dev);
    assert.equal(ev.metrics.accuracy, r.summary.dev.accuracy);
    const info = JSON.parse(await captureStdout(['info', '--model', path.join(dir, 'cls'), '--json']));
    assert.equal(info.scalarMix.weights.length, 3);
    assert.ok(Math.abs(info.scalarMix.weights.reduce((x: number, y: number) => x + y, 0) - 1) < 1e-5);
    assert.equal(typeof info.scalarMix.gamma, 'number');
    assert.deepEqual(info.scalarMix, r.summary.scalarMix);
    // the panel's view of the run: the saved mix and the base kind, and live reports that move the bars
    const run = readRun(path.join(dir, 'cls'));
    assert.ok(!('problem' in run));
    assert.deepEqual([run.baseKind, run.mix], ['elmo', r.summary.scalarMix]);
    const live = new LiveRun(path.join(dir, 'live'), 'sequence classification', 'elmo', 'all');
    const report = {
      epoch: 1,
      epochs: 1,
      step: 3,
      totalSteps: 9,
      trainLoss: 0.7,
      learningRate: 0.01,
      examplesPerSecond: 1,
      etaSeconds: 1,
    };
    assert.equal(live.add(report), false, 'a report without a mix or dev metrics changes nothing');
    assert.equal(live.add({ ...report, mix: first }), true);
    assert.deepEqual(live.view().mix, first);
  });

  test('tagging reads each word; another --freeze is refused in one sentence', async () => {
    const conll = write('tags.conll', nounVerbConll(120));
    const r = await finetune(
      withFinetuneDefaults({
        task: 'tag',
        baseDir: elmoDir,
        train: conll,
        outDir: path.join(dir, 'tag'),
        epochs: 6,
        learningRate: 3e-2,
      }),
    );
    assert.ok(r.summary.dev.accuracy >= 0.9, `token accuracy ${r.summary.dev.accuracy}`);
    assert.equal(r.summary.freeze, 'all');
    const m = openModel(path.join(dir, 'tag'));
    const t = await requireTask(m, 'tag').tag('to run a game');
    assert.deepEqual(
      t.tokens.map((x) => [x.token, x.label, x.start]),
      [
        ['to', 'PRT', 0],
        ['run', 'VERB', 3],
        ['a', 'DET', 7],
        ['game', 'NOUN', 9],
      ],
    );
    m.dispose();
    await assert.rejects(
      finetune(
        withFinetuneDefaults({
          task: 'classify',
          baseDir: elmoDir,
          train,
          dev,
          outDir: path.join(dir, 'bad'),
          freeze: 'none',
        }),
      ),
      /ELMo base is used feature-based only .*use --freeze all\.$/,
    );
  });
});

void tf;
