// Fine-tuning: the task readers (good files, and bad lines named), entity scores as seqeval computes
// them, and small runs on toy tasks where a tiny BERT learns what decides the label, frozen or not.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import {
  classificationMetrics,
  entities,
  entityScores,
  isChunkScheme,
} from '../../src/engine/analysis/metrics';
import { evaluateFile } from '../../src/engine/analysis/taskEvaluate';
import {
  baseRefOf,
  bundledStarterDir,
  resolveBase,
  weightsChecksum,
} from '../../src/engine/checkpoint/baseRef';
import {
  disposeLoaded,
  loadModelFolder,
  saveCheckpoint,
  writeModelHeader,
} from '../../src/engine/checkpoint/bert';
import { loadTaskModel, requireTask } from '../../src/engine/checkpoint/finetuned';
import { openModel } from '../../src/engine/checkpoint/registry';
import { saveW2vCheckpoint, writeW2vHeader } from '../../src/engine/checkpoint/word2vec';
import { readClassifyFile } from '../../src/engine/data/tasks/classify';
import { labelSet } from '../../src/engine/data/tasks/common';
import { readPairsFile } from '../../src/engine/data/tasks/pairs';
import { readTaggingFile, segmentationTags } from '../../src/engine/data/tasks/tagging';
import { Bert, bertEncoderShapes } from '../../src/engine/models/bert';
import { WordFeatures } from '../../src/engine/models/wordFeatures';
import { SPECIAL_TOKENS, Vocab } from '../../src/engine/tokenizer/vocab';
import { finetune, withFinetuneDefaults } from '../../src/engine/train/tasks/finetune';
import { howLabel, LiveRun, readRuns } from '../../src/extension/finetuneRuns';
import { distributionLines, tagSpans } from '../../src/extension/taskDecorations';
import type { BertConfig } from '../../src/shared/configs';
import type { FinetuneRequestOptions } from '../../src/shared/finetune';
import { cli } from './cliCapture';
import { ADJS, bagOfWordsAccuracy, bytesOf, NOUNS, pairLines, sentimentLines } from './finetuneTasks';
import { backend, tmpDir } from './helpers';

before(async () => {
  await backend();
});

function file(dir: string, name: string, text: string): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
}

describe('task readers', () => {
  const dir = tmpDir();

  test('text<TAB>label lines, a header with a column mapping, quoted CSV and JSONL', () => {
    const plain = readClassifyFile(file(dir, 'a.tsv', 'a fine film\tpos\n\nan awful film\tneg\n'));
    assert.deepEqual(
      plain.map((e) => [e.text, e.label, e.line]),
      [
        ['a fine film', 'pos', 1],
        ['an awful film', 'neg', 3],
      ],
    );
    const mapped = readClassifyFile(file(dir, 'b.tsv', 'id\tbody\tgold\n1\tgood\tpos\n2\tbad\tneg\n'), {
      text: 'body',
      label: 'gold',
    });
    assert.deepEqual(
      mapped.map((e) => e.text),
      ['good', 'bad'],
    );
    const csv = readClassifyFile(file(dir, 'c.csv', 'text,label\n"yes, ""quoted""",pos\nplain,neg\n'));
    assert.equal(csv[0].text, 'yes, "quoted"');
    const jsonl = readPairsFile(
      file(
        dir,
        'd.jsonl',
        '{"text_a":"a","text_b":"b","label":"x"}\n{"text_a":"c","text_b":"d","label":"y"}\n',
      ),
    );
    assert.deepEqual(
      jsonl.map((e) => [e.text, e.textB, e.label]),
      [
        ['a', 'b', 'x'],
        ['c', 'd', 'y'],
      ],
    );
    const pairs = readPairsFile(file(dir, 'e.tsv', 'one\ttwo\tsame\nthree\tfour\tdiff\n'));
    assert.equal(pairs[1].textB, 'four');
  });

  test('bad input: one sentence naming the file and line, or the columns there are', () => {
    assert.throws(
      () => readClassifyFile(file(dir, 'f.tsv', 'good\tpos\nno label here\nbad\tneg\n')),
      /f\.tsv line 2 has no label/,
    );
    assert.throws(() => readClassifyFile(file(dir, 'g.tsv', '')), /is empty/);
    const one = readClassifyFile(file(dir, 'h.tsv', 'a\tpos\nb\tpos\n'));
    assert.throws(
      () =>
        labelSet(
          one.map((e) => e.label),
          'h.tsv',
        ),
      /only the label "pos"/,
    );
    assert.throws(
      () => readClassifyFile(file(dir, 'i.csv', 'text,label\na,b\n'), { label: 'gold' }),
      /no column "gold" for the label; its columns are "text", "label"/,
    );
    assert.throws(
      () => readPairsFile(file(dir, 'j.jsonl', '{"text_a":"a","label":"x"}\n')),
      /line 1 has no "text_b"/,
    );
    assert.throws(
      () => readTaggingFile(file(dir, 'k.conll', 'The DET\ncat\n')),
      /k\.conll line 2 \("cat"\) has no tag/,
    );
  });

  test('CoNLL: last column is the tag, blank lines part sentences, -DOCSTART- is skipped', () => {
    const s = readTaggingFile(
      file(
        dir,
        'l.conll',
        '-DOCSTART- -X- O\n\nEU NNP B-ORG\nrejects VBZ O\n\nPeter\tB-PER\nBlackburn\tI-PER\n',
      ),
    );
    assert.deepEqual(
      s.map((x) => [x.tokens, x.tags, x.line]),
      [
        [['EU', 'rejects'], ['B-ORG', 'O'], 3],
        [['Peter', 'Blackburn'], ['B-PER', 'I-PER'], 6],
      ],
    );
    assert.deepEqual(segmentationTags(['北京', '大学生', '去']).tags, ['B', 'E', 'B', 'I', 'E', 'S']);
  });
});

