import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { loadW2vCheckpoint } from '../../src/engine/checkpoint/word2vec';
import { Rng } from '../../src/engine/random';
import {
  loadVectors,
  readProjector,
  readWord2vecBinary,
  readWord2vecText,
  VectorFileError,
  writeProjector,
  writeWord2vecBinary,
  writeWord2vecText,
} from '../../src/engine/word2vec/formats';
import { withW2vDefaults } from '../../src/engine/word2vec/options';
import { aliasTable, huffman } from '../../src/engine/word2vec/sampling';
import { SIMD_WASM_BASE64 } from '../../src/engine/word2vec/simdWasm';
import { W2vTokenizer } from '../../src/engine/word2vec/tokenize';
import { pretrainWord2vec } from '../../src/engine/word2vec/train';
import { UnknownWordError, WordVectors } from '../../src/engine/word2vec/vectors';
import type { W2vProgress } from '../../src/shared/configs';
import { tmpDir } from './helpers';

// Words that occur only in interchangeable contexts: each group has its own context words, so a
// word's nearest neighbours must be the other members of its group.
const GROUPS: Record<string, string[]> = {
  animal: ['cat', 'dog', 'horse', 'cow', 'sheep'],
  vehicle: ['car', 'bus', 'truck', 'train', 'tram'],
  fruit: ['apple', 'pear', 'plum', 'peach', 'mango'],
  colour: ['red', 'blue', 'green', 'yellow', 'purple'],
};
const CONTEXT: Record<string, string[]> = {
  animal: ['eats', 'grass', 'barn', 'farm', 'feeds', 'sleeps'],
  vehicle: ['drives', 'road', 'wheels', 'engine', 'parks', 'fuel'],
  fruit: ['ripe', 'juicy', 'tree', 'sweet', 'peel', 'orchard'],
  colour: ['paint', 'bright', 'shade', 'dye', 'hue', 'colourful'],
};

function groupCorpus(dir: string, sentences: number, seed = 7): string {
  const rng = new Rng(seed);
  const lines: string[] = [];
  const groups = Object.keys(GROUPS);
  for (let i = 0; i < sentences; i++) {
    const g = groups[rng.int(0, groups.length - 1)];
    const ctx = CONTEXT[g];
    const words = [GROUPS[g][rng.int(0, 4)]];
    for (let k = 0; k < 5; k++) words.splice(rng.int(0, words.length), 0, ctx[rng.int(0, ctx.length - 1)]);
    lines.push(words.join(' '));
  }
  fs.mkdirSync(dir, { recursive: true });
  const f = path.join(dir, 'groups.txt');
  fs.writeFileSync(f, lines.join('\n') + '\n');
  return f;
}

/** Share of each group word's top-4 neighbours that are in its group. */
function groupPrecision(v: WordVectors): number {
  let hit = 0;
  let all = 0;
  for (const members of Object.values(GROUPS)) {
    for (const w of members) {
      for (const n of v.neighbours(w, 4)) {
        all++;
        if (members.includes(n.word)) hit++;
      }
    }
  }
  return hit / all;
}

const QUICK = {
  dim: 24,
  window: 3,
  minCount: 2,
  sample: 0,
  tokenization: 'whitespace' as const,
  resume: false,
};

