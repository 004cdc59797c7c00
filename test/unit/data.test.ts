import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { CorpusTooSmallError, checkCorpusDocuments, PretrainingData } from '../../src/engine/data/batches';
import {
  cutPoint,
  emptyStats,
  MAX_LINE_CHARS,
  MAX_PART_CHARS,
  readDocumentParts,
  readDocuments,
  resolveCorpus,
} from '../../src/engine/data/corpus';
import { Masker } from '../../src/engine/data/mlm';
import { createPairInstances, createSentencePairInstances, type Document } from '../../src/engine/data/nsp';
import { splitSentences } from '../../src/engine/data/sentences';
import { Rng } from '../../src/engine/random';
import { Vocab } from '../../src/engine/tokenizer/vocab';
import { WordPieceTokenizer } from '../../src/engine/tokenizer/wordpiece';
import { FIXTURES, tmpDir, writeCorpus } from './helpers';

const vocab = Vocab.load(path.join(FIXTURES, 'bert-base-uncased-vocab.txt'));

describe('sentence splitting', () => {
  test('splits English at . ! ? … but not inside numbers', () => {
    assert.deepEqual(splitSentences('Pi is 3.14. Really?! Yes… "Fine." Done'), [
      'Pi is 3.14.',
      'Really?!',
      'Yes…',
      '"Fine."',
      'Done',
    ]);
  });
  test('splits Chinese right after 。！？；', () => {
    assert.deepEqual(splitSentences('今天天气很好。我们去公园吧！好吗？好；走'), [
      '今天天气很好。',
      '我们去公园吧！',
      '好吗？',
      '好；',
      '走',
    ]);
  });
});

describe('corpus reading', () => {
  test('documents end at blank lines and file ends; binary and non-UTF-8 files are skipped and counted', async () => {
    const dir = writeCorpus(tmpDir(), { 'a.txt': 'one\ntwo\n\n\nthree\r\n', 'b.md': '四\n五' });
    fs.writeFileSync(path.join(dir, 'c.txt'), Buffer.from([0x50, 0x4b, 0x00, 0x01]));
    fs.writeFileSync(path.join(dir, 'd.txt'), Buffer.from([0x61, 0xff, 0xfe, 0x62]));
    const { files } = resolveCorpus([dir]);
    const stats = emptyStats();
    const docs: string[][] = [];
    for await (const d of readDocuments(files, stats)) docs.push(d);
    assert.deepEqual(docs, [['one', 'two'], ['three'], ['四', '五']]);
    assert.equal(stats.skippedBinary.length, 1);
    assert.equal(stats.skippedEncoding.length, 1);
  });

  test('reads a file larger than its buffer in pieces, with a multi-byte character split across chunks', async () => {
    const dir = tmpDir();
    const line = '汉'.repeat(30000); // 90,000 bytes: crosses the 64 KB chunk inside a character
    fs.writeFileSync(path.join(dir, 'big.txt'), `${line}\n\n${line}\n`);
    const docs: string[][] = [];
    for await (const d of readDocuments([path.join(dir, 'big.txt')], emptyStats())) docs.push(d);
    assert.equal(docs.length, 2);
    assert.equal(docs[0][0], line);
  });

  test('a line too long to hold is cut at sentence ends and stays in its document', async () => {
    const dir = tmpDir();
    const sentence = 'The city will pay for the bridge. ';
    const line = sentence.repeat(Math.ceil((2.5 * MAX_LINE_CHARS) / sentence.length));
    fs.writeFileSync(path.join(dir, 'long.txt'), `${line}\n\nshort one\n`);
    const stats = emptyStats();
    const docs: string[][] = [];
    for await (const d of readDocuments([path.join(dir, 'long.txt')], stats)) docs.push(d);
    assert.equal(docs.length, 2);
    assert.equal(stats.documents, 2);
    assert.ok(docs[0].length >= 3, 'the long line comes in pieces');
    for (const piece of docs[0]) {
      assert.ok(piece.length <= MAX_LINE_CHARS);
      assert.ok(piece.trimEnd().endsWith('bridge.'), 'each piece ends at a sentence end');
    }
    assert.equal(docs[0].join(' ').replace(/\s+/g, ' ').trim(), line.trim());
    assert.deepEqual(docs[1], ['short one']);
  });

  test('a line with no sentence end is cut at a space, else at the limit', () => {
    assert.equal(cutPoint('aaaa bbbb cccc', 12), 10);
    assert.equal(cutPoint('x'.repeat(20), 12), 12);
    assert.equal(cutPoint(`${'x'.repeat(11)}😀`, 12), 11, 'never between the halves of a surrogate pair');
    assert.equal(cutPoint('第二句话。没有结尾的话', 8), 5);
  });

  test('a document longer than a part comes in parts; only the first starts a document', async () => {
    const dir = tmpDir();
    const line = 'word '.repeat(1000).trim();
    const lines = Math.ceil((2.5 * MAX_PART_CHARS) / line.length);
    fs.writeFileSync(path.join(dir, 'book.txt'), `${`${line}\n`.repeat(lines)}\nnext document\n`);
    const stats = emptyStats();
    const firsts: boolean[] = [];
    let total = 0;
    for await (const p of readDocumentParts([path.join(dir, 'book.txt')], stats)) {
      firsts.push(p.first);
      total += p.lines.length;
    }
    assert.deepEqual(firsts, [true, false, false, true]);
    assert.equal(total, lines + 1);
    assert.equal(stats.documents, 2);
  });

  test('a corpus of one document or no text is refused before any training, two documents pass', async () => {
    const dir = writeCorpus(tmpDir(), { 'one.txt': 'a line\nanother line\n', 'two.txt': 'a\n\nb\n' });
    await assert.rejects(
      checkCorpusDocuments([path.join(dir, 'one.txt')]),
      (e: Error) => e instanceof CorpusTooSmallError && /^The corpus has 1 document;/.test(e.message),
    );
    const empty = writeCorpus(tmpDir(), { 'blank.txt': '\n\n  \n' });
    await assert.rejects(checkCorpusDocuments([path.join(empty, 'blank.txt')]), /: The corpus has no text;/);
    await checkCorpusDocuments([path.join(dir, 'two.txt')]);
    await checkCorpusDocuments([path.join(dir, 'one.txt'), path.join(dir, 'two.txt')]);
  });

  test('globs and folders resolve to files; a missing path is reported', () => {
    const dir = writeCorpus(tmpDir(), { 'x.txt': 'a', 'y.md': 'b', 'z.bin': 'c' });
    assert.equal(resolveCorpus([`${dir}/*.txt`]).files.length, 1);
    assert.equal(resolveCorpus([dir]).files.length, 2, 'a folder gives its text files');
    assert.deepEqual(resolveCorpus([`${dir}/nope.txt`]).missing, [`${dir}/nope.txt`]);
  });
});

