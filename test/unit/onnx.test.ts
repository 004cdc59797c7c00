// ONNX Runtime as the inference engine: the graph built from a BERT's weights gives the tfjs model's
// logits, attention and hidden states (within 1e-4), on tiny random models and on the starter model, and
// the engine falls back to tfjs when ONNX Runtime is turned off. Skipped where the native library cannot load.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { computeAttention } from '../../src/engine/analysis/attention';
import { BertPredictor } from '../../src/engine/analysis/predictMask';
import { inferenceLine, initBackend } from '../../src/engine/backend';
import { whileTraining } from '../../src/engine/inferenceShare';
import { Bert } from '../../src/engine/models/bert';
import { Elmo } from '../../src/engine/models/elmo';
import { disposeCache, Gpt, type KvCache } from '../../src/engine/models/gpt';
import { Seq2seq } from '../../src/engine/models/seq2seq';
import { decoderConfigFromBert, decoderConfigFromGpt } from '../../src/engine/models/seq2seqWarmStart';
import { OnnxBert } from '../../src/engine/onnx/bert';
import { OnnxElmo } from '../../src/engine/onnx/elmo';
import { OnnxGpt, type OrtKv } from '../../src/engine/onnx/gpt';
import { ortInfo } from '../../src/engine/onnx/runtime';
import { OnnxSeq2seq } from '../../src/engine/onnx/seq2seq';
import { BERT_PRESETS, type BertConfig, GPT_PRESETS } from '../../src/shared/configs';
import { ortSkip } from './helpers';

const skip = ortSkip();