describe('metrics', () => {
  test('accuracy, per-label F1, macro-F1 and the confusion matrix, by hand', () => {
    const m = classificationMetrics([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], ['a', 'b', 'c']);
    assert.equal(m.accuracy, 3 / 5);
    assert.deepEqual(m.confusion, [
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 0],
    ]);
    // a: P 1/2 R 1/2 F 1/2; b: P 2/3 R 1 F 0.8; c: F 0
    assert.ok(Math.abs(m.perLabel[1].f1 - 0.8) < 1e-12);
    assert.ok(Math.abs(m.macroF1 - (0.5 + 0.8 + 0) / 3) < 1e-12);
  });

  test('entities as seqeval reads them: BIO with partial overlaps, I after O, bare B/I/E/S', () => {
    // seqeval's README example: one of two entities matches exactly, so P = R = F1 = 0.5
    const gold = [
      ['O', 'O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'O'],
      ['B-PER', 'I-PER', 'O'],
    ];
    const pred = [
      ['O', 'O', 'B-MISC', 'I-MISC', 'I-MISC', 'I-MISC', 'O'],
      ['B-PER', 'I-PER', 'O'],
    ];
    assert.deepEqual(entityScores(gold, pred), { precision: 0.5, recall: 0.5, f1: 0.5 });
    // a cut-short PER and a LOC predicted as ORG: 0 of 2 right; a spurious third
    const s = entityScores([['B-PER', 'I-PER', 'O', 'B-LOC']], [['B-PER', 'O', 'B-ORG', 'I-ORG']]);
    assert.deepEqual(s, { precision: 0, recall: 0, f1: 0 });
    const t = entityScores([['B-PER', 'I-PER', 'O', 'B-LOC']], [['B-PER', 'I-PER', 'O', 'O']]);
    assert.deepEqual(t, { precision: 1, recall: 0.5, f1: 2 / 3 });
    assert.deepEqual(entities(['I-PER', 'I-PER', 'O', 'I-LOC', 'B-LOC']), [
      { type: 'PER', start: 0, end: 1 },
      { type: 'LOC', start: 3, end: 3 },
      { type: 'LOC', start: 4, end: 4 },
    ]);
    assert.deepEqual(
      entities(['B', 'E', 'S', 'B', 'I', 'E']).map((e) => [e.start, e.end]),
      [
        [0, 1],
        [2, 2],
        [3, 5],
      ],
    );
    assert.ok(isChunkScheme(['B', 'I', 'E', 'S']));
    assert.ok(isChunkScheme(['O', 'B-PER', 'I-PER']));
    assert.ok(!isChunkScheme(['NOUN', 'VERB', 'DET']));
  });
});

const TINY: BertConfig = {
  vocabSize: 0,
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 64,
  maxPositions: 64,
  typeVocabSize: 2,
  dropout: 0,
  layerNormEps: 1e-12,
  initializerRange: 0.02,
};

/** A randomly initialised tiny BERT folder over the given words (a base that knows nothing yet). */
function tinyBase(dir: string, words: string[]): string {
  const vocab = new Vocab([...SPECIAL_TOKENS, ...words]);
  const bert = { ...TINY, vocabSize: vocab.size };
  writeModelHeader(
    dir,
    {
      format: 'pretrain-lab/bert',
      formatVersion: 1,
      modelType: 'bert',
      bert,
      tokenizer: { lowercase: true },
      createdAt: new Date().toISOString(),
    },
    vocab,
  );
  const model = new Bert(bert, { seed: 3 });
  saveCheckpoint(dir, [...model.params.keys()], {
    weights: model.params,
    state: { step: 1, totalSteps: 1, rngState: 1, options: {}, finished: true, savedAt: '' },
  });
  model.dispose();
  return dir;
}