describe('word2vec training', () => {
  it('ranks interchangeable words first, for skip-gram and CBOW, negative sampling and hierarchical softmax', async () => {
    const dir = tmpDir();
    const corpus = groupCorpus(dir, 3000);
    for (const [algo, hs] of [
      ['skipgram', false],
      ['cbow', false],
      ['skipgram', true],
      ['cbow', true],
    ] as const) {
      const out = path.join(dir, `${algo}-${hs}`);
      const r = await pretrainWord2vec(
        withW2vDefaults({
          ...QUICK,
          corpus: [corpus],
          outDir: out,
          algo,
          hs,
          epochs: algo === 'cbow' ? 10 : 5,
          threads: 1,
        }),
      );
      assert.equal(r.status, 'done');
      const p = groupPrecision(loadVectors(out).vectors);
      assert.ok(p >= 0.9, `${algo} hs=${hs}: ${p} of the neighbours are in the right group`);
    }
  });

  it('solves analogies on a relational corpus: king − man + woman = queen (3CosAdd and 3CosMul)', async () => {
    // every person word carries two attributes (gender, rank), each shown by its own context words
    const people: [string, string, string][] = [
      ['king', 'male', 'royal'],
      ['queen', 'female', 'royal'],
      ['man', 'male', 'common'],
      ['woman', 'female', 'common'],
      ['boy', 'male', 'young'],
      ['girl', 'female', 'young'],
      ['prince', 'male', 'heir'],
      ['princess', 'female', 'heir'],
    ];
    const ctx: Record<string, string[]> = {
      male: ['he', 'his', 'him', 'himself', 'beard'],
      female: ['she', 'her', 'hers', 'herself', 'dress'],
      royal: ['crown', 'throne', 'reign', 'palace', 'rules'],
      common: ['works', 'job', 'street', 'house', 'wage'],
      young: ['school', 'toys', 'plays', 'small', 'lesson'],
      heir: ['future', 'heir', 'waits', 'succession', 'title'],
    };
    const rng = new Rng(3);
    const lines: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const [w, a, b] = people[rng.int(0, people.length - 1)];
      const words = [w];
      for (let k = 0; k < 6; k++) {
        const pool = ctx[k % 2 === 0 ? a : b];
        words.splice(rng.int(0, words.length), 0, pool[rng.int(0, pool.length - 1)]);
      }
      lines.push(words.join(' '));
    }
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'people.txt'), lines.join('\n'));
    const out = path.join(dir, 'm');
    await pretrainWord2vec(
      withW2vDefaults({
        ...QUICK,
        corpus: [dir],
        outDir: out,
        algo: 'skipgram',
        epochs: 8,
        threads: 1,
        dim: 30,
      }),
    );
    const v = loadVectors(out).vectors;
    const pairs: [string, string, string, string][] = [
      ['king', 'man', 'woman', 'queen'],
      ['queen', 'woman', 'man', 'king'],
      ['prince', 'boy', 'girl', 'princess'],
      ['woman', 'man', 'boy', 'girl'],
    ];
    for (const method of ['add', 'mul'] as const) {
      let right = 0;
      for (const [a, b, c, want] of pairs) {
        const top = v.analogy(a, b, c, 3, method)[0].word;
        if (top === want) right++;
      }
      assert.ok(right >= 3, `3Cos${method}: ${right} of ${pairs.length} analogies right`);
    }
    assert.ok(v.similarity('king', 'queen') > v.similarity('king', 'girl'));
    assert.equal(v.doesntMatch(['king', 'queen', 'prince', 'school']).word, 'school');
  });

  it('is deterministic with one thread and a seed, and two threads learn as well as one', async () => {
    const dir = tmpDir();
    const corpus = groupCorpus(dir, 3000);
    const run = async (name: string, threads: number) => {
      await pretrainWord2vec(
        withW2vDefaults({
          ...QUICK,
          corpus: [corpus],
          outDir: path.join(dir, name),
          threads,
          epochs: 4,
          seed: 5,
        }),
      );
      return loadW2vCheckpoint(path.join(dir, name))!;
    };
    const a = await run('a', 1);
    const b = await run('b', 1);
    assert.deepEqual(
      Buffer.from(a.syn0.buffer),
      Buffer.from(b.syn0.buffer),
      'one thread, same seed: same vectors',
    );
    const c = await run('c', 2);
    assert.notDeepEqual(Buffer.from(a.syn0.buffer), Buffer.from(c.syn0.buffer));
    const p1 = groupPrecision(new WordVectors(a.words, 24, a.syn0));
    const p2 = groupPrecision(new WordVectors(c.words, 24, c.syn0));
    assert.ok(p2 >= 0.9 && Math.abs(p1 - p2) <= 0.1, `1 thread ${p1}, 2 threads ${p2}`);
  });

  it('reports a per-epoch mean loss that falls, and intervals within an epoch', async () => {
    const dir = tmpDir();
    const corpus = groupCorpus(dir, 20000);
    const seen: W2vProgress[] = [];
    const r = await pretrainWord2vec(
      withW2vDefaults({ ...QUICK, corpus: [corpus], outDir: path.join(dir, 'm'), epochs: 3, threads: 2 }),
      { onProgress: (p) => seen.push(p), reportEveryMs: 20 },
    );
    const epochs = seen.filter((p) => p.epochLoss !== undefined).map((p) => p.epochLoss!);
    assert.equal(epochs.length, 3);
    assert.deepEqual(r.summary.epochLosses, epochs);
    // at the start every prediction costs about (1 + negative)·ln 2 ≈ 4.16; it must fall, not saturate
    assert.ok(epochs[0] < 4.2 && epochs[0] > 0.5, `epoch 1 loss ${epochs[0]}`);
    assert.ok(epochs[2] < epochs[0], `losses ${epochs}`);
    assert.ok(seen.length > 3, 'progress within epochs');
    assert.equal(seen[seen.length - 1].wordsDone, seen[seen.length - 1].totalWords);
  });

  it('cancels within an epoch keeping the last finished epoch, and resumes from it', async () => {
    const dir = tmpDir();
    const corpus = groupCorpus(dir, 40000);
    const out = path.join(dir, 'm');
    const opts = withW2vDefaults({
      ...QUICK,
      corpus: [corpus],
      outDir: out,
      epochs: 3,
      threads: 1,
      resume: true,
    });
    let epochsSeen = 0;
    const r = await pretrainWord2vec(opts, {
      onProgress: (p) => {
        if (p.epochLoss !== undefined) epochsSeen++;
      },
      shouldStop: () => epochsSeen >= 1,
      reportEveryMs: 10,
    });
    assert.equal(r.status, 'cancelled');
    assert.equal(r.epochsDone, 1);
    assert.equal(loadW2vCheckpoint(out)!.state.epochsDone, 1);
    const logs: string[] = [];
    const r2 = await pretrainWord2vec(opts, { onLog: (m) => logs.push(m) });
    assert.equal(r2.status, 'done');
    assert.ok(logs.some((l) => l.includes('Resuming from the checkpoint after epoch 1')));
    assert.equal(loadW2vCheckpoint(out)!.state.epochLosses.length, 3);
  });

  it('says what to do when the corpus has too few words for min-count', async () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'a.txt'), 'one two three two\n');
    await assert.rejects(
      pretrainWord2vec(withW2vDefaults({ corpus: [dir], outDir: path.join(dir, 'm') })),
      /4 words and 0 of its 3 distinct words occur at least 5 times; word2vec needs at least 2 — lower min-count/,
    );
  });

  it('draws negatives in proportion to count^0.75 (alias table)', () => {
    const counts = Float64Array.from([1000, 300, 100, 20, 5, 5, 1]);
    const { prob, alias } = aliasTable(counts);
    const want = Array.from(counts, (c) => c ** 0.75);
    const sum = want.reduce((a, b) => a + b, 0);
    const rng = new Rng(11);
    const seen = new Array(counts.length).fill(0);
    const N = 400000;
    for (let i = 0; i < N; i++) {
      const j = Math.floor(rng.next() * counts.length);
      seen[rng.next() < prob[j] ? j : alias[j]]++;
    }
    want.forEach((w, i) => {
      const p = w / sum;
      const sd = Math.sqrt((p * (1 - p)) / N);
      assert.ok(Math.abs(seen[i] / N - p) < 5 * sd, `word ${i}: ${seen[i] / N} vs ${p}`);
    });
  });

  it('builds the Huffman tree of word2vec.c: frequent words get short codes, codes are prefix-free', () => {
    const counts = Float64Array.from([50, 20, 15, 10, 5]);
    const h = huffman(counts);
    const code = (w: number) =>
      Array.from(h.codes.subarray(h.codeOff[w], h.codeOff[w] + h.codeLen[w])).join('');
    assert.ok(h.codeLen[0] <= h.codeLen[4]);
    const all = [0, 1, 2, 3, 4].map(code);
    for (const a of all) for (const b of all) if (a !== b) assert.ok(!b.startsWith(a), `${a} prefixes ${b}`);
    for (let w = 0; w < 5; w++) assert.equal(h.points[h.codeOff[w]], 3, 'every path starts at the root');
  });

  it('the committed WebAssembly matches simd.wat', async () => {
    const { assemble } = await import('../../scripts/build-wasm.mjs');
    assert.equal(await assemble(), SIMD_WASM_BASE64, 'run node scripts/build-wasm.mjs');
  });
});

