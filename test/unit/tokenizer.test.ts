import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { BasicTokenizer } from '../../src/engine/tokenizer/basic';
import { trainWordPieceVocab } from '../../src/engine/tokenizer/trainer';
import { Vocab } from '../../src/engine/tokenizer/vocab';
import { WordPieceTokenizer } from '../../src/engine/tokenizer/wordpiece';
import { FIXTURES } from './helpers';

const uncasedFile = path.join(FIXTURES, 'bert-base-uncased-vocab.txt');
const chineseFile = path.join(FIXTURES, 'bert-base-chinese-vocab.txt');

describe('basic tokenizer', () => {
  const lower = new BasicTokenizer({ lowercase: true });
  const cased = new BasicTokenizer({ lowercase: false });

  test('splits punctuation off words, lower-cases and strips accents', () => {
    assert.deepEqual(lower.tokenize('Hello, World! Café naïve—ÉCOLE.'), [
      'hello',
      ',',
      'world',
      '!',
      'cafe',
      'naive',
      '—',
      'ecole',
      '.',
    ]);
    assert.deepEqual(cased.tokenize('Hello, Café!'), ['Hello', ',', 'Café', '!']);
    assert.deepEqual(lower.tokenize("don't $5.00"), ['don', "'", 't', '$', '5', '.', '00']);
  });

  test('drops control characters and treats tabs, newlines and no-break spaces as spaces', () => {
    assert.deepEqual(lower.tokenize('a\u0000b\u200bc\td\ne\u00a0f\ufffd'), ['abc', 'd', 'e', 'f']);
  });

  test('puts each CJK ideograph on its own and splits full-width punctuation', () => {
    assert.deepEqual(lower.tokenize('我爱北京天安门。你好！'), [
      '我',
      '爱',
      '北',
      '京',
      '天',
      '安',
      '门',
      '。',
      '你',
      '好',
      '！',
    ]);
    assert.deepEqual(lower.tokenize('BERT模型v2很好用'), ['bert', '模', '型', 'v2', '很', '好', '用']);
  });

  test('keeps emoji and other symbols inside words as BERT does', () => {
    assert.deepEqual(lower.tokenize('I ❤ NLP 🤗!'), ['i', '❤', 'nlp', '🤗', '!']);
  });

  test('reports character spans into the original text', () => {
    const spans = new BasicTokenizer({ lowercase: true, neverSplit: ['[MASK]'] }).tokenizeWithSpans(
      'Él [MASK], 北京',
    );
    assert.deepEqual(
      spans.map((s) => [s.text, s.start, s.end]),
      [
        ['el', 0, 2],
        ['[MASK]', 3, 9],
        [',', 9, 10],
        ['北', 11, 12],
        ['京', 12, 13],
      ],
    );
  });
});

describe('published vocabularies', () => {
  test('bert-base-uncased vocab.txt loads unchanged with the published special ids', () => {
    const text = fs.readFileSync(uncasedFile, 'utf8');
    const v = Vocab.parse(text);
    assert.equal(v.size, 30522);
    assert.deepEqual([v.padId, v.unkId, v.clsId, v.sepId, v.maskId], [0, 100, 101, 102, 103]);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    assert.equal(sha(v.serialize()), sha(text), 'writing the vocab back must give the same bytes');
    assert.equal(sha(text), '07eced375cec144d27c900241f3e339478dec958f92fddbc551f295c992038a3');
  });

  test('tokenizes English as bert-base-uncased does', () => {
    const tok = new WordPieceTokenizer(Vocab.load(uncasedFile), { lowercase: true });
    assert.deepEqual(tok.tokenize('I have a new GPU!'), ['i', 'have', 'a', 'new', 'gp', '##u', '!']);
    assert.deepEqual(tok.ids('hello world'), [7592, 2088]);
    assert.deepEqual(tok.tokenize('embeddings'), ['em', '##bed', '##ding', '##s']);
    assert.deepEqual(tok.tokenize('The [MASK] sat.'), ['the', '[MASK]', 'sat', '.']);
    assert.equal(tok.ids('[MASK]')[0], 103);
  });

  test('an emoji or an over-long word becomes [UNK]', () => {
    const tok = new WordPieceTokenizer(Vocab.load(uncasedFile), { lowercase: true });
    assert.deepEqual(tok.tokenize('fun 🤗'), ['fun', '[UNK]']);
    assert.deepEqual(tok.tokenize('a'.repeat(101)), ['[UNK]']);
  });

  test('tokenizes Chinese and mixed text as bert-base-chinese does', () => {
    const v = Vocab.load(chineseFile);
    assert.equal(v.size, 21128);
    assert.deepEqual([v.padId, v.unkId, v.clsId, v.sepId, v.maskId], [0, 100, 101, 102, 103]);
    const tok = new WordPieceTokenizer(v, { lowercase: true });
    assert.deepEqual(tok.tokenize('我爱北京天安门。'), ['我', '爱', '北', '京', '天', '安', '门', '。']);
    assert.deepEqual(tok.tokenize('hello世界!'), ['hello', '世', '界', '!']);
    for (const id of tok.ids('我爱北京')) assert.notEqual(id, v.unkId);
  });

  test('a vocab.txt without the special tokens is refused with the missing token named', () => {
    assert.throws(() => Vocab.parse('a\nb\n[PAD]\n'), /no \[UNK\] token/);
  });
});

describe('WordPiece vocabulary trainer', () => {
  const counts = new Map<string, number>([
    ['playing', 50],
    ['played', 40],
    ['player', 30],
    ['play', 60],
    ['plays', 20],
    ['stayed', 15],
    ['staying', 15],
    ['我', 30],
    ['们', 30],
  ]);

  test('starts with the special tokens, keeps the size and covers the training words', () => {
    const v = trainWordPieceVocab(counts, { vocabSize: 40, minFrequency: 2 });
    assert.deepEqual(v.tokens.slice(0, 5), ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    assert.ok(v.size <= 40);
    const tok = new WordPieceTokenizer(v, { lowercase: true });
    for (const w of counts.keys()) assert.ok(!tok.tokenize(w).includes('[UNK]'), `${w} must not be [UNK]`);
    assert.ok(v.has('play'), 'the most frequent stem becomes one piece');
    assert.ok(v.has('##ing') || v.has('##ying') || v.has('playing'));
    assert.ok(v.has('我') && v.has('们'));
  });

  test('min frequency stops merging rare pairs', () => {
    const v = trainWordPieceVocab(new Map([['abcdef', 1]]), { vocabSize: 100, minFrequency: 2 });
    assert.equal(v.size, 5 + 6, 'only the alphabet, no merges');
  });

  test('is deterministic', () => {
    const a = trainWordPieceVocab(counts, { vocabSize: 30, minFrequency: 1 });
    const b = trainWordPieceVocab(counts, { vocabSize: 30, minFrequency: 1 });
    assert.deepEqual(a.tokens, b.tokens);
  });
});