describe('masked LM selection', () => {
  const masker = new Masker(vocab, { maskProb: 0.15, maxPredictions: 80, wholeWordMask: false });

  test('chooses 15% of tokens, 80% → [MASK], 10% → random, 10% kept, never special tokens', () => {
    const rng = new Rng(7);
    const tok = new WordPieceTokenizer(vocab, { lowercase: true });
    const body = tok.ids(
      'the quick brown fox jumps over the lazy dog while the cat sleeps on a warm mat by the door',
    );
    // lengths vary so that rounding 15% of a length averages out
    const counts = { mask: 0, random: 0, keep: 0 };
    let chosen = 0;
    let total = 0;
    for (let i = 0; i < 4000; i++) {
      const a = body.slice(0, rng.int(3, body.length));
      const ids = [vocab.clsId, ...a, vocab.sepId, ...body, vocab.sepId];
      const m = masker.mask(ids, rng);
      total += ids.length - 3;
      chosen += m.positions.length;
      m.positions.forEach((p, k) => {
        assert.ok(!vocab.specialIds.has(ids[p]), 'a special token was chosen');
        counts[m.treatments[k]]++;
        if (m.treatments[k] === 'mask') assert.equal(m.inputIds[p], vocab.maskId);
        if (m.treatments[k] === 'keep') assert.equal(m.inputIds[p], ids[p]);
        if (m.treatments[k] === 'random') assert.ok(!vocab.specialIds.has(m.inputIds[p]));
        assert.equal(m.labels[k], ids[p]);
      });
    }
    const share = chosen / total;
    assert.ok(Math.abs(share - 0.15) < 0.01, `chosen share ${share}`);
    // 3 standard deviations of a binomial over ~25k choices is under 0.6 points
    assert.ok(Math.abs(counts.mask / chosen - 0.8) < 0.01, `mask share ${counts.mask / chosen}`);
    assert.ok(Math.abs(counts.random / chosen - 0.1) < 0.01, `random share ${counts.random / chosen}`);
    assert.ok(Math.abs(counts.keep / chosen - 0.1) < 0.01, `keep share ${counts.keep / chosen}`);
  });

  test('whole-word masking chooses all WordPieces of a word together', () => {
    const ww = new Masker(vocab, { maskProb: 0.3, maxPredictions: 40, wholeWordMask: true });
    const tok = new WordPieceTokenizer(vocab, { lowercase: true });
    const pieces = tok.tokenize('embeddings embeddings embeddings gpu gpu');
    const ids = [vocab.clsId, ...pieces.map((p) => vocab.id(p)), vocab.sepId];
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const chosen = new Set(ww.mask(ids, rng).positions);
      for (let p = 1; p < ids.length - 1; p++) {
        if (vocab.token(ids[p]).startsWith('##'))
          assert.equal(chosen.has(p), chosen.has(p - 1), 'a word was split');
      }
    }
  });

  test('--sentence-pairs masks each sentence on its own: 15% of A and 15% of B, at least one each', () => {
    const rng = new Rng(11);
    const ids = (a: number, b: number) => [
      vocab.clsId,
      ...Array.from({ length: a }, (_, i) => 2000 + i),
      vocab.sepId,
      ...Array.from({ length: b }, (_, i) => 3000 + i),
      vocab.sepId,
    ];
    let pairNoneInOne = 0;
    for (let i = 0; i < 400; i++) {
      const [a, b] = [rng.int(3, 40), rng.int(3, 40)];
      const seq = ids(a, b);
      const m = masker.maskEachSegment(seq, rng);
      const inA = m.positions.filter((p) => p <= a).length;
      assert.equal(inA, Math.max(1, Math.round(a * 0.15)), `A of ${a}`);
      assert.equal(m.positions.length - inA, Math.max(1, Math.round(b * 0.15)), `B of ${b}`);
      m.positions.forEach((p, k) => {
        assert.ok(!vocab.specialIds.has(seq[p]));
        assert.equal(m.labels[k], seq[p]);
      });
      // the choice over the whole pair (BERT's) leaves a short sentence without a prediction now and then
      const short = masker.mask(ids(5, 8), rng).positions;
      if (short.every((p) => p <= 5) || short.every((p) => p > 5)) pairNoneInOne++;
    }
    assert.ok(pairNoneInOne > 100, `one sentence unmasked in ${pairNoneInOne}/400 pairs`);
  });
});

