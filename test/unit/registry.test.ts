// The model registry: which kind a folder is, a clear sentence for folders of another kind or format,
// capability errors that say what to do, the cache reloading a changed checkpoint, and the atomic
// folder swap leaving the last complete version when interrupted.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import { loadModelFolder } from '../../src/engine/checkpoint/bert';
import { openModel, summariseModel } from '../../src/engine/checkpoint/registry';
import { writeHalfWeights } from '../../src/engine/checkpoint/tensorFile';
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
    assert.ok(hf.ok && hf.kind === 'hf-gpt2' && hf.loadable && hf.huggingFace);
    const other = detectKind({ format: 'someone-else/v2' });
    assert.ok(!other.ok && /names the format "someone-else\/v2"/.test(other.problem));
    const foreign = detectKind({ model_type: 'llama' });
    assert.ok(!foreign.ok && foreign.huggingFace);
    assert.ok(!detectKind([1, 2]).ok);
    assert.ok(!detectKind({ hidden: 3 }).ok);
    assert.deepEqual(kindsWith('predictMask'), ['bert', 'hf-bert']);
    assert.deepEqual(kindsWith('embeddings').sort(), [
      'bert',
      'elmo',
      'gpt',
      'hf-bert',
      'hf-gpt2',
      'word2vec',
    ]);
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
      /odd\/config\.json names the format "acme\/transformer", which this version of Pretrain Lab does not know; update Pretrain Lab or pick another model\.$/,
    );
    const gpt = path.join(tmpDir(), 'gpt');
    fs.mkdirSync(gpt);
    fs.writeFileSync(path.join(gpt, 'config.json'), JSON.stringify({ format: 'pretrain-lab/gpt' }));
    assert.throws(() => openModel(gpt), /gpt\/config\.json is not a complete GPT model config/);
    const hf = path.join(tmpDir(), 'hf');
    fs.mkdirSync(hf);
    fs.writeFileSync(path.join(hf, 'config.json'), JSON.stringify({ model_type: 'bert' }));
    assert.throws(
      () => openModel(hf),
      /hf has no model\.safetensors \(nor model\.safetensors\.index\.json with its shards\); download the model's safetensors weights into it\.$/,
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

describe('a model folder gives a right answer or a sentence', () => {
  const copy = (src: string) => {
    const d = path.join(tmpDir(), 'model');
    fs.cpSync(src, d, { recursive: true });
    return d;
  };
  const file = (d: string, f: string) => path.join(d, 'checkpoint', f);
  const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>;
  const editJson = (f: string, edit: (j: Record<string, unknown>) => void) => {
    const j = readJson(f);
    edit(j);
    fs.writeFileSync(f, JSON.stringify(j));
  };
  const sha = (f: string) => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
  const predict = (d: string) => {
    const m = openModel(d);
    try {
      return requireCapability(m, 'predictMask').predictMasks('the capital of peru is [MASK].', 5);
    } finally {
      m.dispose();
    }
  };

  test('weight files carry a checksum; flipped bytes are refused naming the file', () => {
    const d = copy(bertDir);
    const sums = readJson(file(d, 'weights.json')).sha256 as Record<string, string>;
    assert.equal(sums['weights.bin'], sha(file(d, 'weights.bin')));
    const opt = readJson(file(d, 'optimizer.json')).sha256 as Record<string, string>;
    assert.equal(opt['optimizer_m.bin'], sha(file(d, 'optimizer_m.bin')));
    const bin = fs.readFileSync(file(d, 'weights.bin'));
    for (let i = 4096; i < 8192; i++) bin[i] ^= 0x5a;
    fs.writeFileSync(file(d, 'weights.bin'), bin);
    const before = tf.memory().numTensors;
    assert.throws(
      () => openModel(d),
      /weights\.bin does not match the checksum in its manifest .*; restore it from a copy or retrain the model\./,
    );
    assert.throws(() => loadModelFolder(d), /weights\.bin does not match/);
    assert.equal(tf.memory().numTensors, before, 'nothing is left allocated');
  });

  test('a damaged optimizer file is refused on resume, and the weights read before it are freed', () => {
    const d = copy(bertDir);
    const bin = fs.readFileSync(file(d, 'optimizer_v.bin'));
    bin[100] ^= 1;
    fs.writeFileSync(file(d, 'optimizer_v.bin'), bin);
    const before = tf.memory().numTensors;
    assert.throws(() => loadModelFolder(d, { withOptimizer: true }), /optimizer_v\.bin does not match/);
    assert.equal(tf.memory().numTensors, before);
  });

  test('NaN weights are refused, with or without a checksum', () => {
    const d = copy(bertDir);
    const bin = fs.readFileSync(file(d, 'weights.bin'));
    bin.writeFloatLE(Number.NaN, 400);
    fs.writeFileSync(file(d, 'weights.bin'), bin);
    editJson(file(d, 'weights.json'), (j) => {
      (j.sha256 as Record<string, string>)['weights.bin'] = sha(file(d, 'weights.bin'));
    });
    assert.throws(() => openModel(d), /weights\.bin holds a non-finite number \(NaN\) at value 100/);
    editJson(file(d, 'weights.json'), (j) => {
      delete j.sha256;
    });
    assert.throws(() => openModel(d), /non-finite/);
  });

  test('weights in half precision (writeHalfWeights) take half the bytes and answer as the float32 model does', () => {
    const d = copy(bertDir);
    for (const f of ['optimizer.json', 'optimizer_m.bin', 'optimizer_v.bin']) fs.rmSync(file(d, f));
    const before = fs.statSync(file(d, 'weights.bin')).size;
    const { bytes } = writeHalfWeights(path.join(d, 'checkpoint'), path.join(d, 'checkpoint'));
    assert.equal(bytes * 2, before);
    assert.equal(fs.statSync(file(d, 'weights.bin')).size * 2, before);
    assert.equal(readJson(file(d, 'weights.json')).dtype, 'float16');
    const [half, full] = [predict(d).masks, predict(bertDir).masks];
    assert.deepEqual(
      half.map((m) => m.candidates.map((c) => c.token)),
      full.map((m) => m.candidates.map((c) => c.token)),
      'the same words in the same order',
    );
    half.forEach((m, i) => {
      m.candidates.forEach((c, k) => {
        const want = full[i].candidates[k].probability;
        assert.ok(Math.abs(c.probability - want) < 0.01, `${c.token}: ${c.probability} vs ${want}`);
      });
    });
    // a damaged half-precision file still gets the sentence that names it
    fs.writeFileSync(file(d, 'weights.bin'), fs.readFileSync(file(d, 'weights.bin')).subarray(0, bytes - 2));
    assert.throws(
      () => openModel(d),
      /weights\.bin has \d+ bytes but its manifest needs \d+; the file is truncated/,
    );
  });

  test('a folder saved before checksums (no sha256 in its manifest) loads and answers the same', () => {
    const d = copy(bertDir);
    editJson(file(d, 'weights.json'), (j) => {
      delete j.sha256;
    });
    assert.deepEqual(predict(d), predict(bertDir));
    // the shipped starter model carries checksums
    const starter = path.join(__dirname, '..', '..', 'models', 'starter');
    const sums = readJson(file(starter, 'weights.json')).sha256 as Record<string, string>;
    assert.equal(sums['weights.bin'], sha(file(starter, 'weights.bin')));
  });

  test('a config that disagrees with the weights is refused in both directions', () => {
    // without the config checksum, as in a folder saved before checksums: the tensor check alone
    const layersTo = (n: number) => {
      const d = copy(bertDir);
      editJson(file(d, 'weights.json'), (j) => {
        delete (j.sha256 as Record<string, string>)['config.json (model fields)'];
      });
      editJson(path.join(d, 'config.json'), (j) => {
        (j.bert as Record<string, number>).numLayers = n;
      });
      return d;
    };
    assert.throws(
      () => openModel(layersTo(1)),
      /holds the tensor encoder\.layer_1\..*, which config\.json \(1 layer\) does not describe; the config and the weights disagree/,
    );
    assert.throws(
      () => openModel(layersTo(3)),
      /has no tensor encoder\.layer_2\..*, which config\.json \(3 layers\) needs/,
    );
    // with it, a change that keeps every shape (the number of heads) is refused too
    const d = copy(bertDir);
    editJson(path.join(d, 'config.json'), (j) => {
      (j.bert as Record<string, number>).numHeads = 4;
    });
    assert.throws(
      () => openModel(d),
      /config\.json describes another model than the one its weights were saved with/,
    );
  });

  test('an unknown extra tensor is refused with its name', () => {
    const d = copy(bertDir);
    const bin = fs.readFileSync(file(d, 'weights.bin'));
    fs.writeFileSync(file(d, 'weights.bin'), Buffer.concat([bin, Buffer.alloc(8)]));
    editJson(file(d, 'weights.json'), (j) => {
      (j.weights as unknown[]).push({ name: 'pooler.extra', shape: [2], offset: bin.length / 4 });
      (j.sha256 as Record<string, string>)['weights.bin'] = sha(file(d, 'weights.bin'));
    });
    assert.throws(
      () => openModel(d),
      /holds the tensor pooler\.extra, which config\.json \(2 layers\) does not describe/,
    );
  });

  test('a changed vocab.txt is refused: its tokens are the answers', () => {
    const d = copy(bertDir);
    const v = fs.readFileSync(path.join(d, 'vocab.txt'), 'utf8').split('\n');
    [v[10], v[11]] = [v[11], v[10]];
    fs.writeFileSync(path.join(d, 'vocab.txt'), v.join('\n'));
    assert.throws(() => openModel(d), /vocab\.txt does not match the checksum/);
    // line ends alone (a Windows checkout) are not a change
    const e = copy(bertDir);
    const text = fs.readFileSync(path.join(e, 'vocab.txt'), 'utf8');
    fs.writeFileSync(path.join(e, 'vocab.txt'), text.replace(/\n/g, '\r\n'));
    assert.deepEqual(predict(e), predict(bertDir));
  });

  test('word2vec weight files carry a checksum and refuse NaN', () => {
    const d = w2vFolder(path.join(tmpDir(), 'w2v'));
    const state = readJson(file(d, 'state.json'));
    assert.equal((state.sha256 as Record<string, string>)['syn0.f32'], sha(file(d, 'syn0.f32')));
    const syn0 = fs.readFileSync(file(d, 'syn0.f32'));
    syn0[3] ^= 0x40;
    fs.writeFileSync(file(d, 'syn0.f32'), syn0);
    assert.throws(() => openModel(d), /syn0\.f32 does not match the checksum in its manifest/);
    editJson(file(d, 'state.json'), (j) => {
      delete j.sha256;
    });
    syn0.writeFloatLE(Number.POSITIVE_INFINITY, 0);
    fs.writeFileSync(file(d, 'syn0.f32'), syn0);
    assert.throws(() => openModel(d), /syn0\.f32 holds a non-finite number \(Infinity\)/);
  });

  test('each wrong path gets the sentence of its actual cause', async () => {
    const f = path.join(tmpDir(), 'notes.md');
    fs.writeFileSync(f, '# notes\n');
    assert.throws(() => openAnyModel(f), /notes\.md is a file, not a model folder or a word-vector file/);
    const d = copy(bertDir);
    fs.rmSync(file(d, 'weights.bin'));
    fs.mkdirSync(file(d, 'weights.bin'));
    assert.throws(() => openModel(d), /weights\.bin is a folder, not a file; the model folder is damaged/);
    const empty = tmpDir();
    assert.throws(
      () => openAnyModel(empty),
      /is neither a model folder \(it has no config\.json\) nor holds vectors\.bin/,
    );
    // a word2vec folder given to Predict Mask names what it is, not "not written by Pretrain Lab"
    const service = new EngineService('cpu');
    await assert.rejects(
      service.handle(
        { type: 'predictMask', modelDir: w2vFolder(path.join(tmpDir(), 'w2v')), text: 'a [MASK]', topK: 3 },
        ctx,
      ),
      PREDICT_MASK_NEEDS,
    );
    service.dispose();
  });
});
