import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { BertPredictor, NO_MASK_MESSAGE } from '../../src/engine/analysis/predictMask';
import { disposeLoaded, loadModelFolder, readMetrics } from '../../src/engine/checkpoint/bert';
import { pretrainBert, withDefaults } from '../../src/engine/train/pretrainBert';
import type { PretrainOptions } from '../../src/shared/configs';
import { backend, factCorpus, tmpDir, writeCorpus } from './helpers';

let corpus: string;
const small = (out: string, extra: Partial<PretrainOptions> = {}) =>
  withDefaults({
    corpus: [corpus],
    outDir: out,
    steps: 6,
    batchSize: 4,
    maxSeqLength: 32,
    vocabSize: 300,
    checkpointEvery: 2,
    logEvery: 2,
    warmupSteps: 2,
    ...extra,
  });

before(async () => {
  await backend();
  corpus = factCorpus(tmpDir(), 12, 4);
  fs.writeFileSync(
    path.join(corpus, 'zh.txt'),
    '北京是中国的首都。东京是日本的首都。\n\n巴黎是法国的首都！罗马是意大利的首都？\n',
  );
});

describe('pretraining and the model folder', () => {
  test('writes config.json, vocab.txt, metrics and a checkpoint that loads with the config shapes', async () => {
    const out = path.join(tmpDir(), 'model');
    const progress: number[] = [];
    const r = await pretrainBert(small(out), { onProgress: (p) => progress.push(p.step) });
    assert.equal(r.status, 'done');
    assert.deepEqual(progress, [2, 4, 6]);
    for (const f of [
      'config.json',
      'vocab.txt',
      'metrics.jsonl',
      'checkpoint/weights.bin',
      'checkpoint/weights.json',
      'checkpoint/trainer_state.json',
      'checkpoint/optimizer_m.bin',
    ]) {
      assert.ok(fs.existsSync(path.join(out, f)), `${f} is missing`);
    }
    assert.equal(readMetrics(out).length, 3);
    const m = loadModelFolder(out, { withOptimizer: true });
    assert.equal(m.state!.step, 6);
    assert.equal(m.vocab.size, m.config.bert.vocabSize);
    assert.ok(m.vocab.has('北') && m.vocab.has('paris'), 'Chinese and English both reach the vocabulary');
    disposeLoaded(m);
    assert.ok(
      !fs.readdirSync(out).some((f) => f.includes('.tmp') || f.endsWith('.old')),
      'no temporary folder is left',
    );
  });

  test('cancel between steps keeps a usable checkpoint; resume continues with the optimizer state', async () => {
    const out = path.join(tmpDir(), 'model');
    let steps = 0;
    const r1 = await pretrainBert(small(out), {
      onProgress: (p) => (steps = p.step),
      shouldStop: () => steps >= 2,
    });
    assert.equal(r1.status, 'cancelled');
    assert.equal(r1.step, 2);
    const p = new BertPredictor(out);
    assert.equal(p.predictMasks('the capital of peru is [MASK].', 3).masks[0].candidates.length, 3);
    p.dispose();
    const r2 = await pretrainBert(small(out));
    assert.equal(r2.status, 'done');
    assert.equal(r2.step, 6);
    const m = loadModelFolder(out, { withOptimizer: true });
    const mAbs = tf.tidy(
      () => tf.sum(tf.abs(m.optimizer!.m.get('embeddings.word_embeddings')!)).dataSync()[0],
    );
    assert.ok(mAbs > 0, 'the optimizer moments were saved');
    disposeLoaded(m);
  });

  test('the same seed gives the same run', async () => {
    const a = path.join(tmpDir(), 'a');
    const b = path.join(tmpDir(), 'b');
    await pretrainBert(small(a, { steps: 4, seed: 11 }));
    await pretrainBert(small(b, { steps: 4, seed: 11 }));
    const strip = (d: string) => readMetrics(d).map((m) => [m.step, m.mlmLoss, m.nspLoss, m.mlmAccuracy]);
    assert.deepEqual(strip(a), strip(b));
    assert.deepEqual(
      fs.readFileSync(path.join(a, 'checkpoint', 'weights.bin')),
      fs.readFileSync(path.join(b, 'checkpoint', 'weights.bin')),
    );
  });

  test('a crash between the two renames still leaves a loadable checkpoint', async () => {
    const out = path.join(tmpDir(), 'model');
    await pretrainBert(small(out, { steps: 2 }));
    fs.renameSync(path.join(out, 'checkpoint'), path.join(out, 'checkpoint.old'));
    const m = loadModelFolder(out);
    assert.equal(m.state!.step, 2);
    disposeLoaded(m);
  });

  test('a loss that becomes NaN stops training with one sentence and keeps the last good checkpoint', async () => {
    const out = path.join(tmpDir(), 'model');
    await assert.rejects(
      pretrainBert(
        small(out, { learningRate: 1e30, warmupSteps: 0, checkpointEvery: 1, clipNorm: 0, steps: 10 }),
      ),
      /^Error: Training stopped: the (loss|gradient) became (NaN|Infinity) at step \d+; the checkpoint of step \d+ is kept\. Lower the learning rate and resume\.$/,
    );
    const m = loadModelFolder(out);
    assert.ok(m.state!.step >= 1);
    disposeLoaded(m);
  });

  test('bad corpora get one clear sentence', async () => {
    const out = path.join(tmpDir(), 'model');
    await assert.rejects(
      pretrainBert(withDefaults({ corpus: ['/nonexistent/x'], outDir: out })),
      /No corpus files found at \/nonexistent\/x; give text files/,
    );
    const empty = writeCorpus(tmpDir(), { 'a.txt': '\n\n  \n' });
    await assert.rejects(
      pretrainBert(small(out, { corpus: [empty] })),
      /The corpus has no text; give files or folders with UTF-8 text\./,
    );
    const bin = tmpDir();
    fs.writeFileSync(path.join(bin, 'x.txt'), Buffer.from([1, 0, 2, 0]));
    await assert.rejects(
      pretrainBert(small(path.join(tmpDir(), 'm'), { corpus: [bin] })),
      /1 binary or non-UTF-8 file\(s\) were skipped/,
    );
    const busy = writeCorpus(tmpDir(), { 'notes.txt': 'mine' });
    await assert.rejects(
      pretrainBert(small(busy)),
      /is not empty and holds no Pretrain Lab model; choose a new or empty folder/,
    );
  });

  test('loading refuses a missing, partial or foreign model folder, naming the file', async () => {
    const out = path.join(tmpDir(), 'model');
    await pretrainBert(small(out, { steps: 2 }));
    const copy = (name: string) => {
      const d = path.join(tmpDir(), name);
      fs.cpSync(out, d, { recursive: true });
      return d;
    };
    assert.throws(
      () => loadModelFolder('/nonexistent/model'),
      /does not exist; pick an existing model or pretrain one/,
    );
    const noVocab = copy('a');
    fs.rmSync(path.join(noVocab, 'vocab.txt'));
    assert.throws(() => loadModelFolder(noVocab), /vocab\.txt is missing/);
    const cut = copy('b');
    fs.truncateSync(path.join(cut, 'checkpoint', 'weights.bin'), 100);
    assert.throws(() => loadModelFolder(cut), /weights\.bin has 100 bytes but its manifest needs \d+/);
    const wrong = copy('c');
    const cfg = JSON.parse(fs.readFileSync(path.join(wrong, 'config.json'), 'utf8'));
    cfg.bert.hiddenSize = 64;
    cfg.bert.intermediateSize = 256;
    fs.writeFileSync(path.join(wrong, 'config.json'), JSON.stringify(cfg));
    assert.throws(
      () => loadModelFolder(wrong),
      /weights\.json gives embeddings\.word_embeddings shape \[\d+,128\] but config\.json implies \[\d+,64\]/,
    );
    const hf = copy('d');
    fs.writeFileSync(
      path.join(hf, 'config.json'),
      JSON.stringify({ model_type: 'bert', architectures: ['BertForMaskedLM'] }),
    );
    assert.throws(
      () => loadModelFolder(hf),
      /was not written by Pretrain Lab \(it looks like a Hugging Face model folder\)/,
    );
  });

  test('predict-mask: masks in text order, candidates by falling probability, notices for bad input', async () => {
    const out = path.join(tmpDir(), 'model');
    await pretrainBert(small(out, { steps: 2 }));
    const p = new BertPredictor(out);
    const before = tf.memory().numTensors;
    const r = p.predictMasks('[MASK] is the capital of [MASK].', 5);
    assert.equal(tf.memory().numTensors, before, 'predict leaked tensors');
    assert.deepEqual(
      r.masks.map((m) => m.position),
      [0, 25],
    );
    for (const m of r.masks) {
      assert.equal(m.candidates.length, 5);
      for (let i = 1; i < 5; i++) assert.ok(m.candidates[i - 1].probability >= m.candidates[i].probability);
      assert.ok(m.candidates.every((c) => !c.token.startsWith('[') && !c.token.startsWith('##')));
    }
    assert.throws(
      () => p.predictMasks('no mask here'),
      new RegExp(NO_MASK_MESSAGE.replace(/[[\]().]/g, '\\$&')),
    );
    const long = `${'word '.repeat(600)}the capital of peru is [MASK].`;
    const rl = p.predictMasks(long, 3);
    assert.match(rl.notice!, /more than the model's 510; only tokens \d+–\d+ .* were read/);
    assert.equal(rl.masks[0].position, long.indexOf('[MASK]'));
    const w = p.predictWord('the capital of peru is lima.', 23, 27, 4);
    assert.equal(w.masks[0].original, 'lima');
    assert.ok(w.masks[0].originalRank! >= 1);
    assert.equal(w.masks[0].position, 23);
    p.dispose();
  });
});
