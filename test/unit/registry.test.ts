// The model registry: which kind a folder is, a clear sentence for folders of another kind or format,
// capability errors that say what to do, the cache reloading a changed checkpoint, and the atomic
// folder swap leaving the last complete version when interrupted.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import { loadModelFolder } from '../../src/engine/checkpoint/bert';
import { openModel, summariseModel } from '../../src/engine/checkpoint/registry';
import { saveW2vCheckpoint, type W2vConfigFile, writeW2vHeader } from '../../src/engine/checkpoint/word2vec';
import { completeFolder, replaceFolderAtomic } from '../../src/engine/io/atomic';
import { ModelCache, openAnyModel } from '../../src/engine/modelCache';
import { EngineService } from '../../src/engine/service';
import { pretrainBert, withDefaults } from '../../src/engine/train/pretrainBert';
import { detectKind, kindsWith, missingCapabilityMessage } from '../../src/shared/modelKinds';
import type { RequestContext } from '../../src/shared/rpc';
import { backend, factCorpus, tmpDir } from './helpers';

const PREDICT_MASK_NEEDS =
  /"w2v" is a word2vec model \(.*\); Predict Mask needs a masked language model such as BERT: make one active in the Models view\./;

function w2vFolder(dir: string, scale = 1): string {
  const words = ['the', 'cat', 'sat'];
  const config: W2vConfigFile = {
    format: 'pretrain-lab/word2vec',
    formatVersion: 1,
    modelType: 'word2vec',
    options: { algo: 'skipgram', epochs: 1 },
    tokenizer: { tokenization: 'words', chinese: 'chars', lowercase: true },
    corpusWords: 3,
    dim: 2,
    vocabSize: 3,
    createdAt: new Date().toISOString(),
  };
  writeW2vHeader(dir, config, words, [3, 2, 1]);
  const syn0 = Float32Array.from([1, 0, 0.9, 0.1, -1, 0].map((x) => x * scale));
  saveW2vCheckpoint(dir, syn0, new Float32Array(6), {
    epochsDone: 1,
    epochs: 1,
    epochLosses: [0.5],
    finished: true,
    savedAt: new Date().toISOString(),
  });
  return dir;
}

const ctx: RequestContext = { id: 1, progress() {}, cancelled: false, onCancel() {} };

let bertDir: string;

before(async () => {
  await backend();
  bertDir = path.join(tmpDir(), 'bert');
  await pretrainBert(
    withDefaults({
      corpus: [factCorpus(tmpDir(), 12, 4)],
      outDir: bertDir,
      steps: 2,
      batchSize: 4,
      maxSeqLength: 32,
      vocabSize: 200,
      checkpointEvery: 2,
      logEvery: 1,
    }),
  );
});

