// Damaged model folders and vector files never give a silent wrong answer: random bytes, random
// truncations and flipped bytes in each file of a tiny BERT folder, and random bytes and truncations of
// each vector format, are either refused with one sentence (a ModelFolderError or VectorFileError, not
// a TypeError or RangeError) or load to exactly the original answers. Deterministic (seeded).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import { loadModelFolder, saveCheckpoint, writeModelHeader } from '../../src/engine/checkpoint/bert';
import { openAnyModel } from '../../src/engine/modelCache';
import { Bert } from '../../src/engine/models/bert';
import { SPECIAL_TOKENS, Vocab } from '../../src/engine/tokenizer/vocab';
import {
  loadVectors,
  writeProjector,
  writeWord2vecBinary,
  writeWord2vecText,
} from '../../src/engine/word2vec/formats';
import { WordVectors } from '../../src/engine/word2vec/vectors';
import type { BertConfig } from '../../src/shared/configs';
import { backend, tmpDir } from './helpers';

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = 'the cat sat on a mat capital of peru is lima paris france dog ran far ##s ##ing'.split(' ');
const TEXTS = ['the capital of peru is [MASK].', 'the [MASK] sat on the mat.'];

function tinyBert(dir: string): void {
  const vocab = new Vocab([...SPECIAL_TOKENS, ...WORDS]);
  const bert: BertConfig = {
    vocabSize: vocab.size,
    hiddenSize: 8,
    numLayers: 2,
    numHeads: 2,
    intermediateSize: 16,
    maxPositions: 16,
    typeVocabSize: 2,
    dropout: 0.1,
    layerNormEps: 1e-12,
    initializerRange: 0.5,
  };
  writeModelHeader(
    dir,
    {
      format: 'pretrain-lab/bert',
      formatVersion: 1,
      modelType: 'bert',
      preset: 'tiny',
      bert,
      tokenizer: { lowercase: true },
      createdAt: '2026-01-01T00:00:00.000Z',
    },
    vocab,
  );
  const model = new Bert(bert);
  const names = [...model.params.keys()];
  const m = new Map([...model.params].map(([n, t]) => [n, tf.randomNormal(t.shape, 0, 0.01, 'float32', 1)]));
  const v = new Map([...model.params].map(([n, t]) => [n, tf.randomUniform(t.shape, 0, 0.01, 'float32', 2)]));
  const state = {
    step: 3,
    totalSteps: 10,
    rngState: 1,
    options: {},
    finished: false,
    savedAt: '2026-01-01T00:00:00.000Z',
  };
  saveCheckpoint(dir, names, { weights: model.params, m, v, state });
  fs.appendFileSync(
    path.join(dir, 'metrics.jsonl'),
    `${JSON.stringify({ step: 3, totalSteps: 10, mlmLoss: 5 })}\n`,
  );
  model.dispose();
  for (const t of [...m.values(), ...v.values()]) t.dispose();
}

/** What a person sees from a BERT folder: predictions, the embedding table, the optimizer state. */
function bertAnswers(dir: string): unknown {
  const model = openAnyModel(dir);
  try {
    const mlm = requireCapability(model, 'predictMask');
    const table = requireCapability(model, 'embeddings').vectors;
    const loaded = loadModelFolder(dir, { withOptimizer: true });
    try {
      const opt = loaded.optimizer
        ? [...loaded.optimizer.m.values()].map((t) => Array.from(t.dataSync()))
        : [];
      return {
        predictions: TEXTS.map((t) => mlm.predictMasks(t, 5)),
        words: table.words,
        table: Array.from(table.vectors),
        opt,
      };
    } finally {
      for (const t of loaded.weights.values()) t.dispose();
      if (loaded.optimizer)
        for (const t of [...loaded.optimizer.m.values(), ...loaded.optimizer.v.values()]) t.dispose();
    }
  } finally {
    model.dispose();
  }
}

function vectorAnswers(file: string): unknown {
  const v = loadVectors(file).vectors;
  return { words: v.words, dim: v.dim, vectors: Array.from(v.vectors) };
}

