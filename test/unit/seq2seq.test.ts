// Sequence-to-sequence: the pair readers (bad lines named), BLEU as sacreBLEU 2.6.0 computes it (the
// reference numbers below come from a run of sacrebleu.corpus_bleu here), a causal decoder whose
// cross-attention sees the whole source, greedy = beam 1, beam search on a hand-made distribution,
// warm starts that copy the BERT's weights and leave cross-attention new, a checkpoint round trip, no
// tensor leaks, and a tiny random-init model that learns to reverse short sequences.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { corpusBleu, exactMatch, tokenize13a, tokenizeZh } from '../../src/engine/analysis/bleu';
import {
  beamSearch,
  greedySearch,
  type NextLogProbs,
  rewrite,
} from '../../src/engine/analysis/seq2seqDecode';
import { saveCheckpoint, writeModelHeader } from '../../src/engine/checkpoint/bert';
import { writeHfGpt2 } from '../../src/engine/checkpoint/hf/gpt2';
import { openModel } from '../../src/engine/checkpoint/registry';
import { codecs, loadSeq2seqFolder, Seq2seqLoaded } from '../../src/engine/checkpoint/seq2seq';
import { main } from '../../src/engine/cli/main';
import { readParallelFiles, readSeq2seqFile, wordPieceCodec } from '../../src/engine/data/tasks/seq2seq';
import { Bert } from '../../src/engine/models/bert';
import { Gpt } from '../../src/engine/models/gpt';
import { ENC, Seq2seq } from '../../src/engine/models/seq2seq';
import { decoderConfigFromBert, isCrossAttention } from '../../src/engine/models/seq2seqWarmStart';
import { OnnxSeq2seq } from '../../src/engine/onnx/seq2seq';
import { BpeTokenizer, byteTokens } from '../../src/engine/tokenizer/bpe';
import { SPECIAL_TOKENS, Vocab } from '../../src/engine/tokenizer/vocab';
import { WordPieceTokenizer } from '../../src/engine/tokenizer/wordpiece';
import {
  betterDev,
  finetuneSeq2seq,
  withSeq2seqDefaults,
} from '../../src/engine/train/tasks/finetuneSeq2seq';
import { buildSeq2seq } from '../../src/engine/train/tasks/seq2seqBases';
import type { BertConfig, GptConfig } from '../../src/shared/configs';
import { backend, ortSkip, tmpDir } from './helpers';

before(async () => {
  await backend();
});

const write = (dir: string, name: string, text: string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text);
  return f;
};

describe('seq2seq pair readers', () => {
  const dir = tmpDir();
  test('JSONL, TSV and parallel files', () => {
    const j = readSeq2seqFile(
      write(dir, 'a.jsonl', '{"source":"a b","target":"b a"}\n\n{"source":"c","target":"c"}\n'),
    );
    assert.deepEqual(j, [
      { source: 'a b', target: 'b a', line: 1 },
      { source: 'c', target: 'c', line: 3 },
    ]);
    const t = readSeq2seqFile(write(dir, 'a.tsv', 'x y\ty x\n'));
    assert.deepEqual(t, [{ source: 'x y', target: 'y x', line: 1 }]);
    const p = readParallelFiles(write(dir, 's.txt', 'one\ntwo\n'), write(dir, 't.txt', 'eins\nzwei\n'));
    assert.deepEqual(
      p.map((x) => [x.source, x.target]),
      [
        ['one', 'eins'],
        ['two', 'zwei'],
      ],
    );
  });
  test('bad lines are named with file and line', () => {
    assert.throws(
      () => readSeq2seqFile(write(dir, 'b.jsonl', '{"source":"a","target":"b"}\n{"source":"a"}\n')),
      /b\.jsonl:2 lacks/,
    );
    assert.throws(
      () => readSeq2seqFile(write(dir, 'c.jsonl', '{"source":" ","target":"b"}\n')),
      /c\.jsonl:1 has an empty source/,
    );
    assert.throws(
      () => readSeq2seqFile(write(dir, 'd.tsv', 'a\tb\tc\n')),
      /d\.tsv:1 has 3 tab-separated columns/,
    );
    assert.throws(() => readSeq2seqFile(write(dir, 'e.jsonl', '{oops\n')), /e\.jsonl:1 is not valid JSON/);
    assert.throws(
      () => readParallelFiles(write(dir, 's2.txt', 'a\nb\nc\n'), write(dir, 't2.txt', 'a\nb\n')),
      /s2\.txt has 3 lines but .*t2\.txt has 2; line 3 has no partner/,
    );
  });
});

