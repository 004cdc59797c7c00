// pretrain-lab embed: a text's tokens with character offsets and their vectors per layer, from a tiny
// ELMo trained here (and a tiny BERT written here), as scripts read it; and one sentence per bad input.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import { saveCheckpoint, writeModelHeader } from '../../src/engine/checkpoint/bert';
import { openModel } from '../../src/engine/checkpoint/registry';
import { saveW2vCheckpoint, writeW2vHeader } from '../../src/engine/checkpoint/word2vec';
import { Bert } from '../../src/engine/models/bert';
import { SPECIAL_TOKENS, Vocab } from '../../src/engine/tokenizer/vocab';
import { elmoWithDefaults, pretrainElmo } from '../../src/engine/train/tasks/pretrainElmo';
import type { BertConfig } from '../../src/shared/configs';
import { cli } from './cliCapture';
import { backend, tmpDir, writeCorpus } from './helpers';

interface Embedded {
  tokens: { token: string; start: number; end: number }[];
  layers: number[][][];
  truncated?: boolean;
}

/** A word2vec folder of two 3-dimensional vectors: a model with one vector per word. */
function w2vFolder(dir: string): string {
  const words = ['play', 'theatre'];
  writeW2vHeader(
    dir,
    {
      format: 'pretrain-lab/word2vec',
      formatVersion: 1,
      modelType: 'word2vec',
      options: { algo: 'skipgram', epochs: 1 },
      tokenizer: { tokenization: 'words', chinese: 'chars', lowercase: true },
      corpusWords: 2,
      dim: 3,
      vocabSize: 2,
      createdAt: new Date().toISOString(),
    },
    words,
    [2, 1],
  );
  saveW2vCheckpoint(dir, Float32Array.from([1, 2, 3, 4, 5, 6]), new Float32Array(6), {
    epochsDone: 1,
    epochs: 1,
    epochLosses: [0.5],
    finished: true,
    savedAt: new Date().toISOString(),
  });
  return dir;
}

const same = (a: number[], b: number[]) => a.every((x, i) => x === b[i]);
const TEXT = 'We saw a play at the theatre, and the children play outside.';

let elmo = '';
const dir = tmpDir('pl-embed-');

before(async () => {
  await backend();
  const lines = Array.from(
    { length: 60 },
    (_, i) => ['the children play in the park .', 'we saw a play at the theatre .', '我们 吃 苹果 。'][i % 3],
  );
  const corpus = writeCorpus(path.join(dir, 'corpus'), { 'a.txt': `${lines.join('\n')}\n` });
  elmo = path.join(dir, 'elmo');
  const r = await pretrainElmo(
    elmoWithDefaults({
      corpus: [corpus],
      outDir: elmo,
      steps: 8,
      preset: 'tiny',
      batchSize: 4,
      seqLength: 8,
      minCount: 1,
      logEvery: 4,
      warmupSteps: 2,
    }),
  );
  assert.equal(r.status, 'done');
});

