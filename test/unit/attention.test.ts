import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { type AttentionModel, computeAttention, splitPair } from '../../src/engine/analysis/attention';
import { BertPredictor } from '../../src/engine/analysis/predictMask';
import { Vocab } from '../../src/engine/tokenizer/vocab';
import { WordPieceTokenizer } from '../../src/engine/tokenizer/wordpiece';
import { pretrainBert, withDefaults } from '../../src/engine/train/pretrainBert';
import {
  isFromAttentionPanel,
  packWeights,
  unpackWeight,
  WEIGHT_ERROR,
} from '../../src/shared/protocol/attention';
import { backend, factCorpus, tmpDir } from './helpers';

let model: string;

before(async () => {
  await backend();
  model = path.join(tmpDir(), 'm');
  await pretrainBert(
    withDefaults({
      corpus: [factCorpus(tmpDir(), 12, 4)],
      outDir: model,
      steps: 2,
      batchSize: 4,
      maxSeqLength: 32,
      vocabSize: 200,
    }),
  );
});

describe('attention for a selection', () => {
  test('a line break or [SEP] splits sentence A from B', () => {
    assert.deepEqual(splitPair('one two\nthree'), { a: 'one two', b: 'three', bOffset: 8 });
    assert.deepEqual(splitPair('one [SEP] two'), { a: 'one ', b: ' two', bOffset: 9 });
    assert.deepEqual(splitPair('just one\n'), { a: 'just one\n', bOffset: 9 });
  });

  test('every layer and head, rows sum to 1, tokens as the model sees them, segments for a pair', () => {
    const p = new BertPredictor(model);
    const before = tf.memory().numTensors;
    const r = computeAttention(p, 'the capital of peru is lima.\nparis is in france.');
    assert.equal(tf.memory().numTensors, before, 'attention leaked tensors');
    const T = r.tokens.length;
    assert.equal(r.tokens[0], '[CLS]');
    assert.equal(r.tokens.filter((t) => t === '[SEP]').length, 2);
    assert.equal(r.weights.length, r.layers * r.heads * T * T);
    assert.equal(r.layers, 2);
    assert.equal(r.heads, 2);
    for (let row = 0; row < r.layers * r.heads * T; row++) {
      let s = 0;
      for (let j = 0; j < T; j++) s += r.weights[row * T + j];
      assert.ok(Math.abs(s - 1) < 1e-4, `row ${row} sums to ${s}`);
    }
    const firstB = r.segments.indexOf(1);
    assert.equal(r.tokens[firstB - 1], '[SEP]');
    assert.deepEqual(r.spans[1], [0, 3], 'spans point into the selection');
    assert.equal(r.tokens[firstB], 'paris');
    assert.deepEqual(r.spans[firstB], [29, 34]);
    p.dispose();
  });

  test('a selection over the maximum length is cut with a notice; an empty one is refused', () => {
    const p = new BertPredictor(model);
    const r = computeAttention(p, 'word '.repeat(700));
    assert.equal(r.tokens.length, 512);
    assert.match(
      r.notice!,
      /The selection has \d+ tokens, more than the model's 510; attention is shown up to character \d+\./,
    );
    assert.throws(() => computeAttention(p, '  \n '), /The selection is empty/);
    p.dispose();
  });
});

/** A WordPiece tokenizer over a handful of tokens and an encoder that attends evenly: no tensors. */
function fakeModel(): AttentionModel {
  const vocab = new Vocab(
    ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', 'the', 'cat', 'is', 'play', '##ing', '.'].concat(
      Array.from('苏轼是北宋文学家。'),
    ),
  );
  return {
    tokenizer: new WordPieceTokenizer(vocab, { lowercase: true }),
    maxPositions: 512,
    attend: (ids) => ({
      layers: 1,
      heads: 1,
      weights: new Float32Array(ids.length ** 2).fill(1 / ids.length),
    }),
  };
}

