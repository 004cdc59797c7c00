// Hugging Face folders: the safetensors reader against files this test writes (dtypes, shards, header
// padding, damaged files refused in one sentence), BERT folders read in place with transformers' names
// (with and without `bert.`, with and without the masked-LM head), their tokenizer options, pickles
// refused, and the export → import round trip giving identical answers. No downloads: every
// checkpoint is made here from a tiny BERT of our own.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { computeAttention } from '../../src/engine/analysis/attention';
import type { GptLm } from '../../src/engine/analysis/gptModel';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import type { BertPredictor } from '../../src/engine/analysis/predictMask';
import { saveCheckpoint, writeModelHeader } from '../../src/engine/checkpoint/bert';
import { requireTask } from '../../src/engine/checkpoint/finetuned';
import { saveGptCheckpoint, writeGptHeader } from '../../src/engine/checkpoint/gpt';
import type { HfBertModel } from '../../src/engine/checkpoint/hf/bert';
import { readHfBertTokenizer } from '../../src/engine/checkpoint/hf/bertFolder';
import { type HfBertWriteOptions, writeHfBert } from '../../src/engine/checkpoint/hf/exportBert';
import { writeHfGpt2 } from '../../src/engine/checkpoint/hf/gpt2';
import {
  readSafetensorsHeader,
  SafetensorsReader,
  writeSafetensors,
} from '../../src/engine/checkpoint/hf/safetensors';
import { folderVectors, openModel, summariseModel } from '../../src/engine/checkpoint/registry';
import { main } from '../../src/engine/cli/main';
import { Bert } from '../../src/engine/models/bert';
import { Gpt } from '../../src/engine/models/gpt';
import { BpeTokenizer, byteTokens } from '../../src/engine/tokenizer/bpe';
import { SPECIAL_TOKENS, Vocab } from '../../src/engine/tokenizer/vocab';
import { WordPieceTokenizer } from '../../src/engine/tokenizer/wordpiece';
import { finetune, withFinetuneDefaults } from '../../src/engine/train/tasks/finetune';
import { hfTensorNames } from '../../src/extension/hfFolder';
import type { BertConfig, GptConfig } from '../../src/shared/configs';
import { HF_MLM_HEAD_TENSOR } from '../../src/shared/modelKinds';
import { backend, tmpDir } from './helpers';

before(async () => {
  await backend();
});

const WORDS = [
  'the',
  'capital',
  'of',
  'france',
  'is',
  'paris',
  'Hello',
  'hello',
  'world',
  'cafe',
  '北',
  '京',
  '北京',
  '##s',
  '.',
];
const VOCAB = new Vocab([...SPECIAL_TOKENS, ...WORDS]);
const CONFIG: BertConfig = {
  vocabSize: VOCAB.size,
  hiddenSize: 16,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 32,
  maxPositions: 32,
  typeVocabSize: 2,
  dropout: 0.1,
  layerNormEps: 1e-12,
  initializerRange: 0.5, // large weights: answers that differ clearly between positions
};
const TEXT = 'the capital of france is [MASK] .';

/** One of our BERT folders with random weights. */
function ourBert(dir: string, bert: BertConfig = CONFIG, seed = 7): string {
  writeModelHeader(
    dir,
    {
      format: 'pretrain-lab/bert',
      formatVersion: 1,
      modelType: 'bert',
      bert,
      tokenizer: { lowercase: true },
      createdAt: new Date().toISOString(),
    },
    VOCAB,
  );
  const model = new Bert(bert, { seed });
  saveCheckpoint(dir, [...model.params.keys()], {
    weights: model.params,
    state: { step: 1, totalSteps: 1, rngState: 1, options: {}, finished: true, savedAt: '' },
  });
  model.dispose();
  return dir;
}

/** A Hugging Face folder written from a BERT of ours, in memory. */
function hfFolder(
  dir: string,
  model: Bert,
  o: HfBertWriteOptions & {
    tokenizer?: { lowercase: boolean; stripAccents?: boolean; splitCjk?: boolean };
  } = {},
): string {
  writeHfBert(
    dir,
    {
      bert: model.config,
      tokenizer: o.tokenizer ?? { lowercase: true },
      vocab: VOCAB,
      weights: model.params,
    },
    o,
  );
  return dir;
}

