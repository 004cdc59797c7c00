import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { computeAttention } from '../../src/engine/analysis/attention';
import { causalAttentionModel } from '../../src/engine/analysis/causalAttention';
import { allowedTokens, generate, pickToken } from '../../src/engine/analysis/generate';
import { GptLm, GptModel } from '../../src/engine/analysis/gptModel';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import { nextTokens } from '../../src/engine/analysis/nextToken';
import {
  GPT_FORMAT,
  type GptConfigFile,
  saveGptCheckpoint,
  writeGptHeader,
} from '../../src/engine/checkpoint/gpt';
import { openModel } from '../../src/engine/checkpoint/registry';
import { LmData } from '../../src/engine/data/lmBatches';
import { disposeCache, Gpt, type KvCache } from '../../src/engine/models/gpt';
import { OnnxGpt } from '../../src/engine/onnx/gpt';
import { Rng } from '../../src/engine/random';
import { EngineService } from '../../src/engine/service';
import { BpeTokenizer, byteTokens, preTokenize } from '../../src/engine/tokenizer/bpe';
import { PieceCounter, trainBpe } from '../../src/engine/tokenizer/bpeTrainer';
import { pretrainGpt, withGptDefaults } from '../../src/engine/train/tasks/pretrainGpt';
import type { GptConfig } from '../../src/shared/configs';
import { backend, ortSkip, tmpDir, writeCorpus } from './helpers';

const TEXTS = [
  'the cat sat on the mat. the dog sat on the log.',
  '中文分词很难。我们学习语言模型。',
  'emoji 😀👍🏽 and flags 🇫🇷, accents: Ünïcödé café',
  'control \u0000\u0001\u001f tab\there\r\nwindows line\u2028sep',
  '  leading spaces and trailing   ',
  "it's they're we've I'm you'll he'd 12345 3.14",
  '',
];

function trainedTokenizer(): BpeTokenizer {
  const pc = new PieceCounter();
  for (let i = 0; i < 5; i++) for (const t of TEXTS) pc.add(t);
  return trainBpe(pc.counts, { vocabSize: 400, minFrequency: 2 });
}

const tiny = (o: Partial<GptConfig> = {}): GptConfig => ({
  vocabSize: 40,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 24,
  norm: 'pre',
  dropout: 0,
  layerNormEps: 1e-5,
  initializerRange: 0.2,
  ...o,
});

before(async () => {
  await backend();
});

describe('byte-level BPE', () => {
  test('any text round-trips: English, Chinese, emoji, control characters, empty', () => {
    const tok = trainedTokenizer();
    for (const t of [...TEXTS, 'never seen before: Ωμέγα ☃ 𝔘𝔫𝔦'])
      assert.equal(tok.decode(tok.encodeIds(t)), t);
  });

  test('a lone surrogate becomes U+FFFD instead of failing', () => {
    const tok = trainedTokenizer();
    assert.equal(tok.decode(tok.encodeIds('a\uD800b')), 'a\uFFFDb');
  });

  test('Chinese is pre-tokenised one character per piece, so no merge joins two characters', () => {
    assert.deepEqual(
      preTokenize('中文 分词').map((p) => p.text),
      ['中', '文', ' 分', '词'],
    );
    const tok = trainedTokenizer();
    for (const t of tok.encode('中文分词很难'))
      assert.ok(t.end - t.start <= 1, `${t.text} spans one character`);
  });

  test('spans point back into the text', () => {
    const tok = trainedTokenizer();
    const text = 'the cat 中文';
    const toks = tok.encode(text);
    assert.equal(toks[0].start, 0);
    assert.equal(toks.at(-1)!.end, text.length);
    assert.equal(text.slice(toks[1].start, toks[1].end), ' cat');
  });

  test('vocab.json and merges.txt use GPT-2 file formats and read back the same', () => {
    const tok = trainedTokenizer();
    const dir = tmpDir();
    tok.save(dir);
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
    assert.equal(vocab['!'], 0); // GPT-2's first byte token
    assert.equal(vocab['<|endoftext|>'], tok.size - 1);
    assert.ok(vocab.Ġ !== undefined && vocab.Ġthe !== undefined);
    const merges = fs.readFileSync(path.join(dir, 'merges.txt'), 'utf8').split('\n');
    assert.equal(merges[0], '#version: 0.2');
    assert.match(merges[1], /^\S+ \S+$/);
    const back = BpeTokenizer.load(dir);
    assert.deepEqual(back.encodeIds(TEXTS[0]), tok.encodeIds(TEXTS[0]));
    assert.equal(byteTokens().length, 256);
  });
});