describe('word2vec tokenization', () => {
  it('splits Chinese into characters, or into words with Intl.Segmenter', () => {
    const chars = new W2vTokenizer({ tokenization: 'words', chinese: 'chars', lowercase: true });
    assert.deepEqual(chars.words('我们喜欢自然语言处理。Hello, World!'), [
      '我',
      '们',
      '喜',
      '欢',
      '自',
      '然',
      '语',
      '言',
      '处',
      '理',
      'hello',
      'world',
    ]);
    const words = new W2vTokenizer({ tokenization: 'words', chinese: 'words', lowercase: true });
    const w = words.words('我们喜欢自然语言处理。Hello, World!');
    assert.ok(w.includes('我们') && w.includes('喜欢'), w.join('|'));
    assert.ok(w.includes('hello') && !w.includes('。'));
    const spans = words.spans('我们喜欢');
    assert.deepEqual(spans[0], { word: '我们', start: 0, end: 2 });
  });
});

describe('word-vector queries', () => {
  const v = new WordVectors(
    ['play', 'plays', 'game', 'film', 'plan'],
    2,
    Float32Array.from([1, 0, 0.9, 0.1, 0.7, 0.7, 0, 1, -1, 0]),
  );
  it('neighbours by cosine, closest first, without the word itself', () => {
    const n = v.neighbours('play', 3);
    assert.deepEqual(
      n.map((x) => x.word),
      ['plays', 'game', 'film'],
    );
    assert.ok(Math.abs(n[0].score - 0.9 / Math.hypot(0.9, 0.1)) < 1e-6);
  });
  it('an unknown word names the closest spellings', () => {
    assert.throws(
      () => v.neighbours('plai'),
      (e: unknown) => e instanceof UnknownWordError && /closest spellings: play, plan/.test(e.message),
    );
    assert.throws(() => v.analogy('play', 'nope', 'game'), /missing: "nope"/);
  });
  it('searches by substring and regular expression, and says when a pattern is invalid', () => {
    assert.deepEqual(v.search('pla', false).words, ['play', 'plays', 'plan']);
    assert.deepEqual(v.search('^p.*s$', true).words, ['plays']);
    assert.throws(() => v.search('(', true), /not a valid regular expression/);
  });
});