describe('pretrain-lab embed with an ELMo', () => {
  test('--json: tokens with their offsets into the text, and 3 layers × tokens × dim', async () => {
    const r = await cli(['embed', '--model', elmo, '--json', TEXT]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Embedded;
    assert.deepEqual(Object.keys(j), ['tokens', 'layers']);
    assert.equal(j.tokens.length, 14);
    for (const t of j.tokens) assert.equal(TEXT.slice(t.start, t.end).toLowerCase(), t.token);
    assert.equal(j.layers.length, 3);
    const dim = j.layers[0][0].length;
    assert.ok(dim > 0);
    for (const l of j.layers) {
      assert.equal(l.length, j.tokens.length);
      for (const v of l) assert.equal(v.length, dim);
    }
    // "play" twice: the token layer is the same wherever it stands, the biLSTM layers follow the context
    const [a, b] = j.tokens.flatMap((t, i) => (t.token === 'play' ? [i] : []));
    assert.deepEqual([a, b], [3, 11]);
    assert.ok(same(j.layers[0][a], j.layers[0][b]), 'layer 0 is context-free');
    assert.ok(!same(j.layers[1][a], j.layers[1][b]), 'layer 1 differs between the two contexts');
    assert.ok(!same(j.layers[2][a], j.layers[2][b]), 'layer 2 differs between the two contexts');
  });

  test('--layer N gives that layer alone, --layer mix the plain average of the three', async () => {
    const all = JSON.parse((await cli(['embed', '--model', elmo, '--json', TEXT])).out) as Embedded;
    const one = await cli(['embed', '--model', elmo, '--layer', '1', '--json', TEXT]);
    assert.equal(one.code, 0, one.err);
    const j1 = JSON.parse(one.out) as Embedded;
    assert.equal(j1.layers.length, 1);
    assert.deepEqual(j1.layers[0], all.layers[1]);
    assert.deepEqual(j1.tokens, all.tokens);
    const mix = await cli(['embed', '--model', elmo, '--layer', 'mix', '--json', TEXT]);
    assert.equal(mix.code, 0, mix.err);
    assert.match(mix.err, /plain average of the layers \(equal weights\)/);
    const jm = JSON.parse(mix.out) as Embedded;
    assert.equal(jm.layers.length, 1);
    for (const [i, v] of jm.layers[0].entries())
      for (const [c, x] of v.entries()) {
        const avg = (all.layers[0][i][c] + all.layers[1][i][c] + all.layers[2][i][c]) / 3;
        assert.ok(Math.abs(x - avg) < 1e-5, `token ${i} dim ${c}: ${x} vs ${avg}`);
      }
  });

  test('Chinese: one token per character, offsets into the text', async () => {
    const text = '我们吃苹果 and play';
    const j = JSON.parse((await cli(['embed', '--model', elmo, '--json', text])).out) as Embedded;
    assert.deepEqual(
      j.tokens.map((t) => [t.token, t.start, t.end]),
      [
        ['我', 0, 1],
        ['们', 1, 2],
        ['吃', 2, 3],
        ['苹', 3, 4],
        ['果', 4, 5],
        ['and', 6, 9],
        ['play', 10, 14],
      ],
    );
    assert.equal(j.layers[2].length, 7);
  });

  test('--input FILE: one JSON per line, in order, an empty line keeping its place', async () => {
    const file = path.join(dir, 'lines.txt');
    fs.writeFileSync(file, 'the children play\r\n\n苹果\n');
    const r = await cli(['embed', '--model', elmo, '--layer', '0', '--json', '--input', file]);
    assert.equal(r.code, 0, r.err);
    const lines = r.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Embedded);
    assert.deepEqual(
      lines.map((l) => l.tokens.map((t) => t.token)),
      [['the', 'children', 'play'], [], ['苹', '果']],
    );
    assert.deepEqual(
      lines.map((l) => [l.layers.length, l.layers[0].length]),
      [
        [1, 3],
        [1, 0],
        [1, 2],
      ],
    );
    // without --json, a short summary per line
    const h = await cli(['embed', '--model', elmo, '--input', file]);
    assert.equal(h.code, 0, h.err);
    assert.match(
      h.out,
      /^line 1: elmo \(ELMo\): 3 tokens × 3 layers \(0, 1, 2\) × \d+ numbers\n {2}the {2}\[0, 3\)/,
    );
    // a word the ELMo never saw is said to be unknown (the token layer reads it as <unk>)
    const u = await cli(['embed', '--model', elmo, 'the zebra play']);
    assert.equal(u.code, 0, u.err);
    assert.match(
      u.err,
      /^Not in elmo's vocabulary \(read as <unk>, so layer 0 is the same for all of them\): zebra\n$/,
    );
    assert.match(u.out, /\n {2}zebra {2}\[4, 9\)/);
  });

  test('a text longer than the window is cut, and the CLI says so', async () => {
    const long = Array.from({ length: 520 }, () => 'play').join(' ');
    const r = await cli(['embed', '--model', elmo, '--layer', '2', '--json', long]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Embedded;
    assert.equal(j.tokens.length, 512);
    assert.equal(j.truncated, true);
    assert.equal(j.tokens[511].end, 512 * 5 - 1);
    assert.match(r.err, /The text was cut to its first 512 tokens, the most ELMo reads at once/);
  });

  test('bad inputs: one sentence each, exit code 2, nothing on stdout', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['--layer', '3', TEXT],
        /"elmo" \(ELMo\) has layers 0 \(the token layer\) to 2, and mix; --layer 3 is not one of them\./,
      ],
      [['--layer', 'top', TEXT], /--layer takes a layer number \(ELMo: 0, 1 or 2\) or mix, not "top"\./],
      [['  '], /The text to embed is empty; give one/],
      [['--input', path.join(dir, 'nope.txt')], /--input .*nope\.txt cannot be read \(ENOENT\)/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['embed', '--model', elmo, '--json', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.equal(r.out, '');
      assert.match(r.err, message);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
    }
  });

  test('a model with no layers per token is refused with what to pick; Predict Mask on an ELMo names embed', async () => {
    const r = await cli(['embed', '--model', w2vFolder(path.join(dir, 'w2v')), '--json', 'play']);
    assert.equal(r.code, 2);
    assert.match(r.err, /is a word2vec model, which has no layers per token; embed reads an ELMo or a BERT/);
    const m = openModel(elmo);
    try {
      assert.throws(
        () => requireCapability(m, 'predictMask'),
        /is an ELMo model \(.*pretrain-lab embed prints its vectors.*\); Predict Mask needs/,
      );
    } finally {
      m.dispose();
    }
  });
});

