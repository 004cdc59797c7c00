import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { computeAttention, splitPair } from '../../src/engine/analysis/attention';
import { BertPredictor } from '../../src/engine/analysis/predictMask';
import { pretrainBert, withDefaults } from '../../src/engine/train/pretrainBert';
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
