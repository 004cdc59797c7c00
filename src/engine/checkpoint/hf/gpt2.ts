// A Hugging Face GPT-2 folder (kind `hf-gpt2`) read in place into our GPT (models/gpt.ts): config.json
// (model_type "gpt2"), model.safetensors (or shards) with GPT2Model / GPT2LMHeadModel names (with or
// without `transformer.`), and vocab.json + merges.txt or tokenizer.json, cut before BPE by GPT-2's own
// regex (ours puts each CJK ideograph alone, which a published GPT-2's merges do not expect). GPT-2's Conv1D stores its
// weight [in, out], as our dense kernels, so nothing is transposed; lm_head is tied to wte. The
// writer makes the same layout from our GPT (the tests' fixtures, and export of our GPT models).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import type { GptConfig, ModelSummary } from '../../../shared/configs';
import { l10n } from '../../../shared/l10nCore';
import { KINDS } from '../../../shared/modelKinds';
import { GptLm } from '../../analysis/gptModel';
import type { LoadedModel } from '../../analysis/loadedModel';
import { writeFileAtomic } from '../../io/atomic';
import { Gpt, gptParamCount, gptParamShapes } from '../../models/gpt';
import { type OnnxGpt, onnxGptTwin } from '../../onnx/gpt';
import { BpeTokenizer } from '../../tokenizer/bpe';
import { type LoadedVectors, WordVectors } from '../../word2vec/vectors';
import { ModelFolderError, readModelJson } from '../files';
import type { KindHandler } from '../registry';
import { openHfWeights } from './bertFolder';
import { type SafetensorsReader, SINGLE_FILE, type TensorToWrite, writeSafetensors } from './safetensors';

const int = (dflt: number) => v.optional(v.pipe(v.number(), v.integer()), dflt);
const HfGpt2ConfigSchema = v.looseObject({
  model_type: v.literal('gpt2'),
  vocab_size: int(50257),
  n_positions: int(1024),
  n_embd: int(768),
  n_layer: int(12),
  n_head: int(12),
  n_inner: v.optional(v.nullable(v.pipe(v.number(), v.integer()))),
  activation_function: v.optional(v.string(), 'gelu_new'),
  resid_pdrop: v.optional(v.number(), 0.1),
  layer_norm_epsilon: v.optional(v.number(), 1e-5),
  initializer_range: v.optional(v.number(), 0.02),
  scale_attn_by_inverse_layer_idx: v.optional(v.boolean(), false),
  add_cross_attention: v.optional(v.boolean(), false),
});

export function readHfGpt2Config(dir: string): GptConfig {
  const file = path.join(dir, 'config.json');
  const r = v.safeParse(HfGpt2ConfigSchema, readModelJson(file));
  if (!r.success) {
    const where = r.issues[0].path?.map((p) => p.key).join('.') ?? 'model_type';
    throw new ModelFolderError(
      l10n.t(
        '{0} is not a GPT-2 config ({1}: {2}); fix the field or download the folder again.',
        file,
        where,
        r.issues[0].message,
      ),
    );
  }
  const c = r.output;
  // our GPT runs GELU's tanh form, which is what GPT-2 calls gelu_new (and gelu_pytorch_tanh)
  if (c.activation_function !== 'gelu_new' && c.activation_function !== 'gelu_pytorch_tanh')
    throw new ModelFolderError(
      l10n.t(
        '{0} asks for the activation "{1}"; Pretrain Lab runs GPT-2 models with gelu_new only.',
        file,
        c.activation_function,
      ),
    );
  if (c.scale_attn_by_inverse_layer_idx || c.add_cross_attention)
    throw new ModelFolderError(
      l10n.t(
        "{0} turns on scale_attn_by_inverse_layer_idx or add_cross_attention, which Pretrain Lab's GPT does not have; pick a plain GPT-2.",
        file,
      ),
    );
  if (c.n_embd % c.n_head !== 0)
    throw new ModelFolderError(
      l10n.t(
        '{0} gives n_embd {1}, which does not divide by n_head {2}; fix config.json or download it again.',
        file,
        c.n_embd,
        c.n_head,
      ),
    );
  return {
    vocabSize: c.vocab_size,
    hiddenSize: c.n_embd,
    numLayers: c.n_layer,
    numHeads: c.n_head,
    intermediateSize: c.n_inner ?? 4 * c.n_embd,
    maxPositions: c.n_positions,
    norm: 'pre',
    dropout: c.resid_pdrop,
    layerNormEps: c.layer_norm_epsilon,
    initializerRange: c.initializer_range,
  };
}