const TINY: BertConfig = {
  ...BERT_PRESETS.tiny,
  hiddenSize: 16,
  numHeads: 2,
  intermediateSize: 32,
  numLayers: 2,
  vocabSize: 30,
  maxPositions: 12,
  dropout: 0,
};

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('ONNX Runtime inference', { skip }, () => {
  after(() => {
    delete process.env.PRETRAIN_LAB_ONNX;
  });

  for (const act of ['gelu', 'gelu_new', 'relu'] as const) {
    test(`a tiny random BERT (${act}) gives the tfjs logits, attention and hidden states`, async () => {
      await initBackend('wasm');
      const model = new Bert({ ...TINY, hiddenAct: act }, { seed: 7 });
      const onnx = new OnnxBert(model);
      try {
        const B = 2;
        const T = 9;
        const ids = Int32Array.from({ length: B * T }, (_, i) => 3 + ((i * 7) % 25));
        // the second row is padded after 5 tokens
        const mask = Float32Array.from({ length: B * T }, (_, i) => (i < T || i % T < 5 ? 1 : 0));
        const flat = [1, 4, T + 2];
        const want = tf.tidy(() => {
          const r = model.forward(
            {
              inputIds: tf.tensor2d(ids, [B, T], 'int32'),
              segmentIds: tf.zeros([B, T], 'int32') as tf.Tensor2D,
              attentionMask: tf.tensor2d(mask, [B, T]),
            },
            { returnLayers: true },
          );
          return [model.mlmLogits(r.hidden, tf.tensor1d(flat, 'int32')), r.layers![1]];
        });
        const logits = onnx.logits(ids, mask, B, flat);
        assert.deepEqual(logits.dims, [flat.length, TINY.vocabSize]);
        assert.ok(maxDiff(logits.data, want[0].dataSync()) < 1e-4);
        assert.ok(maxDiff(onnx.hiddenStates(ids, mask, B, 1).data, want[1].dataSync()) < 1e-4);
        tf.dispose(want);

        const one = [2, 9, 4, 11, 3];
        const segs = [0, 0, 0, 1, 1];
        const attn = tf.tidy(() => {
          const r = model.forward(
            {
              inputIds: tf.tensor2d(one, [1, 5], 'int32'),
              segmentIds: tf.tensor2d(segs, [1, 5], 'int32'),
              attentionMask: tf.ones([1, 5]) as tf.Tensor2D,
            },
            { returnAttention: true },
          );
          return tf.concat(r.attentions!, 0);
        });
        assert.ok(maxDiff(onnx.attend(one, segs), attn.dataSync()) < 1e-4);
        // the model cut to its first layer gives that layer, alone
        const firstLayer = onnx.attendFirst(one, segs);
        assert.equal(firstLayer.length, TINY.numHeads * 25);
        assert.ok(maxDiff(firstLayer, attn.dataSync().subarray(0, firstLayer.length)) < 1e-4);
        attn.dispose();
      } finally {
        onnx.dispose();
        model.dispose();
      }
    });
  }

  /** A random GPT of width 16, 2 heads, vocabulary 40 and 16 positions. */
  const tinyGpt = (norm: 'pre' | 'post', seed: number) =>
    new Gpt(
      {
        ...GPT_PRESETS.tiny,
        hiddenSize: 16,
        numHeads: 2,
        intermediateSize: 32,
        vocabSize: 40,
        maxPositions: 16,
        norm,
        dropout: 0,
      },
      { seed },
    );

  for (const norm of ['pre', 'post'] as const) {
    test(`a tiny random GPT (${norm}-LN) gives the tfjs causal attention`, async () => {
      await initBackend('wasm');
      const model = tinyGpt(norm, 5);
      const onnx = new OnnxGpt(model);
      try {
        const ids = [3, 17, 8, 22, 5, 39, 1];
        const want = tf.tidy(() =>
          tf.concat(
            model.forward(tf.tensor2d(ids, [1, ids.length], 'int32'), { returnAttention: true }).attentions!,
            0,
          ),
        );
        const got = onnx.attend(ids);
        assert.ok(got, 'ONNX Runtime ran the model');
        assert.ok(maxDiff(got, want.dataSync()) < 1e-4);
        assert.equal(got[1], 0, 'the first token sees no later token');
        want.dispose();
      } finally {
        onnx.dispose();
        model.dispose();
      }
    });
  }

  for (const norm of ['pre', 'post'] as const)
    test(`generation's decoding steps through the key/value cache give tfjs's logits on ONNX Runtime (${norm}-LN)`, async () => {
      await initBackend('wasm');
      const model = tinyGpt(norm, 9);
      const onnx = new OnnxGpt(model);
      const cache: KvCache = { length: 0, k: [], v: [] };
      try {
        // a prompt, then one token at a time, as generate() feeds them; both keep their own cache
        let kv: OrtKv | undefined;
        let past = 0;
        for (const feed of [[3, 17, 8, 22], [5], [39], [1]]) {
          const want = model.decode(feed, cache);
          const got = onnx.decode(feed, past, kv);
          assert.ok(got, 'ONNX Runtime ran the decoding step');
          assert.equal(got.logits.length, 40);
          assert.ok(maxDiff(got.logits, want.dataSync()) < 1e-4, `logits after ${past + feed.length} tokens`);
          want.dispose();
          kv = got.kv;
          past += feed.length;
          assert.deepEqual(kv.k[0].dims, [1, 2, past, 8], 'the cache grew by the tokens fed');
        }
        assert.throws(() => onnx.decode(Array(13).fill(2), past, kv), /context window/);
      } finally {
        disposeCache(cache);
        onnx.dispose();
        model.dispose();
      }
    });

  for (const cellClip of [3, 0])
    test(`an ELMo biLM's layers (token layer, both directions' LSTMP layers, residual) equal tfjs's on ONNX Runtime (cell clip ${cellClip})`, async () => {
      await initBackend('wasm');
      const model = new Elmo(
        { vocabSize: 30, embedDim: 8, hiddenSize: 12, numLayers: 2, dropout: 0, cellClip },
        { seed: 4 },
      );
      // gates near 1 (bias 3): the cell grows by about one a step, so that a clip of 3 binds
      for (const [n, v] of model.params)
        if (n.endsWith('.bias')) tf.tidy(() => v.assign(tf.fill(v.shape, 3)));
      const onnx = new OnnxElmo(model);
      try {
        const ids = [1, 7, 29, 3, 3, 12, 0, 5];
        const want = tf.tidy(() =>
          model.layers(tf.tensor2d([ids], [1, ids.length], 'int32')).map((l) => l.dataSync()),
        );
        const got = onnx.layers(ids);
        assert.ok(got, 'ONNX Runtime ran the model');
        assert.equal(got.length, 3);
        got.forEach((g, j) => {
          assert.equal(g.length, ids.length * 16);
          assert.ok(maxDiff(g, want[j] as Float32Array) < 1e-4, `layer ${j}`);
        });
        // another length, the same session
        const two = onnx.layers([4, 9]);
        assert.equal(two?.[2].length, 2 * 16);
      } finally {
        onnx.dispose();
        model.dispose();
      }
    });

  for (const decoder of ['bert', 'gpt'] as const)
    test(`a sequence-to-sequence model (${decoder} decoder) gives tfjs's next-token log-probabilities for every prefix of a beam on ONNX Runtime`, async () => {
      await initBackend('wasm');
      const enc: BertConfig = { ...TINY, hiddenAct: 'gelu' };
      const dec =
        decoder === 'bert'
          ? decoderConfigFromBert(enc) // post-LN, LayerNorm on the embeddings
          : decoderConfigFromGpt({
              ...GPT_PRESETS.tiny,
              hiddenSize: 12,
              numHeads: 2,
              intermediateSize: 24,
              vocabSize: 25,
              maxPositions: 10,
              dropout: 0,
            }); // pre-LN, final LayerNorm, width apart from the encoder's
      // large weights (std 0.5): attention far from uniform, so a wrong scale or mask shows
      const model = new Seq2seq(
        { encoder: { ...enc, initializerRange: 0.5 }, decoder: { ...dec, initializerRange: 0.5 } },
        { seed: 3 },
      );
      const onnx = new OnnxSeq2seq(model);
      try {
        const src = [2, 9, 14, 7, 3];
        const prefixes = [
          [1, 5, 8],
          [1, 6, 6],
        ];
        const want = tf.tidy(() => {
          const mem = model.encode(tf.tensor2d([src], [1, 5], 'int32'), tf.ones([1, 5]) as tf.Tensor2D);
          const h = model.decodeHidden(
            tf.tile(mem, [2, 1, 1]) as tf.Tensor3D,
            tf.ones([2, 5]) as tf.Tensor2D,
            tf.tensor2d(prefixes.flat(), [2, 3], 'int32'),
          );
          const last = tf.reshape(tf.slice(h, [0, 2, 0], [2, 1, h.shape[2]]), [2, h.shape[2]]) as tf.Tensor2D;
          return tf.logSoftmax(model.logits(last)).dataSync();
        });
        const memory = onnx.encode(src);
        assert.ok(memory, 'ONNX Runtime ran the encoder');
        assert.equal(memory.length, 5 * enc.hiddenSize);
        const got = onnx.next(memory, prefixes);
        assert.ok(got, 'ONNX Runtime ran the decoder');
        const V = dec.vocabSize;
        got.forEach((row, k) => {
          assert.equal(row.length, V);
          assert.ok(maxDiff(row, want.subarray(k * V, (k + 1) * V)) < 1e-4, `prefix ${k}`);
        });
      } finally {
        onnx.dispose();
        model.dispose();
      }
    });

  test('the starter model predicts the same masks and attention on ONNX Runtime as on tfjs', async () => {
    const dir = path.join(__dirname, '..', '..', 'models', 'starter');
    const text = 'The capital of France is [MASK]. 北京是中国的[MASK]都。';
    await initBackend('wasm');
    const ref = new BertPredictor(dir);
    const refMasks = ref.predictMasks(text, 5);
    const refAttn = computeAttention(ref, 'the cat sat on the mat\nit was warm');
    const refWord = ref.predictWord('the cat sat on the mat', 4, 7, 5);
    ref.dispose();
    const info = await initBackend('onnx');
    assert.ok(info.inference, 'ONNX Runtime was asked for and loads, so inference runs there');
    const ort = new BertPredictor(dir);
    try {
      const masks = ort.predictMasks(text, 5);
      assert.equal(masks.filled, refMasks.filled);
      masks.masks.forEach((m, i) => {
        assert.deepEqual(
          m.candidates.map((c) => c.token),
          refMasks.masks[i].candidates.map((c) => c.token),
        );
        assert.ok(
          maxDiff(
            m.candidates.map((c) => c.probability),
            refMasks.masks[i].candidates.map((c) => c.probability),
          ) < 1e-4,
        );
      });
      const word = ort.predictWord('the cat sat on the mat', 4, 7, 5);
      assert.equal(word.masks[0].originalRank, refWord.masks[0].originalRank);
      const attn = computeAttention(ort, 'the cat sat on the mat\nit was warm');
      assert.deepEqual(attn.tokens, refAttn.tokens);
      assert.ok(maxDiff(attn.weights, refAttn.weights) < 1e-4);
      assert.equal(attn.layer, undefined, 'all layers');
      // Show Attention's first answer: layer 0 alone, the same words and tokens
      const first = computeAttention(ort, 'the cat sat on the mat\nit was warm', { firstLayer: true });
      assert.equal(first.layer, 0);
      assert.equal(first.layers, refAttn.layers);
      assert.deepEqual(first.words, refAttn.words);
      const per = refAttn.weights.length / refAttn.layers;
      assert.equal(first.weights.length, per);
      assert.ok(maxDiff(first.weights, refAttn.weights.subarray(0, per)) < 1e-4);
    } finally {
      ort.dispose();
    }
  });

  test('while a training runs, inference uses one thread and gives the same logits; all threads after', async () => {
    await initBackend('wasm');
    const model = new Bert(TINY, { seed: 3 });
    const onnx = new OnnxBert(model);
    try {
      const ids = Int32Array.from([2, 9, 4, 11, 3, 7]);
      const mask = new Float32Array(ids.length).fill(1);
      const idle = onnx.logits(ids, mask, 1, [1, 3]);
      const all = onnx.threads;
      assert.equal(all, ortInfo()!.threads);
      const during = await whileTraining(async () => {
        const l = onnx.logits(ids, mask, 1, [1, 3]);
        assert.equal(onnx.threads, 1);
        return l;
      });
      assert.ok(maxDiff(during.data, idle.data) < 1e-5);
      onnx.logits(ids, mask, 1, [1, 3]);
      assert.equal(onnx.threads, all);
    } finally {
      onnx.dispose();
      model.dispose();
    }
  });

  test('PRETRAIN_LAB_ONNX=off keeps inference on tfjs and says why', async () => {
    await initBackend('wasm');
    process.env.PRETRAIN_LAB_ONNX = 'off';
    const info = await initBackend('onnx');
    assert.equal(info.inference, undefined);
    assert.match(info.inferenceError ?? '', /PRETRAIN_LAB_ONNX=off/);
    // the extension's log says it in one line
    assert.match(
      inferenceLine(info) ?? '',
      /^(tensorflow|wasm|cpu) \(ONNX Runtime not used: turned off by PRETRAIN_LAB_ONNX=off\)$/,
    );
    assert.ok(['tensorflow', 'wasm', 'cpu'].includes(info.name));
    delete process.env.PRETRAIN_LAB_ONNX;
  });
});