describe('next-sentence pairs', () => {
  const doc = (n: number, base: number): Document =>
    Array.from({ length: n }, (_, i) => Int32Array.from([base + i * 3, base + i * 3 + 1, base + i * 3 + 2]));

  test('half the pairs are the actual next segment, half a random one from another document', () => {
    const docs = Array.from({ length: 20 }, (_, d) => doc(12, 1000 + d * 100));
    const rng = new Rng(11);
    let random = 0;
    let n = 0;
    for (let rep = 0; rep < 50; rep++) {
      for (let d = 0; d < docs.length; d++) {
        for (const inst of createPairInstances(docs, d, { maxSeqLength: 16, shortSeqProb: 0.1 }, rng)) {
          n++;
          assert.ok(inst.tokensA.length + inst.tokensB.length <= 13);
          const home = Math.floor((inst.tokensA[0] - 1000) / 100);
          const bHome = Math.floor((inst.tokensB[0] - 1000) / 100);
          if (inst.isRandomNext) {
            random++;
            assert.notEqual(bHome, home, 'a random B comes from another document');
          } else {
            assert.equal(bHome, home);
            assert.ok(inst.tokensB[0] > inst.tokensA[inst.tokensA.length - 1], 'B follows A');
          }
        }
      }
    }
    const share = random / n;
    assert.ok(n > 2000);
    assert.ok(Math.abs(share - 0.5) < 0.03, `random-next share ${share} over ${n}`);
  });

  test('--sentence-pairs: A is one whole sentence, B the next one or, half the time, one of another document', () => {
    const docs = Array.from({ length: 20 }, (_, d) => doc(12, 1000 + d * 100));
    const rng = new Rng(5);
    let random = 0;
    let n = 0;
    for (let rep = 0; rep < 30; rep++) {
      for (let d = 0; d < docs.length; d++) {
        for (const inst of createSentencePairInstances(
          docs,
          d,
          { maxSeqLength: 64, shortSeqProb: 0.1 },
          rng,
        )) {
          n++;
          // whole sentences, each starting where a sentence starts: nothing packed or cut
          assert.equal(inst.tokensA.length, 3);
          assert.equal(inst.tokensB.length, 3);
          const home = Math.floor((inst.tokensA[0] - 1000) / 100);
          assert.equal((inst.tokensA[0] - 1000 - home * 100) % 3, 0);
          const bHome = Math.floor((inst.tokensB[0] - 1000) / 100);
          if (inst.isRandomNext) {
            random++;
            assert.notEqual(bHome, home);
          } else assert.equal(inst.tokensB[0], inst.tokensA[0] + 3, 'B is the sentence right after A');
        }
      }
    }
    assert.ok(n >= 30 * 20 * 11, `${n} pairs: every sentence is an A once per pass`);
    assert.ok(Math.abs(random / n - 0.5) < 0.05, `random-next share ${random / n}`);
  });

  test('a corpus with one document or too few tokens is refused with the minimum', async () => {
    const tok = new WordPieceTokenizer(vocab, { lowercase: true });
    const masker = new Masker(vocab, { maskProb: 0.15, maxPredictions: 5, wholeWordMask: false });
    const opts = { maxSeqLength: 64, shortSeqProb: 0.1, batchSize: 2, maxPredictionsPerSeq: 5 };
    const one = writeCorpus(tmpDir(), { 'a.txt': 'just one document here. with two sentences.' });
    const d1 = new PretrainingData(resolveCorpus([one]).files, tok, masker, opts, new Rng(1));
    await assert.rejects(
      d1.batches().next(),
      (e: Error) => e instanceof CorpusTooSmallError && /at least 2/.test(e.message),
    );
    const small = writeCorpus(tmpDir(), { 'a.txt': 'tiny.\n\nalso tiny.' });
    const d2 = new PretrainingData(resolveCorpus([small]).files, tok, masker, opts, new Rng(1));
    await assert.rejects(d2.batches().next(), /fewer than one sequence of 64/);
  });

  test('batches are padded, segment ids mark B, masks point at real tokens', async () => {
    const tok = new WordPieceTokenizer(vocab, { lowercase: true });
    const masker = new Masker(vocab, { maskProb: 0.15, maxPredictions: 5, wholeWordMask: false });
    const dir = writeCorpus(tmpDir(), {
      'a.txt':
        'the cat sat on the mat. the dog ran home. it was late.\n\nbirds sing in the morning. the sun rises. we wake up.\n',
      'b.txt': '我们今天去公园。天气很好！\n\n他在看书。书很有趣。',
    });
    const data = new PretrainingData(
      resolveCorpus([dir]).files,
      tok,
      masker,
      { maxSeqLength: 24, shortSeqProb: 0, batchSize: 4, maxPredictionsPerSeq: 5 },
      new Rng(5),
    );
    const b = (await data.batches().next()).value!;
    for (let r = 0; r < 4; r++) {
      const row = Array.from(b.inputIds.slice(r * 24, (r + 1) * 24));
      assert.equal(row[0], vocab.clsId);
      const len = Array.from(b.attentionMask.slice(r * 24, (r + 1) * 24)).filter((x) => x === 1).length;
      assert.ok(row.slice(len).every((id) => id === vocab.padId));
      assert.equal(b.segmentIds[r * 24], 0);
      assert.equal(b.segmentIds[r * 24 + len - 1], 1, 'the last [SEP] belongs to B');
      for (let k = 0; k < 5; k++) {
        if (b.maskedWeights[r * 5 + k] === 1) assert.equal(b.attentionMask[b.maskedPositions[r * 5 + k]], 1);
      }
    }
    assert.ok(data.lastSample && data.lastSample.chosen.length > 0);
  });

  test('--sentence-pairs batches have a prediction in every sentence, A and B', async () => {
    const tok = new WordPieceTokenizer(vocab, { lowercase: true });
    const masker = new Masker(vocab, { maskProb: 0.15, maxPredictions: 5, wholeWordMask: false });
    const docs = Array.from({ length: 6 }, (_, d) =>
      ['anna lives in paris.', 'the home of tom is in rome.', 'bob lives in oslo.'].slice(d % 2).join(' '),
    );
    const dir = writeCorpus(tmpDir(), { 'a.txt': docs.join('\n\n') });
    const opts = { maxSeqLength: 24, shortSeqProb: 0, batchSize: 4, maxPredictionsPerSeq: 5 };
    const data = new PretrainingData(
      resolveCorpus([dir]).files,
      tok,
      masker,
      { ...opts, sentencePairs: true },
      new Rng(5),
    );
    let rows = 0;
    const it = data.batches();
    for (let n = 0; n < 10; n++) {
      const b = (await it.next()).value!;
      for (let r = 0; r < 4; r++) {
        const masked = [0, 1, 2, 3, 4].filter((k) => b.maskedWeights[r * 5 + k] === 1);
        const segs = masked.map((k) => b.segmentIds[b.maskedPositions[r * 5 + k]]);
        assert.deepEqual(segs, [0, 1], 'one prediction in A, one in B');
        rows++;
      }
    }
    assert.equal(rows, 40);
  });
});