describe('GPT model', () => {
  test('causal: changing token t+1 leaves the logits at positions ≤ t unchanged', () => {
    for (const norm of ['pre', 'post'] as const) {
      const g = new Gpt(tiny({ norm }), { seed: 3 });
      const a = [1, 5, 9, 2, 7, 3];
      const b = [1, 5, 9, 30, 11, 12];
      const [la, lb] = [a, b].map((ids) =>
        tf.tidy(() => g.logits(tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync()[0]),
      );
      for (let t = 0; t < 3; t++)
        la[t].forEach((x, i) => {
          assert.ok(Math.abs(x - lb[t][i]) < 1e-5, `${norm}: position ${t}`);
        });
      assert.ok(
        la[3].some((x, i) => Math.abs(x - lb[3][i]) > 1e-4),
        `${norm}: position 3 sees its own token`,
      );
      g.dispose();
    }
  });

  test('the key/value cache gives the logits of a full forward pass, with no tensor left behind', () => {
    const g = new Gpt(tiny(), { seed: 5 });
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const full = tf.tidy(() => g.logits(tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync()[0]);
    const before = tf.memory().numTensors;
    const cache: KvCache = { length: 0, k: [], v: [] };
    const first = g.decode(ids.slice(0, 4), cache);
    const got = [first.arraySync()];
    first.dispose();
    for (const id of ids.slice(4)) {
      const l = g.decode([id], cache);
      got.push(l.arraySync());
      l.dispose();
    }
    disposeCache(cache);
    assert.equal(tf.memory().numTensors, before);
    got.forEach((row, j) => {
      row.forEach((x, i) => {
        assert.ok(Math.abs(x - full[3 + j][i]) < 1e-4, `position ${3 + j}`);
      });
    });
    g.dispose();
  });

  test('parameter names follow GPT-2 and the LM head is tied to wte', () => {
    const g = new Gpt(tiny(), { seed: 1 });
    const names = [...g.params.keys()];
    for (const n of [
      'wte',
      'wpe',
      'h.0.ln_1.gamma',
      'h.0.attn.c_attn.kernel',
      'h.1.mlp.c_proj.bias',
      'ln_f.beta',
    ])
      assert.ok(names.includes(n), n);
    assert.ok(!names.some((n) => n.includes('lm_head')));
    assert.ok(!new Gpt(tiny({ norm: 'post' })).params.has('ln_f.gamma'), 'GPT-1 has no final LayerNorm');
    g.dispose();
  });
});

describe('sampling', () => {
  const logits = Float32Array.from([2, 1, 0.5, 3, -1, 0]);
  test('greedy is deterministic; top-k and top-p never pick outside the allowed set', () => {
    const rng = new Rng(1);
    assert.equal(pickToken(logits, { maxNewTokens: 1, temperature: 0, topK: 0, topP: 1, seed: 1 }, rng), 3);
    const k2 = { maxNewTokens: 1, temperature: 1.5, topK: 2, topP: 1, seed: 1 };
    assert.deepEqual(allowedTokens(logits, k2).ids, [3, 0]);
    for (let i = 0; i < 300; i++) assert.ok([3, 0].includes(pickToken(logits, k2, rng)));
    const p = { maxNewTokens: 1, temperature: 1, topK: 0, topP: 0.7, seed: 1 };
    const allowed = allowedTokens(logits, p).ids;
    assert.deepEqual(allowed, [3, 0]); // p(3) ≈ 0.60 < 0.7, so the next one is needed
    for (let i = 0; i < 300; i++) assert.ok(allowed.includes(pickToken(logits, p, rng)));
  });
});

describe('pretraining', () => {
  test('a tiny GPT learns a repeated pattern, generates it greedily, saves and reloads the same logits', async () => {
    const dir = tmpDir();
    const line = 'abc def ghi jkl mno pqr stu vwx yz. ';
    const corpus = writeCorpus(path.join(dir, 'c'), { 'p.txt': line.repeat(200) });
    const out = path.join(dir, 'gpt');
    const tensors = tf.memory().numTensors;
    const progress: number[] = [];
    const r = await pretrainGpt(
      withGptDefaults({
        corpus: [corpus],
        outDir: out,
        steps: 150,
        batchSize: 8,
        blockSize: 32,
        vocabSize: 300,
        learningRate: 3e-3,
        warmupSteps: 10,
        checkpointEvery: 75,
        logEvery: 25,
        dropout: 0,
      }),
      { onProgress: (p) => progress.push(p.loss) },
    );
    assert.equal(r.status, 'done');
    assert.equal(tf.memory().numTensors, tensors, 'training leaks no tensor');
    assert.ok(progress.at(-1)! < 0.3, `final loss ${progress.at(-1)}`);
    const lines = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
    assert.ok(
      lines.some((l) => JSON.parse(l).heldOutPerplexity !== undefined),
      'held-out perplexity recorded',
    );

    const m = openModel(out);
    assert.equal(m.kind, 'gpt');
    const lm = requireCapability(m, 'generate');
    const g = await generate(lm, 'abc def', { maxNewTokens: 12, temperature: 0 });
    assert.ok(g.text.startsWith(' ghi jkl mno'), `greedy continuation: ${JSON.stringify(g.text)}`);
    const again = await generate(lm, 'abc def', { maxNewTokens: 12, temperature: 0 });
    assert.equal(again.text, g.text);
    const n = nextTokens(lm, 'abc def ghi', 3);
    assert.equal(n.candidates.length, 3);
    assert.ok(n.candidates[0].probability > 0.5 && n.candidates[0].token.startsWith(' j'), JSON.stringify(n));

    // the reloaded model gives the trained model's logits: compare two loads of the same folder
    const m2 = new GptModel(out);
    const ids = lm.tokenizer.encodeIds('abc def ghi');
    const logitsOf = (x: GptLm) =>
      tf.tidy(() => x.model.logits(tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync());
    assert.deepEqual(logitsOf(m2.languageModel), logitsOf(lm as GptLm));
    m2.dispose();

    const count = tf.memory().numTensors;
    await generate(lm, 'abc', { maxNewTokens: 20, temperature: 0.8, topK: 5, seed: 2 });
    nextTokens(lm, '', 5); // an empty prefix starts from <|endoftext|>
    assert.equal(tf.memory().numTensors, count, 'generation leaks no tensor');
    m.dispose();
  });
});

describe('GPT folders', () => {
  test('a saved checkpoint loads back with identical logits; a changed weight file is refused', () => {
    const tok = trainedTokenizer();
    const config = tiny({ vocabSize: tok.size });
    const g = new Gpt(config, { seed: 9 });
    const dir = tmpDir();
    const cfg: GptConfigFile = {
      format: GPT_FORMAT,
      formatVersion: 1,
      modelType: 'gpt',
      gpt: config,
      tokenizer: { type: 'byte-level-bpe', chinese: 'chars' },
      createdAt: new Date().toISOString(),
    };
    writeGptHeader(dir, cfg, tok);
    const state = { step: 0, totalSteps: 0, rngState: 0, options: {}, finished: true, savedAt: '' };
    saveGptCheckpoint(dir, [...g.params.keys()], { weights: g.params, state });
    const ids = tok.encodeIds('the cat 中文 😀');
    const logitsOf = (m: Gpt) =>
      tf.tidy(() => m.logits(tf.tensor2d([ids], [1, ids.length], 'int32')).arraySync());
    const loaded = new GptModel(dir);
    assert.deepEqual(logitsOf(loaded.languageModel.model), logitsOf(g));
    assert.deepEqual(loaded.languageModel.tokenizer.encodeIds('the cat'), tok.encodeIds('the cat'));
    loaded.dispose();
    g.dispose();
    const bin = path.join(dir, 'checkpoint', 'weights.bin');
    const bytes = fs.readFileSync(bin);
    bytes[10] ^= 1;
    fs.writeFileSync(bin, bytes);
    assert.throws(() => new GptModel(dir), /does not match the checksum/);
  });

  test('a cancelled training keeps its checkpoint and resumes from its step', async () => {
    const dir = tmpDir();
    const corpus = writeCorpus(path.join(dir, 'c'), { 'a.txt': 'one two three four five six. '.repeat(100) });
    const out = path.join(dir, 'gpt');
    const o = {
      corpus: [corpus],
      outDir: out,
      batchSize: 2,
      blockSize: 16,
      vocabSize: 280,
      logEvery: 1,
      checkpointEvery: 100,
    };
    let n = 0;
    const first = await pretrainGpt(withGptDefaults({ ...o, steps: 50 }), { shouldStop: () => ++n > 4 });
    assert.equal(first.status, 'cancelled');
    assert.ok(first.step > 0 && first.step < 50, `stopped at ${first.step}`);
    const logs: string[] = [];
    const second = await pretrainGpt(withGptDefaults({ ...o, steps: first.step + 2 }), {
      onLog: (m) => logs.push(m),
    });
    assert.equal(second.status, 'done');
    assert.equal(second.step, first.step + 2);
    assert.ok(
      logs.some((l) => l.startsWith(`Resuming ${out} from step ${first.step}`)),
      logs.join('\n'),
    );
    await assert.rejects(
      pretrainGpt(withGptDefaults({ ...o, outDir: path.join(dir, 'c'), steps: 1 })),
      /not empty and holds no Pretrain Lab model/,
    );
  });

  test('the engine streams a continuation as progress and stops within a token when cancelled', async () => {
    const tok = trainedTokenizer();
    const g = new Gpt(tiny({ vocabSize: tok.size, maxPositions: 64 }), { seed: 2 });
    const dir = tmpDir();
    writeGptHeader(
      dir,
      {
        format: GPT_FORMAT,
        formatVersion: 1,
        modelType: 'gpt',
        gpt: g.config,
        tokenizer: { type: 'byte-level-bpe', chinese: 'chars' },
        createdAt: '',
      },
      tok,
    );
    saveGptCheckpoint(dir, [...g.params.keys()], {
      weights: g.params,
      state: { step: 1, totalSteps: 1, rngState: 0, options: {}, finished: true, savedAt: '' },
    });
    g.dispose();
    const service = new EngineService('cpu');
    const pieces: string[] = [];
    let cancelled = false;
    const ctx = {
      id: 1,
      progress: (b: unknown) => {
        const p = b as { type: string; text?: string };
        if (p.type === 'generate' && p.text) pieces.push(p.text);
        if (pieces.length >= 3) cancelled = true;
      },
      get cancelled() {
        return cancelled;
      },
      onCancel: () => {},
    };
    const r = (await service.handle(
      {
        type: 'generate',
        modelDir: dir,
        text: 'the cat',
        maxNewTokens: 40,
        temperature: 1,
        topK: 0,
        seed: 4,
      },
      ctx,
    )) as { text: string; stopped: string; tokens: string[] };
    assert.equal(r.stopped, 'cancelled');
    assert.equal(r.text, pieces.join(''));
    // a token may be part of a character (no text yet), so tokens can outnumber pieces a little
    assert.ok(r.tokens.length < 10, `stopped within a token: ${r.tokens.length}`);
    const nt = (await service.handle({ type: 'nextTokens', modelDir: dir, text: '中文', topK: 4 }, ctx)) as {
      candidates: { probability: number }[];
    };
    assert.equal(nt.candidates.length, 4);
    service.dispose();
  });
});

describe('bad input', () => {
  test('blocks are contiguous and targets are the inputs shifted by one; the held-out tail is never trained on', async () => {
    const ids = Int32Array.from({ length: 1000 }, (_, i) => i);
    const data = new LmData(ids, 16, 4, 0.1, new Rng(1));
    assert.equal(data.heldOut.length, 100);
    const b = (await data.batches().next()).value!;
    for (let r = 0; r < 4; r++)
      for (let t = 0; t < 16; t++) {
        assert.equal(b.targets[r * 16 + t], b.inputs[r * 16 + t] + 1);
        assert.ok(b.targets[r * 16 + t] < 900);
      }
    assert.throws(
      () => new LmData(Int32Array.from([1, 2, 3]), 16, 4, 0.1, new Rng(1)),
      /fewer than one block/,
    );
  });

  test('a prompt over the context keeps its end and says so; max tokens 0 or huge is clamped and said', async () => {
    const tok = trainedTokenizer();
    const lm = new GptLm(new Gpt(tiny({ vocabSize: tok.size, maxPositions: 16 }), { seed: 1 }), tok);
    const long = await generate(lm, 'the cat sat on the mat. '.repeat(10), {
      maxNewTokens: 30,
      temperature: 0,
    });
    assert.match(long.notice ?? '', /only its last 15 were read/);
    assert.match(long.notice ?? '', /context window of 16 tokens filled up/);
    const zero = await generate(lm, 'the', { maxNewTokens: 0, temperature: 0 });
    assert.match(zero.notice ?? '', /Max tokens 0 is outside 1–4096; generating 1\./);
    assert.ok(zero.tokens.length <= 1);
    const huge = await generate(lm, 'the', { maxNewTokens: 1e9, temperature: 0 });
    assert.match(huge.notice ?? '', /generating 4096/);
    await assert.rejects(generate(lm, 'the', { temperature: -1 }), /temperature must be 0/);
    lm.model.dispose();
  });
});

describe('generation on ONNX Runtime', { skip: ortSkip() }, () => {
  test('greedy generation through the ORT key/value cache writes what tfjs writes, across a window refill', async () => {
    await backend();
    const tok = trainedTokenizer();
    const model = new Gpt(tiny({ vocabSize: tok.size, maxPositions: 16 }), { seed: 3 });
    const onnx = new OnnxGpt(model);
    try {
      const onTfjs = new GptLm(model, tok);
      const onOrt = new GptLm(model, tok, onnx);
      // 30 new tokens after a 5-token prompt: the 16-position window fills and restarts from its half
      const want = await generate(onTfjs, 'the cat sat', { maxNewTokens: 30, temperature: 0 });
      const got = await generate(onOrt, 'the cat sat', { maxNewTokens: 30, temperature: 0 });
      assert.match(got.notice ?? '', /context window of 16 tokens filled up/);
      assert.deepEqual(got.tokens, want.tokens);
      assert.equal(got.text, want.text);
      // the cache the ORT steps keep: its length and one [1, heads, positions, dh] pair per layer
      const cache: KvCache = { length: 0, k: [], v: [] };
      onOrt.decode(tok.encodeIds('the cat'), cache).dispose();
      onOrt.decode([5], cache).dispose();
      assert.equal(cache.length, tok.encodeIds('the cat').length + 1);
      assert.equal(cache.ort?.k.length, model.config.numLayers);
      assert.equal(cache.ort?.k[0].dims[2], cache.length);
      assert.equal(cache.k.length, 0, 'no tfjs tensors held');
      disposeCache(cache);
      assert.equal(cache.ort, undefined);
    } finally {
      onnx.dispose();
      model.dispose();
    }
  });
});

describe('attention on a GPT', () => {
  test('BPE tokens without [CLS]/[SEP], the upper triangle masked, rows summing to 1, pieces grouped into words', () => {
    const tok = trainedTokenizer();
    const g = new Gpt(tiny({ vocabSize: tok.size }), { seed: 6 });
    const before = tf.memory().numTensors;
    const text = 'the cat 中文 unseenword';
    const r = computeAttention(causalAttentionModel(g, tok), text);
    assert.equal(tf.memory().numTensors, before);
    const T = r.tokens.length;
    assert.deepEqual([r.spans[0][0], r.spans.at(-1)![1]], [0, text.length]);
    assert.equal(r.tokens[0], 'the');
    assert.ok(!r.tokens.includes('[CLS]'));
    for (let l = 0; l < r.layers; l++)
      for (let h = 0; h < r.heads; h++)
        for (let i = 0; i < T; i++) {
          const row = r.weights.subarray(
            ((l * r.heads + h) * T + i) * T,
            ((l * r.heads + h) * T + i + 1) * T,
          );
          assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-4);
          for (let j = i + 1; j < T; j++) assert.ok(row[j] < 1e-6, `token ${i} never sees ${j}`);
        }
    const last = r.words.at(-1)!;
    assert.equal(last.text, ' unseenword'); // several BPE pieces, one word (with its leading space, as GPT-2 reads it)
    assert.ok(last.end - last.start > 1);
    g.dispose();
  });
});