describe('pretrain-lab embed with a BERT', () => {
  test('hidden states per WordPiece, layers 0..numLayers, cut at the position window', async () => {
    const words = ['the', 'children', 'play', 'theatre', 'a', '##s'];
    const vocab = new Vocab([...SPECIAL_TOKENS, ...words]);
    const bert: BertConfig = {
      vocabSize: vocab.size,
      hiddenSize: 8,
      numLayers: 2,
      numHeads: 2,
      intermediateSize: 16,
      maxPositions: 8,
      typeVocabSize: 2,
      dropout: 0,
      layerNormEps: 1e-12,
      initializerRange: 0.5,
    };
    const bdir = path.join(dir, 'bert');
    writeModelHeader(
      bdir,
      {
        format: 'pretrain-lab/bert',
        formatVersion: 1,
        modelType: 'bert',
        bert,
        tokenizer: { lowercase: true },
        createdAt: '',
      },
      vocab,
    );
    const model = new Bert(bert, { seed: 2 });
    saveCheckpoint(bdir, [...model.params.keys()], {
      weights: model.params,
      state: { step: 1, totalSteps: 1, rngState: 1, options: {}, finished: true, savedAt: '' },
    });
    model.dispose();
    const text = 'the children plays';
    const r = await cli(['embed', '--model', bdir, '--json', text]);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Embedded;
    assert.deepEqual(
      j.tokens.map((t) => [t.token, t.start, t.end]),
      [
        ['the', 0, 3],
        ['children', 4, 12],
        ['play', 13, 17],
        ['##s', 17, 18],
      ],
    );
    assert.deepEqual([j.layers.length, j.layers[2].length, j.layers[2][0].length], [3, 4, 8]);
    const last = JSON.parse((await cli(['embed', '--model', bdir, '--layer', '2', '--json', text])).out);
    assert.deepEqual(last.layers, [j.layers[2]]);
    const bad = await cli(['embed', '--model', bdir, '--layer', '3', text]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /"bert" \(BERT\) has layers 0 \(the embedding output\) to 2, and mix/);
    const long = await cli([
      'embed',
      '--model',
      bdir,
      '--json',
      'the children play a theatre the children play',
    ]);
    assert.equal((JSON.parse(long.out) as Embedded).tokens.length, 6, 'maxPositions 8 less [CLS] and [SEP]');
    assert.match(long.err, /cut to its first 6 tokens, the most BERT reads at once/);
  });
});
