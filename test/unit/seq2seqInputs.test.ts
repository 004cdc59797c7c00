// Seq2seq bad inputs a user meets (issue 17), one sentence each, nothing lost: pairs over the length
// limits are cut and the run says how many; a source too long for Rewrite is cut and said; an empty
// source is refused; a decoder base with another vocabulary than the encoder's is explained with the
// way to share the encoder's; `evaluate` on a seq2seq folder prints BLEU and chrF (an empty output
// scores 0 on both).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { corpusBleu } from '../../src/engine/analysis/bleu';
import { corpusChrf } from '../../src/engine/analysis/chrf';
import { rewrite } from '../../src/engine/analysis/seq2seqDecode';
import { codecs, loadSeq2seqFolder } from '../../src/engine/checkpoint/seq2seq';
import { main } from '../../src/engine/cli/main';
import { finetuneSeq2seq, withSeq2seqDefaults } from '../../src/engine/train/tasks/finetuneSeq2seq';
import { buildSeq2seq } from '../../src/engine/train/tasks/seq2seqBases';
import { backend, tmpDir } from './helpers';
import { randomBert } from './seq2seqFacts';

before(async () => {
  await backend();
});

const WORDS = 'a b c d e f g h'.split(' ');

async function captured(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const w = process.stdout.write.bind(process.stdout);
  const e = process.stderr.write.bind(process.stderr);
  // the test runner reports on stdout in binary chunks: those pass through, the command's text is kept
  process.stdout.write = ((c: string | Uint8Array, ...rest: never[]) =>
    typeof c === 'string' ? out.push(c) > 0 : w(c, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array, ...rest: never[]) =>
    typeof c === 'string' ? err.push(c) > 0 : e(c, ...rest)) as typeof process.stderr.write;
  try {
    const code = await main(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = w;
    process.stderr.write = e;
  }
}

describe('seq2seq bad inputs', () => {
  const dir = tmpDir();
  const bert = randomBert(path.join(dir, 'bert'), WORDS);
  const out = path.join(dir, 'model');
  const pairs = [
    { source: 'a b c', target: 'c b a' },
    { source: 'a b c d e f g h a b c d e f g h', target: 'h g f e d c b a h g f e d c b a' },
    { source: 'd e', target: 'e d' },
  ];
  const file = path.join(dir, 'pairs.jsonl');
  fs.writeFileSync(file, `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`);

  test('pairs over the length limits are cut and the run says how many', async () => {
    const logs: string[] = [];
    await finetuneSeq2seq(
      withSeq2seqDefaults({
        encoder: 'random',
        decoder: 'random',
        tokenizer: bert,
        train: file,
        dev: file,
        outDir: out,
        epochs: 1,
        maxSourceLength: 8,
        maxTargetLength: 6,
      }),
      { onLog: (m) => logs.push(m) },
    );
    const said = logs.find((l) => /cut/.test(l));
    // the long pair is cut in train and in dev: 2 of 6
    assert.match(said ?? '', /^2 pairs longer than 8 source or 6 target tokens were cut\./, logs.join('\n'));
    assert.equal(loadSeq2seqFolder(out).config.maxSourceLength, 8);
  });

  test('Rewrite: a source over the limit is cut and said; an empty source is refused', async () => {
    const f = loadSeq2seqFolder(out);
    try {
      const { src, tgt } = codecs(f.tokenizers);
      const o = { maxSourceLength: f.config.maxSourceLength, maxLength: 3 };
      const long = await rewrite(f.model, src, tgt, 'a b c d e f g h a b c', o);
      assert.equal(long.sourceCut, true);
      assert.equal((await rewrite(f.model, src, tgt, 'a b', o)).sourceCut, false);
      await assert.rejects(rewrite(f.model, src, tgt, '  \n', o), /The source text is empty; select or type/);
    } finally {
      f.model.dispose();
    }
    const r = await captured(['rewrite', '--model', out, '--max-length', '3', 'a b c d e f g h a b c']);
    assert.equal(r.code, 0);
    assert.match(r.err, /The source was cut to 8 tokens\./);
  });

  test('evaluate on a seq2seq folder prints {"bleu", "chrf", …}; an empty output scores 0', async () => {
    const r = await captured(['evaluate', '--model', out, '--data', file, '--json']);
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out) as Record<string, number | string>;
    assert.equal(j.task, 'seq2seq');
    assert.equal(j.examples, 3);
    for (const k of ['bleu', 'chrf', 'exactMatch', 'loss'] as const) {
      const v = j[k];
      assert.ok(typeof v === 'number' && Number.isFinite(v), `${k}: ${v}`);
    }
    assert.ok((j.chrf as number) >= 0 && (j.chrf as number) <= 100);
    assert.match(r.err, /1 pair was longer than the model's source or target limit and cut/);
    const text = await captured(['evaluate', '--model', out, '--data', file]);
    assert.match(text.out, /3 pairs in .*\nBLEU \d+\.\d\d {2}chrF \d+\.\d\d {2}exact match/);
    assert.equal(corpusBleu([''], [['c b a']]).score, 0);
    assert.equal(corpusChrf([''], [['c b a']]), 0);
  });

  test("a decoder whose vocabulary differs from the encoder's is explained, with how to share it", () => {
    const other = randomBert(path.join(dir, 'other'), ['x', 'y', 'z'], 4);
    const built = buildSeq2seq({ encoder: bert, decoder: other, seed: 1 });
    built.model.dispose();
    const note = built.notices.find((n) => /vocabulary/.test(n));
    assert.match(
      note ?? '',
      /decoder's vocabulary \(8 WordPieces, from other\) differs from the encoder's \(13 WordPieces, from bert\).*pick bert \(or 'random'\) as the decoder/,
    );
    const same = buildSeq2seq({ encoder: bert, decoder: bert, seed: 1 });
    same.model.dispose();
    assert.equal(
      same.notices.some((n) => /vocabulary/.test(n)),
      false,
    );
  });
});