describe('BLEU as sacreBLEU', () => {
  test('13a and zh tokenisation', () => {
    assert.equal(
      tokenize13a('3.5 x-ray, e.g. "x" (y) 1-2 &amp; end.'),
      '3.5 x-ray , e . g . " x " ( y ) 1 - 2 & end .',
    );
    assert.equal(tokenizeZh('床前明月光，疑是 AI-2 地上霜。'), '床 前 明 月 光 ， 疑 是 AI-2 地 上 霜 。');
  });
  test('corpus BLEU equals sacrebleu.corpus_bleu on fixed examples', () => {
    const hyps = [
      'The cat sat on the mat.',
      'It is a guide to action which ensures that the military always obeys the commands of the party.',
    ];
    const refs = [
      'The cat is on the mat.',
      'It is a guide to action that ensures that the military will forever heed Party commands.',
    ];
    const b = corpusBleu(hyps, [refs]);
    assert.deepEqual([b.counts, b.totals, b.sysLen, b.refLen], [[18, 12, 8, 5], [26, 24, 22, 20], 26, 24]);
    assert.ok(Math.abs(b.score - 42.11813371894876) < 1e-9);
    const zh = corpusBleu(['床前明月光，疑是地上霜。'], [['床前看月光，疑是地上霜。']], 'zh');
    assert.ok(Math.abs(zh.score - 76.91605673134588) < 1e-9);
    // exp smoothing of a zero 4-gram count, and the brevity penalty
    const s = corpusBleu(['the cat sat down today'], [['the cat sat on the mat']]);
    assert.ok(Math.abs(s.score - 32.555630133216134) < 1e-9);
    assert.ok(Math.abs(s.bp - 0.8187307530779819) < 1e-12);
    // no 4-gram at all in the hypotheses: 0, as sacreBLEU
    assert.equal(corpusBleu(['the cat', 'a dog ran'], [['the cat sat', 'a dog ran']]).score, 0);
    // two reference streams
    assert.ok(
      Math.abs(
        corpusBleu(['hello there general kenobi'], [['hello there general kenobi'], ['hi there']]).score -
          100,
      ) < 1e-9,
    );
  });
  test('an empty output scores 0, exact match counts whole strings', () => {
    assert.equal(corpusBleu([''], [['a b c']]).score, 0);
    assert.equal(exactMatch(['a b', 'c'], ['a  b', 'd']), 0.5);
  });
});

const TINY: BertConfig = {
  vocabSize: 0,
  hiddenSize: 32,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 64,
  maxPositions: 32,
  typeVocabSize: 2,
  dropout: 0,
  layerNormEps: 1e-12,
  initializerRange: 0.02,
};
const WORDS = 'a b c d e f g h'.split(' ');