describe('word-vector files', () => {
  const words = ['the', 'play', '北京', 'naïve'];
  const vecs = Float32Array.from([0.1, -0.25, 3.5e-5, 1, 2, 3, -1.5, 0.333333, 7, 0, -0, 1e-8]);
  const v = new WordVectors(words, 3, vecs);

  it('round-trips the text and binary formats and the Projector TSV', () => {
    const dir = tmpDir();
    writeWord2vecText(path.join(dir, 'v.txt'), v);
    writeWord2vecBinary(path.join(dir, 'v.bin'), v);
    writeProjector(path.join(dir, 'proj'), v);
    for (const r of [
      readWord2vecText(path.join(dir, 'v.txt')),
      readWord2vecBinary(path.join(dir, 'v.bin')),
      readProjector(path.join(dir, 'proj', 'vectors.tsv')),
      loadVectors(path.join(dir, 'v.bin')).vectors,
      loadVectors(path.join(dir, 'v.txt')).vectors,
    ]) {
      assert.deepEqual(r.words, words);
      assert.deepEqual(Array.from(r.vectors), Array.from(vecs));
    }
    assert.equal(fs.readFileSync(path.join(dir, 'v.txt'), 'utf8').split('\n')[0], '4 3');
    assert.equal(
      fs.readFileSync(path.join(dir, 'proj', 'metadata.tsv'), 'utf8').split('\n')[0],
      'word\tcount',
    );
  });

  it('reads files as the C tool, gensim and fastText write them', () => {
    const dir = tmpDir();
    // word2vec.c: fprintf "%lld %lld\n", then per word "%s " + fwrite floats + "\n"
    const parts: Buffer[] = [Buffer.from('2 2\n')];
    for (const [w, a, b] of [
      ['中文', 0.5, -2],
      ['</s>', 1, 1],
    ] as const) {
      parts.push(
        Buffer.from(`${w} `, 'utf8'),
        Buffer.from(Float32Array.from([a, b]).buffer),
        Buffer.from('\n'),
      );
    }
    fs.writeFileSync(path.join(dir, 'c.bin'), Buffer.concat(parts));
    const c = readWord2vecBinary(path.join(dir, 'c.bin'));
    assert.deepEqual(c.words, ['中文', '</s>']);
    assert.deepEqual(Array.from(c.vectors), [0.5, -2, 1, 1]);
    // gensim binary: no newline after each vector
    const g = Buffer.concat([
      Buffer.from('2 1\n'),
      Buffer.from('a '),
      Buffer.from(Float32Array.from([1]).buffer),
      Buffer.from('b '),
      Buffer.from(Float32Array.from([2]).buffer),
    ]);
    fs.writeFileSync(path.join(dir, 'g.bin'), g);
    assert.deepEqual(readWord2vecBinary(path.join(dir, 'g.bin')).words, ['a', 'b']);
    // fastText .vec: header, trailing space after the numbers; GloVe: no header
    fs.writeFileSync(path.join(dir, 'f.vec'), '2 2\nhello 0.1 0.2 \nworld 0.3 0.4 \n');
    assert.deepEqual(
      Array.from(loadVectors(path.join(dir, 'f.vec')).vectors.vectors),
      Array.from(Float32Array.from([0.1, 0.2, 0.3, 0.4])),
    );
    fs.writeFileSync(path.join(dir, 'glove.txt'), 'hello 0.1 0.2\nworld 0.3 0.4\n');
    assert.deepEqual(readWord2vecText(path.join(dir, 'glove.txt')).words, ['hello', 'world']);
  });

  it('names the line or byte offset of a malformed file', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'bad.txt'), '2 3\na 1 2 3\nb 1 x 3\n');
    assert.throws(
      () => readWord2vecText(path.join(dir, 'bad.txt')),
      /line 3: "x" \(number 2 of "b"\) is not a number/,
    );
    fs.writeFileSync(path.join(dir, 'short.txt'), '3 2\na 1 2\nb 1 2\n');
    assert.throws(
      () => readWord2vecText(path.join(dir, 'short.txt')),
      /declares 3 words on line 1 but holds 2/,
    );
    fs.writeFileSync(path.join(dir, 'few.txt'), '2 3\na 1 2 3\nb 1 2\n');
    assert.throws(() => readWord2vecText(path.join(dir, 'few.txt')), VectorFileError);
    const bin = Buffer.concat([
      Buffer.from('2 2\na '),
      Buffer.from(Float32Array.from([1, 2]).buffer),
      Buffer.from('\nb '),
      Buffer.alloc(3),
    ]);
    fs.writeFileSync(path.join(dir, 'cut.bin'), bin);
    assert.throws(
      () => readWord2vecBinary(path.join(dir, 'cut.bin')),
      /byte 17: the vector of "b" \(word 2 of 2\) needs 8 bytes but only 3 remain/,
    );
  });
});