const TokenizerJsonSchema = v.looseObject({
  model: v.looseObject({
    type: v.optional(v.string()),
    vocab: v.record(v.string(), v.number()),
    merges: v.array(v.union([v.string(), v.tuple([v.string(), v.string()])])),
  }),
});

/** vocab.json + merges.txt, or tokenizer.json's BPE model. */
export function readHfGpt2Tokenizer(dir: string): BpeTokenizer {
  const vocab = path.join(dir, 'vocab.json');
  const merges = path.join(dir, 'merges.txt');
  try {
    if (fs.existsSync(vocab) && fs.existsSync(merges))
      return BpeTokenizer.parse(fs.readFileSync(vocab, 'utf8'), fs.readFileSync(merges, 'utf8'), dir, 'gpt2');
    const json = path.join(dir, 'tokenizer.json');
    const r = fs.existsSync(json) ? v.safeParse(TokenizerJsonSchema, readModelJson(json)) : undefined;
    if (r?.success && (r.output.model.type ?? 'BPE') === 'BPE') {
      const m = r.output.model;
      const pairs = m.merges.map((x): [string, string] => {
        if (typeof x !== 'string') return x;
        const [a, b] = x.split(' ');
        return [a, b];
      });
      return new BpeTokenizer(new Map(Object.entries(m.vocab)), pairs, 'gpt2');
    }
  } catch (e) {
    if (e instanceof ModelFolderError) throw e;
    throw new ModelFolderError(`${dir}: ${(e as Error).message}`);
  }
  throw new ModelFolderError(
    l10n.t(
      "{0} has neither vocab.json + merges.txt nor a tokenizer.json with a BPE model; copy the tokenizer files from the model's repository into it.",
      dir,
    ),
  );
}

/** Our name → transformers' (Conv1D weights are [in, out] like our kernels: no transpose). */
export function hfGpt2NameOf(ours: string, prefix: string): string {
  if (ours === 'wte' || ours === 'wpe') return `${prefix}${ours}.weight`;
  const n = ours
    .replace(/\.kernel$/, '.weight')
    .replace(/\.gamma$/, '.weight')
    .replace(/\.beta$/, '.bias');
  return prefix + n;
}

function gpt2Prefix(r: SafetensorsReader, dir: string): string {
  if (r.has('transformer.wte.weight')) return 'transformer.';
  if (r.has('wte.weight')) return '';
  throw new ModelFolderError(
    l10n.t(
      '{0} has no wte.weight (with or without "transformer."), so it holds no GPT-2; pick a GPT-2 model folder.',
      dir,
    ),
  );
}

export function loadHfGpt2Weights(dir: string, config: GptConfig): Map<string, tf.Tensor> {
  const reader = openHfWeights(dir);
  const prefix = gpt2Prefix(reader, dir);
  return readMapped(reader, gptParamShapes(config), (n) => hfGpt2NameOf(n, prefix), dir);
}

function readMapped(
  reader: SafetensorsReader,
  shapes: [string, number[]][],
  nameOf: (ours: string) => string,
  dir: string,
): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  try {
    for (const [ours, shape] of shapes) {
      const name = nameOf(ours);
      reader.expect(name, shape, dir);
      out.set(ours, tf.tensor(reader.read(name).data, shape, 'float32'));
    }
  } catch (e) {
    for (const t of out.values()) t.dispose();
    throw e;
  }
  return out;
}

export function summariseHfGpt2(dir: string): ModelSummary {
  const gpt = readHfGpt2Config(dir);
  return {
    dir,
    type: 'gpt',
    preset: 'Hugging Face',
    config: gpt,
    vocabSize: gpt.vocabSize,
    parameters: gptParamCount(gpt),
    steps: 0,
  };
}