function tinyBert(dir: string, seed = 3): string {
  const vocab = new Vocab([...SPECIAL_TOKENS, ...WORDS]);
  const bert = { ...TINY, vocabSize: vocab.size };
  writeModelHeader(
    dir,
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
  const model = new Bert(bert, { seed });
  saveCheckpoint(dir, [...model.params.keys()], {
    weights: model.params,
    state: { step: 1, totalSteps: 1, rngState: 1, options: {}, finished: true, savedAt: '' },
  });
  model.dispose();
  return dir;
}

function tinyModel(seed = 1): Seq2seq {
  const enc = { ...TINY, vocabSize: SPECIAL_TOKENS.length + WORDS.length };
  return new Seq2seq({ encoder: enc, decoder: decoderConfigFromBert(enc) }, { seed });
}

async function rows(t: tf.Tensor): Promise<number[]> {
  const a = Array.from(await t.data());
  t.dispose();
  return a;
}

describe('the best epoch', () => {
  // the dev scores of a real run (pretrain-lab finetune --task seq2seq on sample/tasks/seq2seq-facts):
  // epoch 1 babbled, epoch 13 answered every unseen person right
  const dev = (bleu: number, chrf: number, exactMatch: number, loss: number) => ({
    bleu,
    chrf,
    exactMatch,
    loss,
    examples: [],
  });
  const babble = dev(1.06, 22.28, 0, 3.09); // "where does emma live ?" → "rome romees n ann romeinnes madrid"
  const right = dev(0, 100, 1, 0.21); // one-word answers: no 4-grams, BLEU 0
  test('exact one-word answers beat an early babble whose BLEU happens to be above 0', () => {
    assert.equal(betterDev(right, babble), true);
    assert.equal(betterDev(babble, right), false);
  });
  test('ties on chrF go to exact match, then BLEU, then the lower dev loss; equal scores are not better', () => {
    assert.equal(betterDev(dev(0, 50, 0.5, 1), dev(0, 50, 0.25, 1)), true);
    assert.equal(betterDev(dev(10, 50, 0.5, 1), dev(5, 50, 0.5, 1)), true);
    assert.equal(betterDev(dev(5, 50, 0.5, 0.9), dev(5, 50, 0.5, 1)), true);
    assert.equal(betterDev(dev(5, 50, 0.5, 1), dev(5, 50, 0.5, 1)), false);
  });
});

describe('seq2seq model', () => {
  test('the decoder is causal: changing a later target token leaves earlier positions alone', async () => {
    const m = tinyModel();
    const run = (tgt: number[]) =>
      tf.tidy(() => {
        const src = tf.tensor2d([[2, 5, 6, 7, 3]], [1, 5], 'int32');
        const mask = tf.ones([1, 5]) as tf.Tensor2D;
        return m.decodeHidden(m.encode(src, mask), mask, tf.tensor2d([tgt], [1, 4], 'int32'));
      });
    const a = await rows(tf.tidy(() => tf.slice(run([2, 5, 6, 7]), [0, 0, 0], [1, 3, 32])));
    const b = await rows(tf.tidy(() => tf.slice(run([2, 5, 6, 9]), [0, 0, 0], [1, 3, 32])));
    assert.deepEqual(a, b);
    const c = await rows(tf.tidy(() => tf.slice(run([2, 8, 6, 7]), [0, 2, 0], [1, 1, 32])));
    const d = await rows(tf.tidy(() => tf.slice(run([2, 5, 6, 7]), [0, 2, 0], [1, 1, 32])));
    assert.notDeepEqual(c, d);
    m.dispose();
  });

  test('cross-attention sees the whole source: the last source token changes the first target position', async () => {
    const m = tinyModel();
    const first = (src: number[]) =>
      tf.tidy(() => {
        const s = tf.tensor2d([src], [1, src.length], 'int32');
        const mask = tf.ones([1, src.length]) as tf.Tensor2D;
        return tf.slice(
          m.decodeHidden(m.encode(s, mask), mask, tf.tensor2d([[2]], [1, 1], 'int32')),
          [0, 0, 0],
          [1, 1, 32],
        );
      });
    assert.notDeepEqual(await rows(first([2, 5, 6, 7, 3])), await rows(first([2, 5, 6, 8, 3])));
    m.dispose();
  });

  test('beam search: beam 1 equals greedy; a wider beam finds the better sequence greedy misses', async () => {
    // step 1: A (0.6) or B (0.4); after A everything is flat; after B, EOS is certain
    const V = 4; // 0 = BOS, 1 = EOS, 2 = A, 3 = B
    const flat = Math.log(1 / V);
    const next: NextLogProbs = async (prefixes) =>
      prefixes.map((p) => {
        const lp = new Float32Array(V).fill(Math.log(1e-9));
        if (p.length === 1) {
          lp[2] = Math.log(0.6);
          lp[3] = Math.log(0.4);
        } else if (p[1] === 3) lp[1] = 0;
        else lp.fill(flat);
        return lp;
      });
    const o = { bos: 0, eos: 1, maxLength: 3, lengthPenalty: 0 };
    const g = await greedySearch(next, o);
    const b1 = await beamSearch(next, { ...o, beamSize: 1 });
    assert.deepEqual(b1.hypotheses[0].ids, g.hypotheses[0].ids);
    assert.ok(Math.abs(b1.hypotheses[0].logProb - g.hypotheses[0].logProb) < 1e-6);
    const b2 = await beamSearch(next, { ...o, beamSize: 2 });
    assert.deepEqual(b2.hypotheses[0].ids, [3]); // B then EOS: p = 0.4 > 0.6 · 1/4 · …
    assert.ok(Math.abs(b2.hypotheses[0].logProb - Math.log(0.4)) < 1e-6);
  });

  test('on a model, beam 1 gives the greedy output; decoding leaks no tensors', async () => {
    const m = tinyModel(7);
    const tok = new WordPieceTokenizer(new Vocab([...SPECIAL_TOKENS, ...WORDS]), { lowercase: true });
    const c = wordPieceCodec(tok);
    await rewrite(m, c, c, 'a b c', { maxLength: 6 }); // warm up kernels
    const before = tf.memory().numTensors;
    const g = await rewrite(m, c, c, 'a b c d', { maxLength: 6 });
    const b = await rewrite(m, c, c, 'a b c d', { maxLength: 6, beamSize: 1 });
    const b4 = await rewrite(m, c, c, 'a b c d', { maxLength: 6, beamSize: 3 });
    assert.equal(b.text, g.text);
    assert.equal(b4.beams.length, 3);
    assert.equal(tf.memory().numTensors, before);
    await assert.rejects(rewrite(m, c, c, '  '), /source text is empty/);
    // on ONNX Runtime (Rewrite Selection's path there): the same outputs and beam scores, no tfjs tensor
    if (!ortSkip()) {
      const onnx = new OnnxSeq2seq(m);
      try {
        assert.ok(onnx.encode([2, 5]), 'ONNX Runtime runs this model (not the tfjs fallback)');
        const og = await rewrite(m, c, c, 'a b c d', { maxLength: 6, onnx });
        const ob = await rewrite(m, c, c, 'a b c d', { maxLength: 6, beamSize: 3, onnx });
        assert.equal(og.text, g.text);
        assert.deepEqual(
          ob.beams.map((x) => x.text),
          b4.beams.map((x) => x.text),
        );
        for (const [i, x] of ob.beams.entries())
          assert.ok(Math.abs(x.score - b4.beams[i].score) < 1e-4, `beam ${i}`);
        assert.equal(tf.memory().numTensors, before, 'no tfjs encoder output was made');
      } finally {
        onnx.dispose();
      }
    }
    m.dispose();
  });
});

describe('warm starts and the model folder', () => {
  test('BERT→BERT copies the encoder byte for byte and leaves cross-attention new', async () => {
    const dir = tmpDir();
    const bertDir = tinyBert(path.join(dir, 'bert'));
    const base = new Bert({ ...TINY, vocabSize: SPECIAL_TOKENS.length + WORDS.length }, { seed: 3 });
    const built = buildSeq2seq({ encoder: bertDir, decoder: bertDir, seed: 9 });
    const m = built.model;
    for (const [name, p] of m.params) {
      if (name.startsWith(ENC)) {
        const orig = base.params.get(name.slice(ENC.length))!;
        assert.deepEqual(await p.data(), await orig.data(), name);
      }
    }
    assert.deepEqual(
      await m.params.get('decoder/layer_1.self.query.kernel')!.data(),
      await base.params.get('encoder.layer_1.attention.self.query.kernel')!.data(),
    );
    const cross = [...m.params.keys()].filter(isCrossAttention);
    assert.ok(cross.length > 0);
    for (const n of cross.filter((n) => n.endsWith('kernel'))) {
      const v = Array.from(await m.params.get(n)!.data());
      assert.ok(
        v.some((x) => x !== 0),
        `${n} is drawn at random`,
      );
    }
    assert.equal(built.decoderFrom, 'bert');
    base.dispose();
    m.dispose();
  });

  test('BERT→GPT: the decoder is the GPT (its logits, once cross-attention is silenced) with a BPE target', async () => {
    const dir = tmpDir();
    const bertDir = tinyBert(path.join(dir, 'bert'));
    const tok = new BpeTokenizer(new Map([...byteTokens(), 'he', 'll'].map((t, i) => [t, i])), [
      ['h', 'e'],
      ['l', 'l'],
    ]);
    const gptCfg: GptConfig = {
      vocabSize: tok.size,
      hiddenSize: 16,
      numLayers: 2,
      numHeads: 2,
      intermediateSize: 32,
      maxPositions: 32,
      norm: 'pre',
      dropout: 0,
      layerNormEps: 1e-5,
      initializerRange: 0.3,
    };
    const gpt = new Gpt(gptCfg, { seed: 4 });
    const gptDir = path.join(dir, 'gpt');
    writeHfGpt2(gptDir, { gpt: gptCfg, tokenizer: tok, weights: gpt.params });
    const built = buildSeq2seq({ encoder: bertDir, decoder: gptDir, seed: 2 });
    assert.equal(built.decoderFrom, 'gpt');
    assert.equal(built.target.type, 'bpe');
    const m = built.model;
    for (let l = 0; l < 2; l++) {
      m.params.get(`decoder/layer_${l}.cross.output.kernel`)!.assign(tf.zeros([16, 16]));
      m.params.get(`decoder/layer_${l}.cross.output.bias`)!.assign(tf.zeros([16]));
    }
    const ids = [tok.endOfTextId, ...tok.encodeIds('hello')];
    const ours = tf.tidy(() => {
      const s = tf.tensor2d([[2, 5, 3]], [1, 3], 'int32');
      const mask = tf.ones([1, 3]) as tf.Tensor2D;
      const h = m.decodeHidden(m.encode(s, mask), mask, tf.tensor2d([ids], [1, ids.length], 'int32'));
      return m.logits(tf.reshape(h, [ids.length, 16]) as tf.Tensor2D);
    });
    const theirs = tf.tidy(() => gpt.logits(tf.tensor2d([ids], [1, ids.length], 'int32')));
    const a = await ours.data();
    const b = await theirs.data();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    assert.ok(worst < 1e-4, `max |Δlogit| ${worst}`);
    tf.dispose([ours, theirs]);
    gpt.dispose();
    m.dispose();
  });

  test('a checkpoint round trip gives the same weights and outputs; the registry opens it; training leaks no tensors', async () => {
    const dir = tmpDir();
    const bertDir = tinyBert(path.join(dir, 'bert'));
    const train = write(
      dir,
      'train.jsonl',
      ['a b', 'c d', 'e f', 'g h'].map((s) => JSON.stringify({ source: s, target: s })).join('\n'),
    );
    const out = path.join(dir, 'out');
    const tensorsBefore = tf.memory().numTensors;
    const s = await finetuneSeq2seq(
      withSeq2seqDefaults({
        encoder: bertDir,
        decoder: bertDir,
        train,
        dev: train,
        outDir: out,
        epochs: 1,
        batchSize: 4,
      }),
    );
    assert.equal(s.status, 'done');
    assert.equal(tf.memory().numTensors, tensorsBefore, 'training and dev decoding leave no tensors');
    const a = loadSeq2seqFolder(out);
    const loaded = openModel(out);
    assert.ok(loaded instanceof Seq2seqLoaded);
    assert.deepEqual(loaded.capabilities, ['rewrite']);
    for (const [n, p] of a.model.params)
      assert.deepEqual(await p.data(), await loaded.folder.model.params.get(n)!.data(), n);
    const { src, tgt } = codecs(a.tokenizers);
    const r1 = await rewrite(a.model, src, tgt, 'a b', { beamSize: 2, maxLength: 4 });
    const r2 = await rewrite(loaded.folder.model, src, tgt, 'a b', { beamSize: 2, maxLength: 4 });
    assert.deepEqual(r1, r2);
    a.model.dispose();
    loaded.dispose();
    // a damaged weight file is refused
    const bin = path.join(out, 'checkpoint', 'weights.bin');
    const bytes = fs.readFileSync(bin);
    bytes[10] ^= 1;
    fs.writeFileSync(bin, bytes);
    assert.throws(() => loadSeq2seqFolder(out), /checksum|damaged|SHA/i);
  });

  test('a tiny random-init model learns to reverse short sequences (CLI end to end)', async () => {
    const dir = tmpDir();
    const bertDir = tinyBert(path.join(dir, 'bert'));
    let seed = 5;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const pairs = (n: number) =>
      Array.from({ length: n }, () => {
        const w = Array.from(
          { length: 2 + Math.floor(rnd() * 3) },
          () => WORDS[Math.floor(rnd() * WORDS.length)],
        );
        return JSON.stringify({ source: w.join(' '), target: [...w].reverse().join(' ') });
      }).join('\n');
    const train = write(dir, 'train.jsonl', pairs(1000));
    const dev = write(dir, 'dev.jsonl', pairs(40));
    const out = path.join(dir, 'rev');
    const code = await main([
      'finetune',
      '--task',
      'seq2seq',
      '--encoder',
      'random',
      '--decoder',
      'random',
      '--tokenizer',
      bertDir,
      '--train',
      train,
      '--dev',
      dev,
      '--out',
      out,
      '--epochs',
      '6',
      '--batch-size',
      '16',
      '--lr',
      '0.003',
      '--label-smoothing',
      '0',
      '--json',
    ]);
    assert.equal(code, 0);
    const cfg = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    assert.ok(cfg.dev.exactMatch >= 0.8, `exact match ${cfg.dev.exactMatch}`);
    assert.ok(cfg.dev.bleu >= 60, `BLEU ${cfg.dev.bleu}`);
    // pretrain-lab rewrite --json: {"text", "beams": [{"text", "score"}]}
    const lines: string[] = [];
    const realWrite = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      assert.equal(await main(['rewrite', '--model', out, '--beam', '3', '--json', 'a b c d']), 0);
    } finally {
      process.stdout.write = realWrite;
    }
    const r = JSON.parse(lines.join('').trim()) as { text: string; beams: { text: string; score: number }[] };
    assert.equal(r.text, 'd c b a');
    assert.equal(r.beams.length, 3);
    assert.equal(r.beams[0].text, r.text);
  });
});
