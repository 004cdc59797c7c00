// Fine-tuning on a GPT base (Radford et al. 2018 §3.3): the input transformation with new special-token
// rows, pairs read in both orders and added, the auxiliary LM loss weighted by λ, freeze none|all|N,
// tagging refused in one sentence, and a fine-tuned folder that answers like the model that trained.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { requireTask } from '../../src/engine/checkpoint/finetuned';
import {
  GPT_FORMAT,
  type GptConfigFile,
  saveGptCheckpoint,
  writeGptHeader,
} from '../../src/engine/checkpoint/gpt';
import { openModel } from '../../src/engine/checkpoint/registry';
import { makeBatch } from '../../src/engine/data/tasks/encode';
import { Gpt, TOKEN_EMBEDDING } from '../../src/engine/models/gpt';
import { GPT_SPECIALS, GptTaskEncoder, gptTaskTokenizer } from '../../src/engine/models/taskEncoders/gpt';
import { TaskModel } from '../../src/engine/models/taskModel';
import { BpeTokenizer } from '../../src/engine/tokenizer/bpe';
import { PieceCounter, trainBpe } from '../../src/engine/tokenizer/bpeTrainer';
import { finetune, withFinetuneDefaults } from '../../src/engine/train/tasks/finetune';
import type { GptConfig } from '../../src/shared/configs';
import { bytesOf, pairLines, sentimentLines } from './finetuneTasks';
import { backend, tmpDir } from './helpers';

before(async () => {
  await backend();
});