describe('word2vec CLI', () => {
  it('trains, then answers neighbours --json and analogy', async () => {
    const dir = tmpDir();
    const corpus = groupCorpus(dir, 3000);
    const cli = path.join(__dirname, '..', '..', 'dist', 'cli.js');
    const run = (...args: string[]) => execFileSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
    const out = path.join(dir, 'm');
    const train = run(
      'pretrain',
      'word2vec',
      '--corpus',
      corpus,
      '--out',
      out,
      '--dim',
      '24',
      '--min-count',
      '2',
      '--sample',
      '0',
      '--epochs',
      '4',
      '--threads',
      '2',
      '--tokenize',
      'whitespace',
    );
    assert.match(train, /Finished after epoch 4; 44 words × 24 dimensions/);
    const j = JSON.parse(run('neighbours', '--model', out, '--top-k', '4', '--json', 'cat')) as {
      neighbours: { word: string; score: number }[];
    };
    assert.equal(j.neighbours.length, 4);
    for (const n of j.neighbours)
      assert.ok(GROUPS.animal.includes(n.word) && n.score > 0 && n.score <= 1, n.word);
    assert.match(run('analogy', '--model', out, 'cat', 'dog', 'car'), /^\S+\s+-?\d\.\d{4}$/m);
    assert.throws(
      () => run('neighbours', '--model', out, 'catt'),
      /"catt" is not in the model's vocabulary \(44 words\); closest spellings: cat/,
    );
  });
});