describe('fine-tuning a tiny BERT', () => {
  const dir = tmpDir('pl-ft-');
  const base = tinyBase(path.join(dir, 'base'), [
    'the',
    'was',
    'not',
    'to',
    'a',
    ...NOUNS,
    ...ADJS,
    'run',
    'walk',
    'talk',
  ]);
  const train = file(dir, 'train.tsv', sentimentLines(240, 1));
  const dev = file(dir, 'dev.tsv', sentimentLines(60, 2));
  const run = (o: Partial<FinetuneRequestOptions> & { outDir: string }) =>
    finetune(
      withFinetuneDefaults({
        task: 'classify',
        baseDir: base,
        train,
        dev,
        epochs: 12,
        learningRate: 3e-3,
        ...o,
      }),
    );

  test('fine-tuning learns a label that "not" flips, and leaks no tensor', async () => {
    const before = tf.memory().numTensors;
    const r = await run({ outDir: path.join(dir, 'all') });
    assert.equal(tf.memory().numTensors, before);
    assert.ok(r.summary.dev.accuracy >= 0.9, `dev accuracy ${r.summary.dev.accuracy}`);
    const bow = bagOfWordsAccuracy(sentimentLines(240, 1), sentimentLines(60, 2));
    assert.ok(
      r.summary.dev.accuracy > bow + 0.1,
      `dev accuracy ${r.summary.dev.accuracy}, bag of words ${bow}`,
    );
    const m = openModel(path.join(dir, 'all'));
    const answer = await requireTask(m, 'classify').classify('the song was not awful');
    assert.equal(answer.label, 'pos');
    assert.ok(Math.abs(answer.probabilities.pos + answer.probabilities.neg - 1) < 1e-5);
    m.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  test('frozen leaves every base weight byte-identical; freeze 1 trains only the layer above', async () => {
    const ref = loadModelFolder(base);
    try {
      const frozen = await run({ outDir: path.join(dir, 'frozen'), freeze: 'all', epochs: 1 });
      assert.equal(frozen.summary.trainedParameters, 32 * 2 + 2); // the head alone
      const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'frozen', 'config.json'), 'utf8'));
      assert.equal(cfg.encoder, 'base'); // a reference to the base, not a copy
      await run({ outDir: path.join(dir, 'freeze1'), freeze: 1, epochs: 1 });
      const tuned = loadTaskModel(path.join(dir, 'freeze1')).model;
      const all = loadTaskModel(path.join(dir, 'all')).model;
      try {
        for (const [name, w] of ref.weights) {
          if (name.startsWith('cls.')) continue;
          const same = bytesOf(tuned.encoder.params.get(name)!).equals(bytesOf(w));
          const lower = name.startsWith('embeddings.') || name.startsWith('encoder.layer_0.');
          assert.equal(same, lower, `${name} ${lower ? 'changed under freeze 1' : 'did not train'}`);
        }
        assert.ok(
          !bytesOf(all.encoder.params.get('embeddings.word_embeddings')!).equals(
            bytesOf(ref.weights.get('embeddings.word_embeddings')!),
          ),
        );
      } finally {
        tuned.dispose();
        all.dispose();
      }
    } finally {
      disposeLoaded(ref);
    }
  });

  test('evaluate on a labelled file: the dev metrics of the saved epoch; --json prints them', async () => {
    const r = await evaluateFile(path.join(dir, 'all'), dev);
    const saved = JSON.parse(fs.readFileSync(path.join(dir, 'all', 'config.json'), 'utf8'));
    assert.equal(r.examples, 60);
    assert.ok(Math.abs(r.metrics.accuracy - saved.dev.accuracy) < 1e-9, `${r.metrics.accuracy}`);
    assert.deepEqual(r.metrics.confusion, saved.dev.confusion);
    assert.equal(
      r.metrics.confusion.flat().reduce((a: number, b: number) => a + b, 0),
      60,
    );
    const { code, out } = await cli(['evaluate', '--model', path.join(dir, 'all'), '--data', dev, '--json']);
    assert.equal(code, 0);
    const json = JSON.parse(out);
    assert.equal(json.examples, 60);
    assert.deepEqual(json.labels, r.metrics.labels);
    assert.equal(json.accuracy, r.metrics.accuracy);
    assert.equal(json.perLabel.length, 2);
    const unseen = file(dir, 'unseen.tsv', 'the film was good\tpos\nthe film was fine\tmeh\n');
    await assert.rejects(
      evaluateFile(path.join(dir, 'all'), unseen),
      /unseen\.tsv line 2 has the label "meh"/,
    );
  });

  test('a frozen model keeps a checksummed reference to its base; the Compare view reads both runs', () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(dir, 'frozen', 'config.json'), 'utf8'));
    assert.equal(cfg.base.weightsSha256, weightsChecksum(base));
    assert.equal(cfg.base.ref, undefined); // not the bundled starter
    const { runs, problems } = readRuns([path.join(dir, 'all'), path.join(dir, 'frozen'), base]);
    assert.deepEqual(
      runs.map((r) => [r.name, r.how, r.epochs.length]),
      [
        ['all', 'fine-tuned (all layers)', 12],
        ['frozen', 'frozen (feature-based)', 1],
      ],
    );
    assert.equal(runs[1].trainedParameters, 32 * 2 + 2);
    assert.ok(runs[0].best && runs[0].best.confusion.length === 2);
    assert.match(problems[0], /base is not a fine-tuned model/);
  });

  test('tagging: "run" is a noun after "the" and a verb after "to"', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 120; i++) {
      const w = ['run', 'walk', 'talk'][i % 3];
      lines.push(
        i % 2 ? `the DET\n${w} NOUN\nwas VERB\ngood ADJ` : `to PRT\n${w} VERB\na DET\n${NOUNS[i % 6]} NOUN`,
      );
    }
    const conll = file(dir, 'tags.conll', `${lines.join('\n\n')}\n`);
    const r = await finetune(
      withFinetuneDefaults({
        task: 'tag',
        baseDir: base,
        train: conll,
        outDir: path.join(dir, 'tagger'),
        epochs: 12,
        learningRate: 3e-3,
      }),
    );
    assert.ok(r.summary.dev.accuracy >= 0.95, `token accuracy ${r.summary.dev.accuracy}`);
    const m = openModel(path.join(dir, 'tagger'));
    const t = await requireTask(m, 'tag').tag('to run');
    assert.deepEqual(
      t.tokens.map((x) => [x.token, x.label, x.start]),
      [
        ['to', 'PRT', 0],
        ['run', 'VERB', 3],
      ],
    );
    assert.throws(() => requireTask(m, 'classify'), /fine-tuned classifier/);
    m.dispose();
  });

  test('sentence pairs: the label depends on both sentences (same noun or not)', async () => {
    const pairs = pairLines;
    const r = await finetune(
      withFinetuneDefaults({
        task: 'pair',
        baseDir: base,
        train: file(dir, 'pairs.tsv', pairs(300, 5)),
        dev: file(dir, 'pairs-dev.tsv', pairs(60, 6)),
        outDir: path.join(dir, 'pairs'),
        epochs: 12,
        learningRate: 3e-3,
      }),
    );
    const bow = bagOfWordsAccuracy(pairs(300, 5), pairs(60, 6));
    assert.ok(
      r.summary.dev.accuracy > bow + 0.1,
      `dev accuracy ${r.summary.dev.accuracy}, bag of words ${bow}`,
    );
    const m = openModel(path.join(dir, 'pairs'));
    await assert.rejects(requireTask(m, 'classify').classify('the film was good'), /give a second text/);
    m.dispose();
  });

  test('a dev label the training file never uses is named with its line', async () => {
    const bad = file(dir, 'bad-dev.tsv', 'the film was good\tpos\nthe film was fine\tmeh\n');
    await assert.rejects(
      run({ outDir: path.join(dir, 'bad'), dev: bad }),
      /bad-dev\.tsv line 2 has the label "meh"/,
    );
  });
});