const dir = tmpDir('pl-ft-gpt-');
const write = (name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

/** A small GPT folder (random weights) whose BPE was trained on the task's words. */
function gptBase(out: string): { dir: string; config: GptConfig } {
  const pc = new PieceCounter();
  for (const t of [sentimentLines(60, 9), pairLines(60, 9)]) for (const l of t.split('\n')) pc.add(l);
  const tok = trainBpe(pc.counts, { vocabSize: 320, minFrequency: 2 });
  const config: GptConfig = {
    vocabSize: tok.size,
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 2,
    intermediateSize: 64,
    maxPositions: 48,
    norm: 'pre',
    dropout: 0,
    layerNormEps: 1e-5,
    initializerRange: 0.1,
  };
  const g = new Gpt(config, { seed: 3 });
  const cfg: GptConfigFile = {
    format: GPT_FORMAT,
    formatVersion: 1,
    modelType: 'gpt',
    gpt: config,
    tokenizer: { type: 'byte-level-bpe', chinese: 'chars' },
    createdAt: new Date().toISOString(),
  };
  writeGptHeader(out, cfg, tok);
  const state = { step: 0, totalSteps: 0, rngState: 0, options: {}, finished: true, savedAt: '' };
  saveGptCheckpoint(out, [...g.params.keys()], { weights: g.params, state });
  g.dispose();
  return { dir: out, config };
}

describe('fine-tuning on a GPT base', () => {
  const base = gptBase(path.join(dir, 'gpt'));
  const openTok = () => BpeTokenizer.load(base.dir);
  const weightsOf = () => {
    const g = new Gpt(base.config, { seed: 3 });
    const w = new Map<string, tf.Tensor>(g.params);
    return { g, w };
  };

  test('special tokens get new rows after the vocabulary; the pretrained rows are kept', () => {
    const { g, w } = weightsOf();
    const enc = new GptTaskEncoder(base.config, w, 0.5);
    const V = base.config.vocabSize;
    const wte = enc.params.get(TOKEN_EMBEDDING)!;
    assert.deepEqual(wte.shape, [V + GPT_SPECIALS.length, base.config.hiddenSize]);
    const head = tf.tidy(() => tf.slice(wte, [0, 0], [V, -1]));
    assert.ok(bytesOf(head).equals(bytesOf(g.params.get(TOKEN_EMBEDDING)!)));
    const again = new GptTaskEncoder(base.config, w, 0.5); // a frozen run finds the same new rows
    assert.ok(bytesOf(again.params.get(TOKEN_EMBEDDING)!).equals(bytesOf(wte)));
    // freeze 1: the lowest block and the embeddings stay, the block above and ln_f train
    const names = enc.trainableNames(1);
    assert.ok(names.every((n) => !n.startsWith('h.0.') && n !== 'wte' && n !== 'wpe'));
    assert.ok(names.some((n) => n.startsWith('h.1.')) && names.includes('ln_f.gamma'));
    assert.deepEqual(enc.trainableNames('all'), []);
    assert.throws(() => enc.trainableNames(3), /more than the 2 blocks/);
    for (const t of [head, ...g.params.values()]) t.dispose();
    enc.dispose();
    again.dispose();
  });

  test('a pair is read in both orders and the two final states added: (A, B) scores as (B, A)', async () => {
    const { g, w } = weightsOf();
    const enc = new GptTaskEncoder(base.config, w, 0.5);
    for (const t of g.params.values()) t.dispose();
    const tok = gptTaskTokenizer(openTok());
    const model = new TaskModel('pair', enc, ['diff', 'same'], { seed: 5 });
    const e = tok.encodeText('the film was good', 'a song was bad', 48);
    const V = base.config.vocabSize;
    assert.equal(e.ids[0], V); // <start>
    assert.equal(e.ids.at(-1), V + 2); // <extract>
    assert.ok(e.ids.includes(V + 1)); // <delim>
    assert.deepEqual(e.alt, tok.encodeText('a song was bad', 'the film was good', 48).ids);
    const [ab] = await model.probabilities(makeBatch([e]));
    const [ba] = await model.probabilities(
      makeBatch([tok.encodeText('a song was bad', 'the film was good', 48)]),
    );
    for (let k = 0; k < 2; k++) assert.ok(Math.abs(ab[k] - ba[k]) < 1e-5, `${ab} vs ${ba}`);
    // one order alone scores differently: the second reading is really added
    const [one] = await model.probabilities(makeBatch([{ ...e, alt: undefined }]));
    assert.ok(Math.abs(one[0] - ab[0]) > 1e-6, `${one} vs ${ab}`);
    // and B matters: another second text changes the answer
    const [other] = await model.probabilities(
      makeBatch([tok.encodeText('the film was good', 'a trip was bad', 48)]),
    );
    assert.ok(Math.abs(other[0] - ab[0]) > 1e-6);
    model.dispose();
  });

  test('the LM loss adds λ·L1 to the task loss when λ > 0 and nothing when λ = 0', () => {
    const tok = gptTaskTokenizer(openTok());
    const batch = makeBatch(
      ['the film was good', 'the meal was not bad'].map((t, i) => ({
        ...tok.encodeText(t, undefined, 48),
        label: i,
      })),
    );
    const lossWith = (lm: number) => {
      const { g, w } = weightsOf();
      const model = new TaskModel('classify', new GptTaskEncoder(base.config, w, lm), ['neg', 'pos'], {
        seed: 5,
      });
      for (const t of g.params.values()) t.dispose();
      const o = { training: true, encoderTraining: true, seed: 1 };
      const [total, task] = tf.tidy(() => [
        model.loss(batch, o).loss.dataSync()[0],
        // the task's cross-entropy alone, from the logits
        tf
          .neg(
            tf.mean(
              tf.sum(
                tf.mul(
                  tf.logSoftmax(model.logits(batch, o)),
                  tf.oneHot(tf.tensor1d(batch.labels, 'int32'), 2),
                ),
                1,
              ),
            ),
          )
          .dataSync()[0],
      ]);
      model.dispose();
      return { total, task };
    };
    const off = lossWith(0);
    const half = lossWith(0.5);
    const one = lossWith(1);
    assert.ok(Math.abs(off.total - off.task) < 1e-6, `λ = 0: ${off.total} vs ${off.task}`);
    assert.ok(half.total - half.task > 0.5, `λ = 0.5 adds the LM loss: ${half.total} vs ${half.task}`);
    // the added term is λ times the same LM loss
    assert.ok(Math.abs(one.total - one.task - 2 * (half.total - half.task)) < 1e-4);
  });

  test('classify and pairs train end to end, frozen or not; a saved run answers; tagging is refused', async () => {
    const before = tf.memory().numTensors;
    const train = write('train.tsv', pairLines(48, 1));
    const dev = write('dev.tsv', pairLines(16, 2));
    const r = await finetune(
      withFinetuneDefaults({
        task: 'pair',
        baseDir: base.dir,
        train,
        dev,
        outDir: path.join(dir, 'pair'),
        epochs: 1,
        learningRate: 3e-3,
        lmWeight: 0.5,
      }),
    );
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.summary.baseKind, 'gpt');
    assert.equal(r.summary.trainedParameters, r.summary.totalParameters); // freeze none: everything trains
    const m = openModel(path.join(dir, 'pair'));
    const a = await requireTask(m, 'classify').classify('the film was good', 'a film was bad');
    const b = await requireTask(m, 'classify').classify('a film was bad', 'the film was good');
    assert.ok(Math.abs(a.probabilities.same - b.probabilities.same) < 1e-5);
    m.dispose();
    // feature-based: only the head trains, the folder keeps a reference to the base, answers the same
    const cls = write('cls.tsv', sentimentLines(32, 3));
    const frozen = await finetune(
      withFinetuneDefaults({
        task: 'classify',
        baseDir: base.dir,
        train: cls,
        outDir: path.join(dir, 'frozen'),
        epochs: 1,
        learningRate: 1e-3,
        freeze: 'all',
      }),
    );
    assert.equal(frozen.summary.trainedParameters, 2 * base.config.hiddenSize + 2);
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'frozen', 'config.json'), 'utf8'));
    assert.equal(cfg.encoder, 'base');
    assert.equal(cfg.lmWeight, 0.5);
    const f = openModel(path.join(dir, 'frozen'));
    const p = await requireTask(f, 'classify').classify('the song was not awful');
    assert.ok(Math.abs(p.probabilities.pos + p.probabilities.neg - 1) < 1e-5);
    f.dispose();
    await assert.rejects(
      finetune(
        withFinetuneDefaults({ task: 'tag', baseDir: base.dir, train: cls, outDir: path.join(dir, 'tag') }),
      ),
      /^BaseModelError: A GPT base reads only the words to the left, so it does not tag words here; use a BERT or ELMo base for tagging\.$/,
    );
  });
});