/** wte as a vector table, tokens as text; only that tensor is read. */
export function hfGpt2Vectors(dir: string): LoadedVectors {
  const reader = openHfWeights(dir);
  const tok = readHfGpt2Tokenizer(dir);
  const { shape, data } = reader.read(`${gpt2Prefix(reader, dir)}wte.weight`);
  const [V, C] = shape;
  const rows = Math.min(V, tok.size);
  const seen = new Set<string>();
  const words = Array.from({ length: rows }, (_, i) => {
    let w = tok.display(i);
    if (seen.has(w)) w = `${w}#${i}`;
    seen.add(w);
    return w;
  });
  return {
    vectors: new WordVectors(words, C, data.subarray(0, rows * C)),
    summary: { dir, type: 'word2vec', dim: C, vocabSize: rows, source: 'pretrain-lab' },
    kind: 'hf-gpt2',
    label: l10n.t('{0} token embeddings', KINDS['hf-gpt2'].label),
  };
}

/** A Hugging Face GPT-2 as the engine serves it: generation and its token embeddings. */
export class HfGpt2Model implements LoadedModel {
  readonly kind = 'hf-gpt2' as const;
  readonly capabilities = KINDS['hf-gpt2'].capabilities;
  readonly summary: ModelSummary;
  readonly languageModel: GptLm;
  private vectors?: LoadedVectors;
  private readonly onnx?: OnnxGpt; // decoding steps on ONNX Runtime when inference runs there

  constructor(readonly dir: string) {
    const config = readHfGpt2Config(dir);
    const tok = readHfGpt2Tokenizer(dir);
    if (tok.size !== config.vocabSize)
      throw new ModelFolderError(
        l10n.t(
          '{0} has {1} tokens in its tokenizer but config.json says vocab_size {2}; download the tokenizer files that belong to the model.',
          dir,
          tok.size,
          config.vocabSize,
        ),
      );
    const weights = loadHfGpt2Weights(dir, config);
    try {
      const model = new Gpt(config, { weights });
      this.onnx = onnxGptTwin(model);
      this.languageModel = new GptLm(model, tok, this.onnx);
    } finally {
      for (const t of weights.values()) t.dispose(); // the variables hold them
    }
    this.summary = summariseHfGpt2(dir);
  }

  get embeddings(): LoadedVectors {
    this.vectors ??= hfGpt2Vectors(this.dir);
    return this.vectors;
  }

  dispose(): void {
    this.onnx?.dispose();
    this.languageModel.model.dispose();
  }
}

/** Writes our GPT as a Hugging Face GPT2LMHeadModel folder (lm_head tied, so not written). */
export function writeHfGpt2(
  dir: string,
  m: { gpt: GptConfig; tokenizer: BpeTokenizer; weights: Map<string, tf.Tensor> },
  o: { prefix?: 'transformer.' | ''; dtype?: 'F32' | 'F16' | 'BF16' } = {},
): void {
  if (m.gpt.norm !== 'pre')
    throw new Error(
      l10n.t('This GPT uses post-LayerNorm (GPT-1); only pre-LayerNorm GPTs can be written as GPT-2.'),
    );
  fs.mkdirSync(dir, { recursive: true });
  const prefix = o.prefix ?? 'transformer.';
  const tensors: TensorToWrite[] = gptParamShapes(m.gpt).map(([ours, shape]) => {
    const t = m.weights.get(ours);
    if (!t) throw new Error(l10n.t('The model has no parameter {0} to export; export a complete GPT.', ours));
    return { name: hfGpt2NameOf(ours, prefix), shape, data: new Float32Array(t.dataSync() as Float32Array) };
  });
  writeSafetensors(path.join(dir, SINGLE_FILE), tensors, { dtype: o.dtype });
  const g = m.gpt;
  const config = {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: g.vocabSize,
    n_positions: g.maxPositions,
    n_ctx: g.maxPositions,
    n_embd: g.hiddenSize,
    n_layer: g.numLayers,
    n_head: g.numHeads,
    n_inner: g.intermediateSize,
    activation_function: 'gelu_new',
    resid_pdrop: g.dropout,
    embd_pdrop: g.dropout,
    attn_pdrop: g.dropout,
    layer_norm_epsilon: g.layerNormEps,
    initializer_range: g.initializerRange,
    bos_token_id: m.tokenizer.endOfTextId,
    eos_token_id: m.tokenizer.endOfTextId,
    torch_dtype: 'float32',
  };
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  m.tokenizer.save(dir, writeFileAtomic);
}

export const hfGpt2Handler: KindHandler<typeof writeHfGpt2> = {
  kind: 'hf-gpt2',
  load: (dir) => new HfGpt2Model(dir),
  summarise: summariseHfGpt2,
  vectors: hfGpt2Vectors,
  save: writeHfGpt2,
};