describe('the fine-tune job as the training panel sees it', () => {
  test('train loss on every report, dev metrics on the report that ends an epoch', async () => {
    const { finetuneProgress } = await import('../../src/extension/jobs/finetune');
    const during = finetuneProgress({
      epoch: 2,
      epochs: 4,
      step: 15,
      totalSteps: 40,
      trainLoss: 0.5,
      learningRate: 1e-4,
      examplesPerSecond: 30,
      etaSeconds: 9,
    });
    assert.equal(during.position, 1.5); // epochs as a fraction: half of epoch 2
    assert.deepEqual(
      during.metrics.map((m) => m.id),
      ['train-loss', 'eps'],
    );
    const dev = classificationMetrics([0, 1], [0, 1], ['B', 'S']);
    dev.entity = { precision: 1, recall: 1, f1: 1 };
    const end = finetuneProgress({
      epoch: 2,
      epochs: 4,
      step: 20,
      totalSteps: 40,
      trainLoss: 0.4,
      learningRate: 1e-4,
      examplesPerSecond: 30,
      etaSeconds: 9,
      dev,
    });
    assert.deepEqual(
      end.metrics.map((m) => m.id),
      ['train-loss', 'eps', 'dev-loss', 'dev-acc', 'dev-macro-f1', 'dev-entity-f1'],
    );
  });
});

