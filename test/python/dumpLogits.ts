// Writes what the Python checks compare against: our engine's logits for a text, from a Pretrain Lab
// or Hugging Face folder (BERT: MLM logits at every position and NSP logits of a sentence pair; GPT:
// next-token logits at every position). `random-gpt DIR` first writes a small random GPT folder to
// export, as no trained GPT ships with the project. Not part of the unit tests.
// Usage: node --import tsx test/python/dumpLogits.ts MODEL_DIR OUT.json "sentence a" ["sentence b"]
//        node --import tsx test/python/dumpLogits.ts random-gpt DIR
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { GptLm } from '../../src/engine/analysis/gptModel';
import { requireCapability } from '../../src/engine/analysis/loadedModel';
import type { BertPredictor } from '../../src/engine/analysis/predictMask';
import { initBackend } from '../../src/engine/backend';
import { saveGptCheckpoint, writeGptHeader } from '../../src/engine/checkpoint/gpt';
import { HfBertModel } from '../../src/engine/checkpoint/hf/bert';
import { openModel } from '../../src/engine/checkpoint/registry';
import { Gpt } from '../../src/engine/models/gpt';
import { BpeTokenizer, byteTokens } from '../../src/engine/tokenizer/bpe';

function randomGpt(dir: string): void {
  const merges: [string, string][] = [
    ['Ġ', 't'],
    ['h', 'e'],
    ['Ġt', 'he'],
  ];
  const tok = new BpeTokenizer(new Map([...byteTokens(), 'Ġt', 'he', 'Ġthe'].map((t, i) => [t, i])), merges);
  const gpt = {
    vocabSize: tok.size,
    hiddenSize: 64,
    numLayers: 3,
    numHeads: 4,
    intermediateSize: 256,
    maxPositions: 64,
    norm: 'pre' as const,
    dropout: 0.1,
    layerNormEps: 1e-5,
    initializerRange: 0.2,
  };
  writeGptHeader(
    dir,
    {
      format: 'pretrain-lab/gpt',
      formatVersion: 1,
      modelType: 'gpt',
      gpt,
      tokenizer: { type: 'byte-level-bpe', chinese: 'chars' },
      createdAt: new Date().toISOString(),
    },
    tok,
  );
  const model = new Gpt(gpt, { seed: 3 });
  saveGptCheckpoint(dir, [...model.params.keys()], {
    weights: model.params,
    state: { step: 1, totalSteps: 1, rngState: 1, options: {}, finished: true, savedAt: '' },
  });
  model.dispose();
}

async function run(): Promise<void> {
  const [dir, out, a, b] = process.argv.slice(2);
  await initBackend('cpu');
  if (dir === 'random-gpt') return randomGpt(out);
  const loaded = openModel(dir);
  if (loaded.kind === 'gpt' || loaded.kind === 'hf-gpt2') {
    const lm = requireCapability(loaded, 'generate') as GptLm;
    const ids = lm.tokenizer.encodeIds(a);
    const logits = tf.tidy(() => lm.model.logits(tf.tensor2d([ids], [1, ids.length], 'int32')));
    fs.writeFileSync(out, JSON.stringify({ input_ids: ids, logits: Array.from(logits.dataSync()) }));
    loaded.dispose();
    return;
  }
  const p = (loaded instanceof HfBertModel ? loaded.predictor : loaded) as BertPredictor;
  const v = p.vocab;
  const idsA = p.tok.ids(a);
  const idsB = b ? p.tok.ids(b) : [];
  const ids = [v.clsId, ...idsA, v.sepId, ...(b ? [...idsB, v.sepId] : [])];
  const types = ids.map((_, i) => (i < idsA.length + 2 ? 0 : 1));
  const T = ids.length;
  const [mlm, nsp] = tf.tidy(() => {
    const { hidden } = p.model.forward({
      inputIds: tf.tensor2d(ids, [1, T], 'int32'),
      segmentIds: tf.tensor2d(types, [1, T], 'int32'),
      attentionMask: tf.ones([1, T]) as tf.Tensor2D,
    });
    return [p.model.mlmLogits(hidden, tf.range(0, T, 1, 'int32') as tf.Tensor1D), p.model.nspLogits(hidden)];
  });
  fs.writeFileSync(
    out,
    JSON.stringify({
      input_ids: ids,
      token_type_ids: types,
      mlm_logits: Array.from(mlm.dataSync()),
      nsp_logits: Array.from(nsp.dataSync()),
    }),
  );
  loaded.dispose();
}

void run();