describe('words over the tokens, from the tokenizer', () => {
  test("English: a word's WordPieces are one group named as written; [CLS] and [SEP] their own", () => {
    const r = computeAttention(fakeModel(), 'The cat is Playing.\nplaying cats');
    assert.deepEqual(r.tokens, [
      '[CLS]',
      ...['the', 'cat', 'is', 'play', '##ing', '.'],
      '[SEP]',
      ...['play', '##ing', '[UNK]'],
      '[SEP]',
    ]);
    assert.deepEqual(
      r.words.map((w) => [w.start, w.end, w.text]),
      [
        [0, 1, '[CLS]'],
        [1, 2, 'The'],
        [2, 3, 'cat'],
        [3, 4, 'is'],
        [4, 6, 'Playing'],
        [6, 7, '.'],
        [7, 8, '[SEP]'],
        [8, 10, 'playing'],
        [10, 11, 'cats'],
        [11, 12, '[SEP]'],
      ],
    );
  });

  test('Chinese: one character per token, each its own word', () => {
    const r = computeAttention(fakeModel(), '苏轼是北宋文学家。');
    assert.deepEqual(r.tokens.slice(1, -1), Array.from('苏轼是北宋文学家。'));
    assert.deepEqual(
      r.words.map((w) => w.text),
      ['[CLS]', ...Array.from('苏轼是北宋文学家。'), '[SEP]'],
    );
    assert.ok(r.words.every((w, i) => w.start === i && w.end === i + 1));
  });

  test('a word cut at the maximum length keeps the pieces that fit', () => {
    const m = { ...fakeModel(), maxPositions: 5 }; // [CLS] + 3 + [SEP]
    const r = computeAttention(m, 'the cat playing');
    assert.deepEqual(r.tokens, ['[CLS]', 'the', 'cat', 'play', '[SEP]']);
    assert.deepEqual(r.words.at(-2), { start: 3, end: 4, text: 'play' });
  });
});

describe('attention weights sent to the panel', () => {
  test('16-bit packing: every weight within half a step, 3 decimals exact, rows still sum to 1', () => {
    const T = 512;
    const w = new Float32Array(T);
    let seed = 7;
    for (let j = 0; j < T; j++) {
      seed = (seed * 16807) % 2147483647;
      w[j] = seed / 2147483647;
    }
    const sum = w.reduce((a, b) => a + b, 0);
    for (let j = 0; j < T; j++) w[j] /= sum; // a softmax row over 512 tokens: weights near 0.002
    const back = Array.from(packWeights(w), unpackWeight);
    let shownWrong = 0;
    for (let j = 0; j < T; j++) {
      assert.ok(Math.abs(back[j] - w[j]) <= WEIGHT_ERROR + 1e-9, `weight ${j}: ${w[j]} came back ${back[j]}`);
      // the panel shows 3 decimals; only a weight within one error of a rounding edge may differ
      const edge = Math.abs(((w[j] * 1000) % 1) - 0.5) < WEIGHT_ERROR * 1000;
      if (back[j].toFixed(3) !== w[j].toFixed(3) && !edge) shownWrong++;
    }
    assert.equal(shownWrong, 0);
    assert.ok(Math.abs(back.reduce((a, b) => a + b, 0) - 1) <= T * WEIGHT_ERROR);
    // 8-bit steps (1/255) could not tell these apart: both would show as 0.004 or 0.000
    assert.notEqual(
      unpackWeight(packWeights([0.0021])[0]).toFixed(3),
      unpackWeight(packWeights([0.0029])[0]).toFixed(3),
    );
    assert.deepEqual(Array.from(packWeights([0, 1, 1.2, -0.1])), [0, 65535, 65535, 0]);
  });

  test('a trained model: the words cover every token once and in order', () => {
    const p = new BertPredictor(model);
    const r = computeAttention(p, 'the capital of peru is lima.\nparis is in france.');
    let next = 0;
    for (const w of r.words) {
      assert.equal(w.start, next);
      assert.ok(w.end > w.start);
      next = w.end;
    }
    assert.equal(next, r.tokens.length);
    assert.equal(r.words.find((w) => w.text === 'paris')?.start, r.segments.indexOf(1));
    p.dispose();
  });
});

describe('messages from the attention panel', () => {
  test('only well-formed messages pass', () => {
    const ok = [
      { type: 'ready' },
      { type: 'viewState', layer: 1, heads: [0, 2], merge: true },
      { type: 'export', format: 'png', data: 'data:image/png;base64,AAAA' },
      { type: 'export', format: 'svg', data: '<svg/>' },
      { type: 'export', format: 'json', data: '' },
    ];
    for (const m of ok) assert.ok(isFromAttentionPanel(m), JSON.stringify(m));
    const bad = [
      null,
      'ready',
      { type: 'nope' },
      { type: 'viewState', layer: -1, heads: [], merge: false },
      { type: 'viewState', layer: 0, heads: [0.5], merge: false },
      { type: 'viewState', layer: 0, heads: [], merge: 'yes' },
      { type: 'export', format: 'png', data: 'file:///etc/passwd' },
      { type: 'export', format: 'gif', data: '' },
      { type: 'export', format: 'json', data: 'x' },
    ];
    for (const m of bad) assert.ok(!isFromAttentionPanel(m), JSON.stringify(m));
  });
});