describe('where a frozen model finds its base', () => {
  const dir = tmpDir('pl-base-');
  const a = tinyBase(path.join(dir, 'starter-v1'), ['the', 'film']);

  test("the bundled starter is found from the engine's own folder (src or dist)", () => {
    const found = bundledStarterDir();
    assert.ok(found && fs.existsSync(path.join(found, 'config.json')), String(found));
    assert.equal(path.basename(found), 'starter');
  });

  test('a base that is the starter is referred to as "starter" and follows it when it moves', () => {
    const ref = baseRefOf(a, a);
    assert.equal(ref.ref, 'starter');
    assert.equal(ref.weightsSha256, weightsChecksum(a));
    // an extension update: the same starter, now in another folder; the old one is gone
    const moved = path.join(dir, 'starter-v2');
    fs.cpSync(a, moved, { recursive: true });
    fs.rmSync(a, { recursive: true });
    assert.equal(resolveBase('m', ref, moved), moved);
    assert.throws(() => resolveBase('m', { ...ref, ref: undefined }, moved), /which is gone; restore it/);
  });

  test('a base whose weights changed is refused in one sentence', () => {
    const b = tinyBase(path.join(dir, 'other'), ['the', 'film', 'song']);
    const ref = baseRefOf(b, undefined);
    assert.equal(ref.ref, undefined);
    assert.equal(resolveBase('m', ref), path.resolve(b));
    assert.throws(
      () => resolveBase('m', { ...ref, weightsSha256: '0'.repeat(64) }),
      /whose weights in .* have changed since .*; fine-tune again on the new base\./,
    );
  });
});

describe('what Tag Selection and Classify Selection draw', () => {
  const word = (token: string, start: number, label: string, probability = 0.9) => ({
    token,
    start,
    end: start + token.length,
    label,
    probability,
  });

  test('BIO tags merge into entity spans in document offsets, one colour per type, O undecorated', () => {
    // "Ada Lovelace met Bob in Paris" at document offset 100; I-LOC after O starts an entity (seqeval)
    const spans = tagSpans(
      {
        tokens: [
          word('Ada', 0, 'B-PER'),
          word('Lovelace', 4, 'I-PER'),
          word('met', 13, 'O'),
          word('Bob', 17, 'B-PER'),
          word('in', 21, 'O'),
          word('Paris', 24, 'I-LOC'),
        ],
      },
      100,
    );
    assert.deepEqual(
      spans.map((s) => [s.type, s.start, s.end, s.colour, s.words.length]),
      [
        ['PER', 100, 112, 0, 2],
        ['PER', 117, 120, 0, 1],
        ['LOC', 124, 129, 1, 1],
      ],
    );
  });

  test('B-X B-X are two entities; E and S close one; plain tags are a span per word', () => {
    const bioes = tagSpans(
      {
        tokens: [
          word('a', 0, 'B-ORG'),
          word('b', 2, 'E-ORG'),
          word('c', 4, 'I-ORG'),
          word('d', 6, 'S-ORG'),
          word('e', 8, 'B-ORG'),
        ],
      },
      0,
    );
    assert.deepEqual(
      bioes.map((s) => [s.start, s.end]),
      [
        [0, 3],
        [4, 5],
        [6, 7],
        [8, 9],
      ],
    );
    const pos = tagSpans(
      { tokens: [word('the', 0, 'DET'), word('run', 4, 'NOUN'), word('a', 8, 'DET')] },
      10,
      ['NOUN', 'DET'],
    );
    assert.deepEqual(
      pos.map((s) => [s.type, s.start, s.end, s.colour]),
      [
        ['DET', 10, 13, 1],
        ['NOUN', 14, 17, 0],
        ['DET', 18, 19, 1],
      ],
    );
  });

  test('Chinese word segmentation (bare B/I/E/S): a span per word, neighbours in alternating colours', () => {
    // 北京是首都 → 北京 / 是 / 首都
    const spans = tagSpans(
      {
        tokens: [
          word('北', 0, 'B'),
          word('京', 1, 'E'),
          word('是', 2, 'S'),
          word('首', 3, 'B'),
          word('都', 4, 'E'),
        ],
      },
      0,
    );
    assert.deepEqual(
      spans.map((s) => [s.words.map((w) => w.token).join(''), s.colour]),
      [
        ['北京', 0],
        ['是', 1],
        ['首都', 0],
      ],
    );
  });

  test('the label distribution is drawn on a fixed 0–1 scale, likeliest first', () => {
    const lines = distributionLines({ ham: 0.25, spam: 0.75 }, 8);
    assert.deepEqual(lines, ['spam  ██████░░   75.0%', 'ham   ██░░░░░░   25.0%']);
  });

  test('a live run gains a point per epoch and keeps the best one', () => {
    const live = new LiveRun('/m/run', 'sequence classification', 'starter', 'all');
    const dev = (acc: number) => ({ ...classificationMetrics([0, 1], [0, 1], ['a', 'b']), accuracy: acc });
    const p = {
      epochs: 3,
      step: 1,
      totalSteps: 3,
      trainLoss: 1,
      learningRate: 1,
      examplesPerSecond: 1,
      etaSeconds: 1,
    };
    assert.equal(live.add({ ...p, epoch: 1 }), false); // a step report: no new point
    live.add({ ...p, epoch: 1, dev: dev(0.6) });
    live.add({ ...p, epoch: 2, dev: dev(0.8) });
    live.add({ ...p, epoch: 3, dev: dev(0.7) });
    const v = live.view();
    assert.deepEqual(
      v.epochs.map((e) => e.accuracy),
      [0.6, 0.8, 0.7],
    );
    assert.equal(v.bestEpoch, 2);
    assert.equal(v.how, 'frozen (feature-based)');
    assert.equal(howLabel(1), 'lowest 1 layer frozen');
    assert.equal(howLabel(2), 'lowest 2 layers frozen');
    assert.equal(howLabel('none'), 'fine-tuned (all layers)');
    assert.equal(v.running, true);
  });
});