/** Hidden states of the last layer for one sentence: [T·H]. */
function hidden(m: BertPredictor | HfBertModel, text = 'the capital of france is paris'): Float32Array {
  const enc = requireCapability(m, 'contextual');
  const ids = Int32Array.from([VOCAB.clsId, ...enc.tok.ids(text), VOCAB.sepId]);
  const h = enc.hiddenStates(ids, new Float32Array(ids.length).fill(1), 1, enc.numLayers);
  const out = h.dataSync() as Float32Array;
  h.dispose();
  return out;
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe('safetensors', () => {
  const values = Float32Array.from({ length: 24 }, (_, i) => (i - 11) * 0.37 + 1e-3);
  const tensors = [
    { name: 'a', shape: [2, 3, 4], data: values },
    { name: 'b.bias', shape: [3], data: Float32Array.of(1, -2.5, 65504) },
  ];

  test('F32 round-trips exactly; the data starts on an 8-byte boundary; F16 and BF16 come back as float32', () => {
    const dir = tmpDir();
    for (const dtype of ['F32', 'F16', 'BF16'] as const) {
      const f = path.join(dir, `${dtype}.safetensors`);
      writeSafetensors(f, tensors, { dtype });
      const n = Number(fs.readFileSync(f).readBigUInt64LE(0));
      assert.equal((8 + n) % 8, 0, 'header padded');
      const r = new SafetensorsReader([f]);
      assert.equal(r.metadata.format, 'pt');
      assert.deepEqual(
        readSafetensorsHeader(f).tensors.map((t) => [t.name, t.dtype, t.shape]),
        [
          ['a', dtype, [2, 3, 4]],
          ['b.bias', dtype, [3]],
        ],
      );
      const a = r.read('a');
      assert.deepEqual(a.shape, [2, 3, 4]);
      const tol = { F32: 0, F16: 1e-3, BF16: 8e-3 }[dtype];
      for (let i = 0; i < values.length; i++)
        assert.ok(Math.abs(a.data[i] - values[i]) <= tol * Math.abs(values[i]) + 1e-7, `${dtype} [${i}]`);
      assert.deepEqual([...r.read('b.bias').data].slice(0, 2), [1, -2.5]);
    }
  });

  test('damaged files are refused with one sentence naming the file, before anything is allocated', () => {
    const dir = tmpDir();
    const good = path.join(dir, 'good.safetensors');
    writeSafetensors(good, tensors);
    const bytes = fs.readFileSync(good);
    const write = (name: string, b: Buffer) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, b);
      return f;
    };
    const cut = write('cut.safetensors', bytes.subarray(0, bytes.length - 10));
    assert.throws(
      () => readSafetensorsHeader(cut),
      /cut\.safetensors is not a valid safetensors file \(b\.bias lies beyond the end of the file, which is truncated\); download or convert it again\.$/,
    );
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(10n * 2n ** 30n); // a header of 10 GB in a 16-byte file
    assert.throws(
      () => readSafetensorsHeader(write('huge.safetensors', huge)),
      /huge\.safetensors is not a valid safetensors file \(its header claims 10737418240 bytes but the file has 16\)/,
    );
    const header = (h: unknown, data = 0) => {
      const json = Buffer.from(JSON.stringify(h));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      return Buffer.concat([len, json, Buffer.alloc(data)]);
    };
    const beyond = write(
      'beyond.safetensors',
      header({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, 8),
    );
    assert.throws(() => new SafetensorsReader([beyond]), /beyond\.safetensors .*x lies beyond the end/);
    const wrong = write(
      'wrong.safetensors',
      header({ x: { dtype: 'F32', shape: [3], data_offsets: [0, 16] } }, 16),
    );
    assert.throws(() => readSafetensorsHeader(wrong), /x has 16 bytes but its shape \[3\] of F32 needs 12/);
    const overlap = write(
      'overlap.safetensors',
      header(
        {
          x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        12,
      ),
    );
    assert.throws(() => readSafetensorsHeader(overlap), /overlaps another tensor/);
    const notJson = Buffer.concat([Buffer.from([5, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{{{{{')]);
    assert.throws(() => readSafetensorsHeader(write('nj.safetensors', notJson)), /its header is not JSON/);
    const unknownType = write(
      'u.safetensors',
      header({ x: { dtype: 'Q4', shape: [2], data_offsets: [0, 2] } }, 2),
    );
    assert.throws(() => readSafetensorsHeader(unknownType), /x has the unknown dtype Q4/);
    const ints = write('i.safetensors', header({ x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, 8));
    assert.throws(
      () => new SafetensorsReader([ints]).read('x'),
      /stores x as I64; Pretrain Lab reads F32, F16 and BF16/,
    );
  });
});

describe('Hugging Face BERT folders', () => {
  let ours: BertPredictor;
  let model: Bert;
  let root: string;

  before(() => {
    root = tmpDir();
    const dir = ourBert(path.join(root, 'ours'));
    ours = openModel(dir) as BertPredictor;
    model = ours.model;
  });

  test('an F32 folder of BertForPreTraining loads through the registry and answers exactly as the original', () => {
    const dir = hfFolder(path.join(root, 'f32'), model);
    for (const f of ['config.json', 'model.safetensors', 'vocab.txt', 'tokenizer_config.json'])
      assert.ok(fs.existsSync(path.join(dir, f)), f);
    const before = tf.memory().numTensors;
    const m = openModel(dir);
    assert.equal(m.kind, 'hf-bert');
    assert.deepEqual([...m.capabilities], ['predictMask', 'attention', 'embeddings', 'contextual', 'layers']);
    assert.deepEqual(requireCapability(m, 'predictMask').predictMasks(TEXT, 5), ours.predictMasks(TEXT, 5));
    assert.equal(maxDiff(hidden(m as HfBertModel), hidden(ours)), 0);
    const vectors = requireCapability(m, 'embeddings').vectors;
    assert.deepEqual(vectors.words, [...VOCAB.tokens]);
    assert.equal(vectors.dim, CONFIG.hiddenSize);
    m.dispose();
    assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
    const s = summariseModel(dir);
    assert.equal(s.type, 'bert');
    assert.equal(s.parameters, model.parameterCount);
    assert.equal(folderVectors(dir).vectors.words.length, VOCAB.size);
  });

  test('F16, BF16 and sharded folders give the same answers (half precision within tolerance)', () => {
    const ref = hidden(ours);
    for (const [name, o, tol] of [
      ['f16', { dtype: 'F16' }, 0.02],
      ['bf16', { dtype: 'BF16' }, 0.15],
      ['sharded', { shards: 3 }, 0],
    ] as const) {
      const dir = hfFolder(path.join(root, name), model, o);
      const m = openModel(dir) as HfBertModel;
      const d = maxDiff(hidden(m), ref);
      assert.ok(d <= tol, `${name}: max |Δ| ${d} > ${tol}`);
      if (name === 'sharded') {
        assert.ok(fs.existsSync(path.join(dir, 'model.safetensors.index.json')));
        assert.ok(fs.existsSync(path.join(dir, 'model-00003-of-00003.safetensors')));
        assert.ok(!fs.existsSync(path.join(dir, 'model.safetensors')));
      } else {
        const top = (r: ReturnType<BertPredictor['predictMasks']>) => r.masks[0].candidates[0].token;
        assert.equal(
          top(requireCapability(m, 'predictMask').predictMasks(TEXT)),
          top(ours.predictMasks(TEXT)),
        );
      }
      m.dispose();
    }
  });

  test('names without `bert.` load; a BertModel without the MLM head serves attention and refuses Predict Mask', () => {
    const mlm = openModel(
      hfFolder(path.join(root, 'mlm'), model, { architecture: 'BertForMaskedLM', prefix: '' }),
    );
    assert.deepEqual(requireCapability(mlm, 'predictMask').predictMasks(TEXT), ours.predictMasks(TEXT));
    mlm.dispose();
    const dir = hfFolder(path.join(root, 'headless'), model, { architecture: 'BertModel', prefix: '' });
    const names = hfTensorNames(dir);
    assert.ok('names' in names && names.names.has('embeddings.word_embeddings.weight'));
    assert.ok(!names.names.has(HF_MLM_HEAD_TENSOR));
    const m = openModel(dir);
    assert.deepEqual([...m.capabilities], ['attention', 'embeddings', 'contextual', 'layers']);
    assert.throws(
      () => requireCapability(m, 'predictMask'),
      /^MissingCapabilityError: "headless" is a Hugging Face BERT saved without its masked-LM head \(cls\.predictions.*\), so it cannot fill \[MASK\]; Predict Mask needs a BERT with that head: make one active in the Models view\.$/,
    );
    const text = 'hello world [SEP] the capital of france';
    assert.deepEqual(computeAttention(requireCapability(m, 'attention'), text), computeAttention(ours, text));
    m.dispose();
  });

  test('hidden_act gelu_new and relu are honoured; another activation is refused by name', () => {
    for (const act of ['gelu_new', 'relu'] as const) {
      const cfg = { ...CONFIG, hiddenAct: act };
      const weights = new Map([...model.params].map(([n, p]) => [n, p as tf.Tensor]));
      const mine = new Bert(cfg, { weights });
      const dir = hfFolder(path.join(root, act), mine);
      assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')).hidden_act, act);
      const m = openModel(dir) as HfBertModel;
      assert.equal(m.predictor.model.config.hiddenAct, act);
      const ids = tf.tensor2d([[VOCAB.clsId, 5, 6, VOCAB.maskId, VOCAB.sepId]], [1, 5], 'int32');
      const run = (b: Bert) =>
        tf.tidy(() => {
          const inputs = {
            inputIds: ids,
            segmentIds: tf.zerosLike(ids) as tf.Tensor2D,
            attentionMask: tf.cast(tf.onesLike(ids), 'float32') as tf.Tensor2D,
          };
          return b.mlmLogits(b.forward(inputs).hidden, tf.tensor1d([3], 'int32')).dataSync() as Float32Array;
        });
      assert.equal(maxDiff(run(m.predictor.model), run(mine)), 0);
      assert.ok(maxDiff(run(mine), run(model)) > 1e-3, `${act} differs from gelu`);
      ids.dispose();
      mine.dispose();
      m.dispose();
    }
    const dir = hfFolder(path.join(root, 'swish'), model);
    const cfgFile = path.join(dir, 'config.json');
    fs.writeFileSync(
      cfgFile,
      JSON.stringify({ ...JSON.parse(fs.readFileSync(cfgFile, 'utf8')), hidden_act: 'swish' }),
    );
    assert.throws(
      () => openModel(dir),
      /asks for the activation "swish"; Pretrain Lab runs BERTs with gelu, gelu_new, relu only\.$/,
    );
  });

  test('bad folders: a shape disagreeing with config.json names the tensor; heads not dividing the width; truncated weights', () => {
    const dir = hfFolder(path.join(root, 'bad'), model);
    const cfgFile = path.join(dir, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, intermediate_size: 64 }));
    assert.throws(
      () => openModel(dir),
      /The tensor bert\.encoder\.layer\.0\.intermediate\.dense\.weight in model\.safetensors has shape \[32,16\] but config\.json needs \[64,16\]/,
    );
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, num_attention_heads: 3 }));
    assert.throws(
      () => openModel(dir),
      /config\.json gives hidden_size 16, which does not divide by num_attention_heads 3; fix config\.json or download it again\.$/,
    );
    fs.writeFileSync(cfgFile, JSON.stringify(cfg));
    const st = path.join(dir, 'model.safetensors');
    fs.truncateSync(st, fs.statSync(st).size - 100);
    assert.throws(
      () => openModel(dir),
      /model\.safetensors is not a valid safetensors file \(.* truncated\)/,
    );
  });

  test('a Hugging Face BERT without the MLM head is a fine-tuning base, frozen or not', async () => {
    const base = hfFolder(path.join(root, 'base'), model, {
      architecture: 'BertModel',
      tokenizer: { lowercase: false },
    });
    const lines = Array.from({ length: 24 }, (_, i) =>
      i % 2 ? 'hello world\tpos' : 'the capital\tneg',
    ).join('\n');
    const train = path.join(root, 'train.tsv');
    fs.writeFileSync(train, `${lines}\n`);
    for (const freeze of ['none', 'all'] as const) {
      const out = path.join(root, `ft-${freeze}`);
      const r = await finetune(
        withFinetuneDefaults({ task: 'classify', baseDir: base, train, outDir: out, epochs: 1, freeze }),
      );
      assert.equal(r.status, 'done');
      const cfg = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
      assert.equal(cfg.tokenizer.lowercase, false, 'the base tokenizer settings are kept');
      const m = openModel(out);
      const a = await requireTask(m, 'classify').classify('Hello world');
      assert.ok(['pos', 'neg'].includes(a.label));
      assert.equal(folderVectors(out).vectors.dim, CONFIG.hiddenSize);
      m.dispose();
    }
  });

  test('pickle-only folders are refused without being opened, with the conversion command', () => {
    const dir = path.join(root, 'pickle');
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'config.json'),
      JSON.stringify({ model_type: 'bert', architectures: ['BertForMaskedLM'] }),
    );
    fs.writeFileSync(path.join(dir, 'vocab.txt'), VOCAB.serialize());
    fs.writeFileSync(path.join(dir, 'pytorch_model.bin'), 'not a pickle: it must never be read');
    const sentence =
      /holds its weights only as pytorch_model\.bin, PyTorch pickle files that can run code when loaded, so Pretrain Lab never opens them; convert them once, where you trust the file, with: python3 -c "import torch; from safetensors\.torch import save_file; save_file\(.*torch\.load\('pytorch_model\.bin', map_location='cpu', weights_only=True\).*'model\.safetensors'\)"$/;
    assert.throws(() => openModel(dir), sentence);
    const t = hfTensorNames(dir);
    assert.ok('problem' in t && /can run code when loaded/.test(t.problem));
    fs.rmSync(path.join(dir, 'config.json'));
    fs.renameSync(path.join(dir, 'pytorch_model.bin'), path.join(dir, 'model.ckpt'));
    assert.throws(() => openModel(dir), /only as model\.ckpt, PyTorch pickle files that can run code/);
  });

  test('export-hf writes a BertForPreTraining folder that imports with identical answers', async () => {
    const out = path.join(root, 'exported');
    assert.equal(await main(['export-hf', '--model', ours.dir, '--out', out, '--backend', 'cpu']), 0);
    const cfg = JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8'));
    assert.deepEqual(cfg.architectures, ['BertForPreTraining']);
    assert.equal(cfg.model_type, 'bert');
    const names = new SafetensorsReader([path.join(out, 'model.safetensors')]);
    for (const n of [
      'bert.embeddings.word_embeddings.weight',
      'cls.predictions.bias',
      'cls.seq_relationship.weight',
    ])
      assert.ok(names.has(n), n);
    assert.deepEqual(names.tensors.get('bert.encoder.layer.0.attention.self.query.weight')?.shape, [16, 16]);
    assert.deepEqual(names.tensors.get('bert.encoder.layer.0.intermediate.dense.weight')?.shape, [32, 16]);
    const m = openModel(out);
    // reopened so that both run on the engine the CLI's --backend cpu chose (not ONNX Runtime)
    const same = openModel(ours.dir) as BertPredictor;
    assert.deepEqual(requireCapability(m, 'predictMask').predictMasks(TEXT, 5), same.predictMasks(TEXT, 5));
    assert.equal(maxDiff(hidden(m as HfBertModel), hidden(same)), 0);
    m.dispose();
    same.dispose();
    // the spelling, into the earlier export; a foreign non-empty folder is refused
    assert.equal(
      await main(['export', 'hf', '--model', ours.dir, '--out', out, '--dtype', 'F16', '--backend', 'cpu']),
      0,
    );
    assert.equal(
      new SafetensorsReader([path.join(out, 'model.safetensors')]).tensors.get('cls.predictions.bias')?.dtype,
      'F16',
    );
    assert.equal(
      await main(['export-hf', '--model', ours.dir, '--out', path.join(root, 'ours'), '--backend', 'cpu']),
      2,
    );
  });
});

describe('Hugging Face tokenizer settings', () => {
  test('do_lower_case, strip_accents and tokenize_chinese_chars change tokenization as transformers does', () => {
    const root = tmpDir();
    const model = new Bert(CONFIG, { seed: 1 });
    const tokens = (
      o: { lowercase: boolean; stripAccents?: boolean; splitCjk?: boolean },
      file: 'vocab.txt' | 'tokenizer.json',
      text: string,
    ) => {
      const dir = hfFolder(path.join(root, `${JSON.stringify(o)}${file}`), model, {
        tokenizer: o,
        tokenizerFile: file,
      });
      const t = readHfBertTokenizer(dir);
      return new WordPieceTokenizer(t.vocab, t.options).tokenize(text);
    };
    for (const file of ['vocab.txt', 'tokenizer.json'] as const) {
      assert.deepEqual(tokens({ lowercase: true }, file, 'Hello World'), ['hello', 'world']);
      assert.deepEqual(tokens({ lowercase: false }, file, 'Hello World'), ['Hello', '[UNK]']);
      assert.deepEqual(tokens({ lowercase: true }, file, 'Café'), ['cafe']);
      assert.deepEqual(tokens({ lowercase: true, stripAccents: false }, file, 'Café'), ['[UNK]']);
      assert.deepEqual(tokens({ lowercase: false, stripAccents: true }, file, 'cafés'), ['cafe', '##s']);
      assert.deepEqual(tokens({ lowercase: true }, file, '北京'), ['北', '京']);
      assert.deepEqual(tokens({ lowercase: true, splitCjk: false }, file, '北京'), ['北京']);
    }
    model.dispose();
  });

  test('the published bert-base-uncased and bert-base-chinese vocabularies load with their tokenizer configs', () => {
    const root = tmpDir();
    const published = '/work/shared/data/bert-vocab';
    const folder = (name: string, tc: unknown) => {
      const dir = path.join(root, name);
      fs.mkdirSync(dir);
      fs.copyFileSync(path.join(published, `${name}-vocab.txt`), path.join(dir, 'vocab.txt'));
      fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(tc));
      const t = readHfBertTokenizer(dir);
      return new WordPieceTokenizer(t.vocab, t.options);
    };
    const uncased = folder('bert-base-uncased', { do_lower_case: true });
    assert.equal(uncased.vocab.size, 30522);
    assert.deepEqual(uncased.ids('Hello World'), [7592, 2088]);
    const chinese = folder('bert-base-chinese', { do_lower_case: false });
    assert.equal(chinese.vocab.size, 21128);
    assert.deepEqual(chinese.tokenize('苏轼是北宋文[MASK]家'), [
      '苏',
      '轼',
      '是',
      '北',
      '宋',
      '文',
      '[MASK]',
      '家',
    ]);
    assert.deepEqual(chinese.ids('苏轼文').slice(0, 3), [5722, 6769, 3152]);
    assert.equal(chinese.vocab.maskId, 103);
  });
});

describe('Hugging Face GPT-2 folders', () => {
  const merges: [string, string][] = [
    ['h', 'e'],
    ['l', 'l'],
    ['he', 'll'],
    ['Ġ', 'w'],
  ];
  const tok = new BpeTokenizer(
    new Map([...byteTokens(), 'he', 'll', 'hell', 'Ġw'].map((t, i) => [t, i])),
    merges,
  );
  const GPT: GptConfig = {
    vocabSize: tok.size,
    hiddenSize: 16,
    numLayers: 2,
    numHeads: 2,
    intermediateSize: 64,
    maxPositions: 32,
    norm: 'pre',
    dropout: 0.1,
    layerNormEps: 1e-5,
    initializerRange: 0.5,
  };
  const TEXT_GPT = 'hello world, 你好';
  const logits = (g: Gpt) =>
    tf.tidy(
      () => g.logits(tf.tensor2d([tok.encodeIds(TEXT_GPT)], undefined, 'int32')).dataSync() as Float32Array,
    );

  test('GPT2LMHeadModel and GPT2Model names (Conv1D [in, out]) load into our GPT with identical logits', () => {
    const root = tmpDir();
    const model = new Gpt(GPT, { seed: 5 });
    const ref = logits(model);
    for (const [name, o, tol] of [
      ['lmhead', { prefix: 'transformer.' }, 0],
      ['base', { prefix: '' }, 0],
      ['bf16', { dtype: 'BF16' }, 0.5],
    ] as const) {
      const dir = path.join(root, name);
      writeHfGpt2(dir, { gpt: GPT, tokenizer: tok, weights: model.params }, o);
      const before = tf.memory().numTensors;
      const m = openModel(dir);
      assert.equal(m.kind, 'hf-gpt2');
      assert.deepEqual([...m.capabilities], ['generate', 'embeddings']);
      const lm = requireCapability(m, 'generate') as GptLm;
      assert.ok(maxDiff(logits(lm.model), ref) <= tol, name);
      assert.equal(
        lm.tokenizer.decode(lm.tokenizer.encodeIds(TEXT_GPT)),
        TEXT_GPT,
        'byte-level BPE round-trips',
      );
      assert.deepEqual(
        lm.tokenizer.encode('hello').map((t) => t.text),
        ['hell', 'o'],
      );
      // GPT-2's own pre-tokenizer: a run of ideographs is one piece, as transformers cuts it
      assert.equal(lm.tokenizer.preTokenizer, 'gpt2');
      assert.equal(requireCapability(m, 'embeddings').vectors.dim, 16);
      m.dispose();
      assert.equal(tf.memory().numTensors, before);
    }
    // tokenizer.json instead of vocab.json + merges.txt
    const dir = path.join(root, 'lmhead');
    const vocab = JSON.parse(fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8'));
    fs.rmSync(path.join(dir, 'vocab.json'));
    fs.rmSync(path.join(dir, 'merges.txt'));
    fs.writeFileSync(
      path.join(dir, 'tokenizer.json'),
      JSON.stringify({ model: { type: 'BPE', vocab, merges: merges.map((p) => p.join(' ')) } }),
    );
    const m = openModel(dir);
    assert.equal(maxDiff(logits((requireCapability(m, 'generate') as GptLm).model), ref), 0);
    m.dispose();
    const cfgFile = path.join(dir, 'config.json');
    const cfg = JSON.parse(fs.readFileSync(cfgFile, 'utf8'));
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, activation_function: 'relu' }));
    assert.throws(
      () => openModel(dir),
      /asks for the activation "relu"; Pretrain Lab runs GPT-2 models with gelu_new only\.$/,
    );
    fs.writeFileSync(cfgFile, JSON.stringify({ ...cfg, n_inner: 32 }));
    assert.throws(
      () => openModel(dir),
      /The tensor transformer\.h\.0\.mlp\.c_fc\.weight in model\.safetensors has shape \[16,64\] but config\.json needs \[16,32\]/,
    );
    model.dispose();
  });

  test('export-hf writes our GPT as a GPT2LMHeadModel folder that imports with identical logits', async () => {
    const root = tmpDir();
    const ours = path.join(root, 'gpt');
    writeGptHeader(
      ours,
      {
        format: 'pretrain-lab/gpt',
        formatVersion: 1,
        modelType: 'gpt',
        gpt: GPT,
        tokenizer: { type: 'byte-level-bpe', chinese: 'chars' },
        createdAt: new Date().toISOString(),
      },
      tok,
    );
    const model = new Gpt(GPT, { seed: 9 });
    saveGptCheckpoint(ours, [...model.params.keys()], {
      weights: model.params,
      state: { step: 1, totalSteps: 1, rngState: 1, options: {}, finished: true, savedAt: '' },
    });
    const out = path.join(root, 'hf');
    assert.equal(await main(['export-hf', '--model', ours, '--out', out, '--backend', 'cpu']), 0);
    assert.deepEqual(JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')).architectures, [
      'GPT2LMHeadModel',
    ]);
    const m = openModel(out);
    assert.equal(maxDiff(logits((requireCapability(m, 'generate') as GptLm).model), logits(model)), 0);
    m.dispose();
    model.dispose();
  });
});
