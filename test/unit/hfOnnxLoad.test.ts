// A Hugging Face BERT on ONNX Runtime is loaded with one copy of its weights: the session maps the
// safetensors file in place and no tfjs tensor is made, yet it answers as the same folder does on
// tfjs, also when the file is a link into the Hub cache's blobs/ folder under a Chinese path, and while
// a training runs (the session is rebuilt on one thread); the tfjs model is read only when something
// asks for it. Skipped where the native library cannot load.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { computeAttention } from '../../src/engine/analysis/attention';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import { initBackend } from '../../src/engine/backend';
import type { HfBertModel } from '../../src/engine/checkpoint/hf/bert';
import { writeHfBert } from '../../src/engine/checkpoint/hf/exportBert';
import { openModel } from '../../src/engine/checkpoint/registry';
import { whileTraining } from '../../src/engine/inferenceShare';
import { Bert } from '../../src/engine/models/bert';
import { SPECIAL_TOKENS, Vocab } from '../../src/engine/tokenizer/vocab';
import type { BertConfig } from '../../src/shared/configs';
import { ortSkip, tmpDir } from './helpers';

const skip = ortSkip();

const VOCAB = new Vocab([
  ...SPECIAL_TOKENS,
  'the',
  'capital',
  'of',
  'france',
  'is',
  'paris',
  '北',
  '京',
  '.',
]);
const CONFIG: BertConfig = {
  vocabSize: VOCAB.size,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 32,
  typeVocabSize: 2,
  dropout: 0,
  layerNormEps: 1e-12,
  initializerRange: 0.5,
};
const TEXT = 'the capital of france is [MASK] . 北 [MASK]';

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

/** What a user sees of a model: Predict Mask and attention, and the last layer's hidden states. */
function answers(m: HfBertModel) {
  const masks = requireCapability(m, 'predictMask').predictMasks(TEXT, 5);
  const attention = computeAttention(requireCapability(m, 'attention'), 'the capital of france is paris');
  const enc = requireCapability(m, 'contextual');
  const ids = Int32Array.from([VOCAB.clsId, ...enc.tok.ids('北 京 is paris'), VOCAB.sepId]);
  const h = enc.hiddenStates(ids, new Float32Array(ids.length).fill(1), 1, enc.numLayers);
  const hidden = (h.dataSync() as Float32Array).slice();
  h.dispose();
  return { masks, attention, hidden };
}

describe('Hugging Face BERT loaded onto ONNX Runtime in place', { skip }, () => {
  after(async () => {
    await initBackend(); // the automatic choice the other tests run on
  });

  test('no tfjs copy of the weights, the same answers as on tfjs, from a linked file under a Chinese path', async () => {
    // the Hub's cache layout: snapshots/<rev>/model.safetensors links to blobs/<sha>
    const root = path.join(tmpDir(), '中文模型');
    const dir = path.join(root, 'snapshots', 'main');
    await initBackend('wasm');
    const bert = new Bert(CONFIG, { seed: 11 });
    writeHfBert(dir, { bert: CONFIG, tokenizer: { lowercase: true }, vocab: VOCAB, weights: bert.params });
    bert.dispose();
    fs.mkdirSync(path.join(root, 'blobs'));
    fs.renameSync(path.join(dir, 'model.safetensors'), path.join(root, 'blobs', 'a1b2c3'));
    fs.symlinkSync(path.join('..', '..', 'blobs', 'a1b2c3'), path.join(dir, 'model.safetensors'));

    const onTfjs = openModel(dir) as HfBertModel;
    const ref = answers(onTfjs);
    onTfjs.dispose();

    const info = await initBackend('onnx');
    assert.ok(info.inference, 'ONNX Runtime loads, so inference runs there');
    const tensors = tf.memory().numTensors;
    const m = openModel(dir) as HfBertModel;
    try {
      assert.equal(tf.memory().numTensors, tensors, 'loading made no tfjs tensor');
      const got = answers(m);
      assert.equal(tf.memory().numTensors, tensors, 'answering made none either');
      assert.equal(got.masks.filled, ref.masks.filled);
      got.masks.masks.forEach((mask, i) => {
        const want = ref.masks.masks[i].candidates;
        assert.deepEqual(
          mask.candidates.map((c) => c.token),
          want.map((c) => c.token),
        );
        assert.ok(
          maxDiff(
            mask.candidates.map((c) => c.probability),
            want.map((c) => c.probability),
          ) < 1e-4,
        );
      });
      assert.deepEqual(got.attention.tokens, ref.attention.tokens);
      assert.ok(maxDiff(got.attention.weights, ref.attention.weights) < 1e-4);
      assert.ok(maxDiff(got.hidden, ref.hidden) < 1e-4);
      // a training starting rebuilds the session on one thread, from the same file
      const during = await whileTraining(async () =>
        requireCapability(m, 'predictMask').predictMasks(TEXT, 5),
      );
      assert.equal(during.filled, ref.masks.filled);
      // the tfjs model is read from the file when something asks for it, and freed with the model
      assert.equal(m.predictor.model.parameterCount, m.summary.parameters);
      assert.ok(tf.memory().numTensors > tensors);
    } finally {
      m.dispose();
    }
    assert.equal(tf.memory().numTensors, tensors, 'no tensor left behind');
  });
});