/** A word2vec folder over the given words, 8-dimensional vectors from a fixed pseudo-random stream. */
function w2vBase(dir: string, words: string[]): string {
  const dim = 8;
  writeW2vHeader(
    dir,
    {
      format: 'pretrain-lab/word2vec',
      formatVersion: 1,
      modelType: 'word2vec',
      options: { algo: 'skipgram', epochs: 1 },
      tokenizer: { tokenization: 'words', chinese: 'chars', lowercase: true },
      corpusWords: words.length,
      dim,
      vocabSize: words.length,
      createdAt: new Date().toISOString(),
    },
    words,
    words.map((_, i) => words.length - i),
  );
  let x = 11;
  const syn0 = Float32Array.from({ length: words.length * dim }, () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296 - 0.5;
  });
  saveW2vCheckpoint(dir, syn0, new Float32Array(words.length * dim), {
    epochsDone: 1,
    epochs: 1,
    epochLosses: [0.5],
    finished: true,
    savedAt: new Date().toISOString(),
  });
  return dir;
}

describe('bases: from scratch (random init) and word2vec features', () => {
  const dir = tmpDir('pl-ftb-');
  const words = ['the', 'was', 'not', 'to', 'a', ...NOUNS, ...ADJS, 'run', 'walk', 'talk'];
  const base = tinyBase(path.join(dir, 'base'), words);
  const w2v = w2vBase(path.join(dir, 'w2v'), words);
  const train = file(dir, 'train.tsv', sentimentLines(80, 1));
  const dev = file(dir, 'dev.tsv', sentimentLines(20, 2));
  const opts = (o: Partial<FinetuneRequestOptions> & { outDir: string }) =>
    withFinetuneDefaults({
      task: 'classify',
      baseDir: base,
      train,
      dev,
      epochs: 1,
      learningRate: 3e-3,
      ...o,
    });

  test('from scratch: the base config with fresh weights, every one of them trained and saved', async () => {
    const before = tf.memory().numTensors;
    const out = path.join(dir, 'scratch');
    const r = await finetune(opts({ outDir: out, fromScratch: true }));
    assert.equal(tf.memory().numTensors, before);
    assert.equal(r.summary.trainedParameters, r.summary.totalParameters);
    const cfg = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    assert.equal(cfg.init, 'random');
    assert.equal(cfg.encoder, 'saved');
    const pretrained = loadModelFolder(base);
    const init = new Bert({ ...TINY, vocabSize: words.length + SPECIAL_TOKENS.length }, { seed: 42 });
    const tuned = loadTaskModel(out).model;
    try {
      for (const [name] of bertEncoderShapes(init.config)) {
        const w = bytesOf(tuned.encoder.params.get(name)!);
        assert.ok(!w.equals(bytesOf(init.params.get(name)!)), `${name} did not train`);
        assert.ok(!w.equals(bytesOf(pretrained.weights.get(name)!)), `${name} is the pretrained weight`);
      }
    } finally {
      tuned.dispose();
      init.dispose();
      disposeLoaded(pretrained);
    }
    // the CLI: --from-scratch on a base folder, --model random:<preset> names a size
    await assert.rejects(
      finetune(opts({ outDir: path.join(dir, 'x'), baseDir: 'random:huge' })),
      /random:huge names no BERT size; use random:tiny/,
    );
  });

  test('word2vec features: only the head trains, the vectors stay as they were; tagging reads each word', async () => {
    const before = tf.memory().numTensors;
    const out = path.join(dir, 'w2v-classify');
    const r = await finetune(opts({ outDir: out, baseDir: w2v, learningRate: 1e-2, epochs: 2 }));
    assert.equal(r.summary.trainedParameters, 8 * 2 + 2); // the head alone: [8, 2] and a bias
    assert.equal(r.summary.freeze, 'all');
    const cfg = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    assert.equal(cfg.init, 'word2vec');
    assert.equal(cfg.encoder, 'base');
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'checkpoint', 'weights.json'), 'utf8'));
    assert.ok(
      manifest.weights.every((w: { name: string }) => w.name.startsWith('classifier.')),
      JSON.stringify(manifest.weights.map((w: { name: string }) => w.name)),
    );
    const tuned = loadTaskModel(out).model;
    try {
      const features = (tuned.encoder as { base?: unknown }).base;
      assert.ok(features instanceof WordFeatures);
      const table = features.tableData();
      const src = fs.readFileSync(path.join(w2v, 'checkpoint', 'syn0.f32'));
      const syn0 = new Float32Array(src.buffer, src.byteOffset, src.byteLength / 4);
      const films = tuned.encoder.config.vocabSize;
      assert.equal(films, words.length + SPECIAL_TOKENS.length);
      // row of "film" (after the 5 special tokens) is the word2vec vector of "film", unchanged
      const i = words.indexOf('film');
      assert.deepEqual([...table.slice((5 + i) * 8, (6 + i) * 8)], [...syn0.slice(i * 8, (i + 1) * 8)]);
    } finally {
      tuned.dispose();
    }
    const m = openModel(out);
    const a = await requireTask(m, 'classify').classify('the film was good');
    assert.ok(Math.abs(a.probabilities.pos + a.probabilities.neg - 1) < 1e-5);
    m.dispose();
    const conll = file(dir, 'w2v.conll', 'the DET\nfilm NOUN\n\nto PRT\nrun VERB\n\nthe DET\nrun NOUN\n');
    const t = await finetune(
      opts({ task: 'tag', train: conll, dev: undefined, outDir: path.join(dir, 'w2v-tag'), baseDir: w2v }),
    );
    assert.equal(t.summary.trainedParameters, 8 * 4 + 4);
    const tm = openModel(path.join(dir, 'w2v-tag'));
    const tags = await requireTask(tm, 'tag').tag('the film');
    assert.deepEqual(
      tags.tokens.map((w) => w.token),
      ['the', 'film'],
    );
    tm.dispose();
    assert.equal(tf.memory().numTensors, before);
  });

  test('bad input from the issue: one sentence each', async () => {
    assert.throws(() => readClassifyFile(file(dir, 'empty.jsonl', '\n')), /empty\.jsonl is empty/);
    assert.throws(
      () => readClassifyFile(file(dir, 'nolabel.jsonl', '{"text":"a","label":"x"}\n{"text":"b"}\n')),
      /nolabel\.jsonl line 2 has no "label"; every line needs one\./,
    );
    await assert.rejects(
      finetune(opts({ outDir: path.join(dir, 'one'), train: file(dir, 'one.tsv', 'a\tpos\nb\tpos\n') })),
      /one\.tsv has only the label "pos"; a classifier needs at least two labels\./,
    );
    assert.throws(
      () => readTaggingFile(file(dir, 'nolabel.conll', '-DOCSTART- -X- O\n\nThe DET\ncat\n')),
      /nolabel\.conll line 4 \("cat"\) has no tag/,
    );
    await assert.rejects(
      finetune(
        opts({
          outDir: path.join(dir, 'col'),
          columns: { label: 'gold' },
          train: file(dir, 'c.tsv', 'text\tlabel\na\tx\n'),
        }),
      ),
      /no column "gold" for the label; its columns are "text", "label"\./,
    );
    await assert.rejects(
      finetune(
        opts({ outDir: path.join(dir, 'unseen'), dev: file(dir, 'u.tsv', 'the film was good\tmeh\n') }),
      ),
      /u\.tsv line 1 has the label "meh", which the training file never uses/,
    );
    // a fine-tuned model has no encoder to fine-tune further
    await finetune(opts({ outDir: path.join(dir, 'ft') }));
    await assert.rejects(
      finetune(opts({ outDir: path.join(dir, 'ft2'), baseDir: path.join(dir, 'ft') })),
      /"ft" is a fine-tuned model, which cannot be fine-tuned; pick a BERT, GPT, ELMo or word2vec model, or random:tiny\./,
    );
    // over-long texts: cut to the maximum, and counted
    const logs: string[] = [];
    const long = `${'the film was good '.repeat(10)}\tpos\nthe film was bad\tneg\n`;
    await finetune(
      opts({
        outDir: path.join(dir, 'long'),
        train: file(dir, 'long.tsv', long),
        dev: undefined,
        maxSeqLength: 8,
      }),
      { onLog: (m) => logs.push(m) },
    );
    assert.ok(logs.includes('1 example longer than 8 WordPieces was cut to fit.'), logs.join('\n'));
    const m = openModel(path.join(dir, 'long'));
    const a = await requireTask(m, 'classify').classify('the film was good and the film was good');
    assert.match(a.notice ?? '', /cut by 3 WordPieces to the model's maximum of 8/);
    m.dispose();
  });

  test('CLI: finetune --model (and --base), predict "text" and --input lines or JSONL, in the issue\'s shapes', async () => {
    const out = path.join(dir, 'cli');
    const f = await cli([
      'finetune',
      '--task',
      'classify',
      '--model',
      base,
      '--train',
      train,
      '--dev',
      dev,
      '--out',
      out,
      '--epochs',
      '1',
      '--json',
    ]);
    assert.equal(f.code, 0, f.err);
    assert.equal(JSON.parse(f.out.trim().split('\n').pop()!).task, 'classify');
    const b = await cli([
      'finetune',
      '--task',
      'classify',
      '--base',
      base,
      '--train',
      train,
      '--out',
      path.join(dir, 'cli2'),
      '--epochs',
      '1',
    ]);
    assert.equal(b.code, 0, b.err);
    const one = await cli(['predict', '--model', out, '--json', 'the film was good']);
    assert.equal(one.code, 0, one.err);
    const j = JSON.parse(one.out);
    assert.deepEqual(Object.keys(j), ['label', 'probabilities']);
    assert.deepEqual(Object.keys(j.probabilities).sort(), ['neg', 'pos']);
    const input = file(
      dir,
      'in.txt',
      'the film was good\n{"text":"the song was bad"}\n\nthe meal was not awful\n',
    );
    const many = await cli(['predict', '--model', out, '--input', input]);
    const lines = many.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    for (const l of lines) assert.ok(l.label === 'pos' || l.label === 'neg');
    // a tagger: one entry per word with its span, not per WordPiece
    const conll = file(dir, 'cli.conll', 'the DET\nfilm NOUN\n\nto PRT\nrun VERB\n');
    const tagOut = path.join(dir, 'cli-tag');
    assert.equal(
      (
        await cli([
          'finetune',
          '--task',
          'tag',
          '--model',
          base,
          '--train',
          conll,
          '--out',
          tagOut,
          '--epochs',
          '1',
        ])
      ).code,
      0,
    );
    const tagged = await cli(['predict', '--model', tagOut, '--json', 'the unknownword']);
    assert.deepEqual(
      JSON.parse(tagged.out).tokens.map((t: Record<string, unknown>) => [
        Object.keys(t).join(','),
        t.token,
        t.start,
        t.end,
      ]),
      [
        ['token,start,end,label', 'the', 0, 3],
        ['token,start,end,label', 'unknownword', 4, 15],
      ],
    );
    const pairOut = path.join(dir, 'cli-pair');
    const pairs = file(
      dir,
      'p.jsonl',
      '{"text_a":"the film","text_b":"a film","label":"same"}\n{"text_a":"the film","text_b":"a song","label":"diff"}\n',
    );
    assert.equal(
      (
        await cli([
          'finetune',
          '--task',
          'pair',
          '--model',
          base,
          '--train',
          pairs,
          '--out',
          pairOut,
          '--epochs',
          '1',
        ])
      ).code,
      0,
    );
    const pin = file(dir, 'pin.jsonl', '{"text_a":"the film","text_b":"a film"}\nthe song\ta song\n');
    const pp = await cli(['predict', '--model', pairOut, '--input', pin]);
    assert.equal(pp.code, 0, pp.err);
    assert.equal(pp.out.trim().split('\n').length, 2);
  });
});