type Mutation = (bytes: Buffer, r: () => number) => Buffer;
const randomBytes: Mutation = (b, r) => {
  const out = Buffer.alloc(Math.floor(r() * Math.max(64, b.length * 1.5)));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(r() * 256);
  return out;
};
const truncate: Mutation = (b, r) => b.subarray(0, Math.floor(r() * b.length));
const flip: Mutation = (b, r) => {
  const out = Buffer.from(b);
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n && out.length > 0; i++) out[Math.floor(r() * out.length)] ^= 1 << Math.floor(r() * 8);
  return out;
};

const SENTENCE_ERRORS = new Set(['ModelFolderError', 'VectorFileError']);

/** Applies mutations to each file in turn; every outcome is a sentence or the original answers. */
function fuzz(
  files: string[],
  mutations: [string, Mutation][],
  cases: number,
  answers: () => unknown,
  seed: number,
): { refused: number; same: number } {
  const r = rng(seed);
  const original = answers();
  const counts = { refused: 0, same: 0 };
  for (const file of files) {
    const bytes = fs.readFileSync(file);
    for (const [name, mutate] of mutations) {
      for (let c = 0; c < cases; c++) {
        fs.writeFileSync(file, mutate(bytes, r));
        const what = `${name} #${c} of ${path.basename(file)} (seed ${seed})`;
        let got: unknown;
        try {
          got = answers();
        } catch (e) {
          assert.ok(e instanceof Error, `${what}: threw a non-Error`);
          assert.ok(SENTENCE_ERRORS.has(e.name), `${what}: ${e.name}: ${e.message}`);
          assert.match(e.message, /^[^\n]+\.$/, `${what}: not one sentence`);
          counts.refused++;
          continue;
        } finally {
          fs.writeFileSync(file, bytes);
        }
        assert.deepEqual(got, original, `${what}: loaded with a different answer`);
        counts.same++;
      }
    }
  }
  if (process.env.FUZZ_DEBUG) console.log(seed, files.map((f) => path.basename(f)).join(','), counts);
  return counts;
}

before(async () => {
  await backend();
});

describe('fuzzed model folders and vector files', () => {
  test('each file of a BERT folder: random bytes, truncations and flipped bytes', () => {
    const dir = path.join(tmpDir(), 'bert');
    tinyBert(dir);
    const ck = (f: string) => path.join(dir, 'checkpoint', f);
    const files = [
      path.join(dir, 'config.json'),
      path.join(dir, 'vocab.txt'),
      path.join(dir, 'metrics.jsonl'),
      ck('weights.json'),
      ck('weights.bin'),
      ck('optimizer.json'),
      ck('optimizer_m.bin'),
      ck('optimizer_v.bin'),
      ck('trainer_state.json'),
    ];
    const before = tf.memory().numTensors;
    const t0 = Date.now();
    const n = fuzz(
      files,
      [
        ['random bytes', randomBytes],
        ['truncation', truncate],
        ['flipped bytes', flip],
      ],
      8,
      () => bertAnswers(dir),
      10,
    );
    assert.equal(n.refused + n.same, files.length * 3 * 8);
    assert.ok(n.refused > n.same / 2, `most damage is refused (${n.refused} refused, ${n.same} same)`);
    assert.equal(tf.memory().numTensors, before, 'refused loads free what they read');
    assert.ok(Date.now() - t0 < 30_000);
  });

  test('each vector format: random bytes and truncations', () => {
    const r = rng(7);
    const words = Array.from({ length: 40 }, (_, i) => `w${i}`);
    const vecs = Float32Array.from({ length: 40 * 5 }, () => r() * 2 - 1);
    const v = new WordVectors(
      words,
      5,
      vecs,
      Float64Array.from(words, (_, i) => 100 - i),
    );
    const dir = tmpDir();
    const text = path.join(dir, 'vectors.txt');
    const bin = path.join(dir, 'vectors.bin');
    writeWord2vecText(text, v);
    writeWord2vecBinary(bin, v);
    const tsv = writeProjector(path.join(dir, 'projector'), v);
    const mutations: [string, Mutation][] = [
      ['random bytes', randomBytes],
      ['truncation', truncate],
    ];
    for (const [files, load] of [
      [[text], () => vectorAnswers(text)],
      [[bin], () => vectorAnswers(bin)],
      [[tsv.vectors, tsv.metadata], () => vectorAnswers(tsv.vectors)],
    ] as [string[], () => unknown][]) {
      const n = fuzz(files, mutations, 25, load, 20);
      assert.ok(n.refused > 0);
    }
  });
});