describe('model kinds', () => {
  test('detectKind reads the kind from config.json alone', () => {
    assert.deepEqual(detectKind({ format: 'pretrain-lab/bert' }), {
      ok: true,
      kind: 'bert',
      format: 'pretrain-lab/bert',
      loadable: true,
      huggingFace: false,
    });
    const w = detectKind({ format: 'pretrain-lab/word2vec', dim: 2 });
    assert.ok(w.ok && w.kind === 'word2vec' && w.loadable);
    const hf = detectKind({ model_type: 'gpt2', architectures: ['GPT2LMHeadModel'] });
    assert.ok(hf.ok && hf.kind === 'hf-gpt2' && !hf.loadable && hf.huggingFace);
    const other = detectKind({ format: 'someone-else/v2' });
    assert.ok(!other.ok && /names the format "someone-else\/v2"/.test(other.problem));
    const foreign = detectKind({ model_type: 'llama' });
    assert.ok(!foreign.ok && foreign.huggingFace);
    assert.ok(!detectKind([1, 2]).ok);
    assert.ok(!detectKind({ hidden: 3 }).ok);
    assert.deepEqual(kindsWith('predictMask'), ['bert']);
    assert.deepEqual(kindsWith('embeddings').sort(), ['bert', 'word2vec']);
  });

  test('openModel loads each kind with its capabilities; summaries come from JSON alone', () => {
    const w = openModel(w2vFolder(path.join(tmpDir(), 'w2v')));
    assert.equal(w.kind, 'word2vec');
    assert.deepEqual([...w.capabilities], ['embeddings']);
    assert.equal(requireCapability(w, 'embeddings').vectors.neighbours('the', 1)[0].word, 'cat');
    w.dispose();
    const before = tf.memory().numTensors;
    const b = openModel(bertDir);
    assert.equal(b.kind, 'bert');
    assert.ok(b.capabilities.includes('predictMask') && b.capabilities.includes('attention'));
    assert.equal(
      requireCapability(b, 'predictMask').predictMasks('the capital of peru is [MASK].', 3).masks.length,
      1,
    );
    assert.equal(requireCapability(b, 'embeddings').vectors.dim, 128);
    b.dispose();
    assert.equal(tf.memory().numTensors, before, 'dispose frees the weights');
    const s = summariseModel(bertDir);
    assert.equal(s.type, 'bert');
    assert.equal(s.type === 'bert' && s.steps, 2);
    assert.equal(s.type === 'bert' && s.parameters, b.summary.type === 'bert' && b.summary.parameters);
    // a word-vector file is a model with the embeddings capability only
    const file = path.join(tmpDir(), 'tiny.vec');
    fs.writeFileSync(file, '2 2\na 1 0\nb 0 1\n');
    const v = openAnyModel(file);
    assert.deepEqual([v.kind, [...v.capabilities]], ['word2vec', ['embeddings']]);
    assert.throws(
      () => requireCapability(v, 'contextual'),
      /"tiny\.vec" is a word2vec model .*; the contextual-vectors view needs a contextual model such as BERT/,
    );
  });

  test('a folder of another kind or an unknown format gets one clear sentence', () => {
    const w = w2vFolder(path.join(tmpDir(), 'w2v'));
    assert.throws(
      () => loadModelFolder(w),
      /w2v is a word2vec model folder, not a BERT one; pick a BERT model/,
    );
    const unknown = path.join(tmpDir(), 'odd');
    fs.mkdirSync(unknown);
    fs.writeFileSync(path.join(unknown, 'config.json'), JSON.stringify({ format: 'acme/transformer' }));
    assert.throws(
      () => openModel(unknown),
      /odd cannot be opened: its config\.json names the format "acme\/transformer", which this version of Pretrain Lab does not know\.$/,
    );
    const gpt = path.join(tmpDir(), 'gpt');
    fs.mkdirSync(gpt);
    fs.writeFileSync(path.join(gpt, 'config.json'), JSON.stringify({ format: 'pretrain-lab/gpt' }));
    assert.throws(
      () => openModel(gpt),
      /gpt is a GPT model, which this version of Pretrain Lab cannot load yet/,
    );
    const hf = path.join(tmpDir(), 'hf');
    fs.mkdirSync(hf);
    fs.writeFileSync(path.join(hf, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    assert.throws(
      () => openModel(hf),
      /was not written by Pretrain Lab \(it looks like a Hugging Face model folder\)/,
    );
    assert.throws(
      () => openModel('/nonexistent/model'),
      /The model folder \/nonexistent\/model does not exist/,
    );
  });

  test('a model without a capability is refused with one sentence naming it, its kind and what to do', async () => {
    const w = openModel(w2vFolder(path.join(tmpDir(), 'w2v')));
    assert.throws(() => requireCapability(w, 'predictMask'), PREDICT_MASK_NEEDS);
    assert.throws(() => requireCapability(w, 'attention'), /Show Attention needs a Transformer such as BERT/);
    assert.match(missingCapabilityMessage('x', 'word2vec', 'contextual'), /^"x" is a word2vec model .*\.$/);
    // the same sentence comes back from the engine's handler
    const service = new EngineService('cpu');
    const dir = w2vFolder(path.join(tmpDir(), 'w2v'));
    await assert.rejects(
      service.handle({ type: 'predictMask', modelDir: dir, text: 'the [MASK]', topK: 3 }, ctx),
      PREDICT_MASK_NEEDS,
    );
    const info = (await service.handle({ type: 'describeModel', modelDir: dir }, ctx)) as {
      kind: string;
      capabilities: string[];
    };
    assert.equal(info.kind, 'word2vec');
    assert.deepEqual(info.capabilities, ['embeddings']);
    service.dispose();
  });

  test('the cache reloads a model whose checkpoint changed on disk, and disposes the old one', () => {
    const dir = w2vFolder(path.join(tmpDir(), 'w2v'));
    let disposed = 0;
    const cache = new ModelCache((p) => {
      const m = openModel(p);
      return Object.assign(Object.create(m) as typeof m, { dispose: () => disposed++ });
    });
    const a = cache.get(dir);
    assert.equal(cache.get(dir), a, 'unchanged: the same model');
    w2vFolder(dir, 2);
    const b = cache.get(dir);
    assert.notEqual(b, a, 'a new checkpoint is loaded');
    assert.equal(disposed, 1);
    assert.equal(requireCapability(b, 'embeddings').vectors.vectors[0], 2);
    cache.dispose();
    assert.equal(disposed, 2);
  });
});

describe('atomic folder swap', () => {
  const write = (d: string, text: string) => {
    fs.writeFileSync(path.join(d, 'data.txt'), text);
    fs.writeFileSync(path.join(d, 'done.json'), '{}');
  };
  const read = (parent: string) => {
    const d = completeFolder(parent, 'checkpoint', 'done.json');
    return d && fs.readFileSync(path.join(d, 'data.txt'), 'utf8');
  };

  test('an interrupted write keeps the last complete version', () => {
    const parent = tmpDir();
    replaceFolderAtomic(parent, 'checkpoint', (d) => write(d, 'one'));
    assert.equal(read(parent), 'one');
    assert.throws(() =>
      replaceFolderAtomic(parent, 'checkpoint', (d) => {
        fs.writeFileSync(path.join(d, 'data.txt'), 'two, half writ');
        throw new Error('disk full');
      }),
    );
    assert.equal(read(parent), 'one');
    assert.deepEqual(fs.readdirSync(parent), ['checkpoint'], 'no temporary folder is left');
  });

  test('a crash between the two renames leaves checkpoint.old, which is read and then replaced', () => {
    const parent = tmpDir();
    replaceFolderAtomic(parent, 'checkpoint', (d) => write(d, 'one'));
    // the state after `checkpoint → checkpoint.old` and before `checkpoint.tmp → checkpoint`
    fs.renameSync(path.join(parent, 'checkpoint'), path.join(parent, 'checkpoint.old'));
    fs.mkdirSync(path.join(parent, 'checkpoint.tmp-1'));
    fs.writeFileSync(path.join(parent, 'checkpoint.tmp-1', 'data.txt'), 'two');
    assert.equal(read(parent), 'one');
    replaceFolderAtomic(parent, 'checkpoint', (d) => write(d, 'three'));
    assert.equal(read(parent), 'three');
    assert.ok(!fs.existsSync(path.join(parent, 'checkpoint.old')));
  });
});
