// A Hugging Face BERT folder read in place: config.json (model_type "bert"), model.safetensors (or its
// shards), and the tokenizer from vocab.txt + tokenizer_config.json or from tokenizer.json. The weights
// become our BERT's parameters by name (bertNames.ts); a checkpoint without the masked-LM head
// (BertModel) still gives the encoder, and the decoder is always the word embedding (tied, as
// transformers ties it). PyTorch pickle files are never opened: they can run code when loaded.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import type { BertConfig } from '../../../shared/configs';
import { noSafetensorsMessage } from '../../../shared/hfFolder';
import { l10n } from '../../../shared/l10nCore';
import { BERT_FORMAT } from '../../../shared/modelKinds';
import { validateBertConfig } from '../../models/bert';
import type { ParamShapes } from '../../models/layers';
import { Vocab } from '../../tokenizer/vocab';
import type { BertFolder, ModelConfigFile } from '../bert';
import { ModelFolderError, readModelJson } from '../files';
import { bertParts, hfNameOf, hfShape, transpose2d } from './bertNames';
import { SafetensorsReader, safetensorsFiles } from './safetensors';

const int = (dflt: number) => v.optional(v.pipe(v.number(), v.integer()), dflt);
const HfBertConfigSchema = v.looseObject({
  model_type: v.literal('bert'),
  vocab_size: int(30522),
  hidden_size: int(768),
  num_hidden_layers: int(12),
  num_attention_heads: int(12),
  intermediate_size: int(3072),
  hidden_act: v.optional(v.string(), 'gelu'),
  hidden_dropout_prob: v.optional(v.number(), 0.1),
  max_position_embeddings: int(512),
  type_vocab_size: int(2),
  initializer_range: v.optional(v.number(), 0.02),
  layer_norm_eps: v.optional(v.number(), 1e-12),
  position_embedding_type: v.optional(v.string(), 'absolute'),
  tie_word_embeddings: v.optional(v.boolean(), true),
});

export const HF_ACTIVATIONS = ['gelu', 'gelu_new', 'relu'] as const;

/** config.json of a Hugging Face BERT as our BertConfig, or one sentence naming what is wrong. */
export function readHfBertConfig(dir: string): BertConfig {
  const file = path.join(dir, 'config.json');
  const r = v.safeParse(HfBertConfigSchema, readModelJson(file));
  if (!r.success) {
    const where = r.issues[0].path?.map((p) => p.key).join('.') ?? 'model_type';
    throw new ModelFolderError(
      l10n.t(
        '{0} is not a BERT config ({1}: {2}); fix the field or download the folder again.',
        file,
        where,
        r.issues[0].message,
      ),
    );
  }
  const c = r.output;
  if (c.num_attention_heads > 0 && c.hidden_size % c.num_attention_heads !== 0)
    throw new ModelFolderError(
      l10n.t(
        '{0} gives hidden_size {1}, which does not divide by num_attention_heads {2}; fix config.json or download it again.',
        file,
        c.hidden_size,
        c.num_attention_heads,
      ),
    );
  const act = HF_ACTIVATIONS.find((a) => a === c.hidden_act);
  if (!act)
    throw new ModelFolderError(
      l10n.t(
        '{0} asks for the activation "{1}"; Pretrain Lab runs BERTs with {2} only.',
        file,
        c.hidden_act,
        HF_ACTIVATIONS.join(', '),
      ),
    );
  if (c.position_embedding_type !== 'absolute')
    throw new ModelFolderError(
      l10n.t(
        '{0} uses "{1}" position embeddings; Pretrain Lab runs BERTs with absolute ones only.',
        file,
        c.position_embedding_type,
      ),
    );
  if (!c.tie_word_embeddings)
    throw new ModelFolderError(
      l10n.t(
        "{0} unties the masked-LM decoder from the word embeddings; Pretrain Lab runs BERTs whose decoder is tied, as BERT's is.",
        file,
      ),
    );
  const bert: BertConfig = {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    intermediateSize: c.intermediate_size,
    maxPositions: c.max_position_embeddings,
    typeVocabSize: c.type_vocab_size,
    dropout: c.hidden_dropout_prob,
    layerNormEps: c.layer_norm_eps,
    initializerRange: c.initializer_range,
    hiddenAct: act,
  };
  try {
    validateBertConfig(bert);
  } catch (e) {
    throw new ModelFolderError(
      l10n.t(
        '{0} cannot describe a BERT ({1}); fix config.json.',
        file,
        (e as Error).message.replace(/^BERT config: |\.$/g, ''),
      ),
    );
  }
  return bert;
}

// ---- tokenizer ----

const TokenizerConfigSchema = v.looseObject({
  do_lower_case: v.optional(v.boolean()),
  tokenize_chinese_chars: v.optional(v.boolean()),
  strip_accents: v.optional(v.nullable(v.boolean())),
});
const TokenizerJsonSchema = v.looseObject({
  model: v.looseObject({ type: v.optional(v.string()), vocab: v.record(v.string(), v.number()) }),
  normalizer: v.optional(
    v.nullable(
      v.looseObject({
        type: v.optional(v.string()),
        lowercase: v.optional(v.boolean()),
        strip_accents: v.optional(v.nullable(v.boolean())),
        handle_chinese_chars: v.optional(v.boolean()),
      }),
    ),
  ),
});

export type HfTokenizerOptions = ModelConfigFile['tokenizer'];

function readJsonIf(file: string): unknown {
  return fs.existsSync(file) ? readModelJson(file) : undefined;
}

/**
 * The vocabulary and tokenizer options, as transformers' BertTokenizer(Fast) reads them: vocab.txt or
 * tokenizer.json's WordPiece vocab; do_lower_case (default true), strip_accents (default: as
 * lowercase) and tokenize_chinese_chars (default true) from tokenizer_config.json, else from
 * tokenizer.json's BertNormalizer.
 */
export function readHfBertTokenizer(dir: string): { vocab: Vocab; options: HfTokenizerOptions } {
  const vocabFile = path.join(dir, 'vocab.txt');
  const jsonFile = path.join(dir, 'tokenizer.json');
  const tj = v.safeParse(TokenizerJsonSchema, readJsonIf(jsonFile));
  const norm = tj.success ? tj.output.normalizer : undefined;
  let tokens: string[];
  if (fs.existsSync(vocabFile)) {
    tokens = Vocab.parse(fs.readFileSync(vocabFile, 'utf8'), vocabFile).tokens.slice();
  } else if (tj.success && (tj.output.model.type ?? 'WordPiece') === 'WordPiece') {
    tokens = [];
    for (const [t, id] of Object.entries(tj.output.model.vocab)) tokens[id] = t;
    const hole = Array.from(tokens, (t) => t === undefined).indexOf(true); // ids nobody names
    if (hole >= 0 || tokens.length === 0)
      throw new ModelFolderError(
        l10n.t(
          '{0} has no token with id {1}; download the tokenizer files again.',
          jsonFile,
          Math.max(hole, 0),
        ),
      );
  } else
    throw new ModelFolderError(
      l10n.t(
        "{0} has no vocab.txt and no tokenizer.json with a WordPiece vocabulary; copy the tokenizer files from the model's repository into it.",
        dir,
      ),
    );
  const tcRaw = readJsonIf(path.join(dir, 'tokenizer_config.json'));
  const tc = v.safeParse(TokenizerConfigSchema, tcRaw ?? {});
  const t = tc.success ? tc.output : {};
  const lowercase = t.do_lower_case ?? norm?.lowercase ?? true;
  const strip = t.strip_accents !== undefined ? t.strip_accents : norm?.strip_accents;
  const options: HfTokenizerOptions = {
    lowercase,
    stripAccents: strip ?? lowercase,
    splitCjk: t.tokenize_chinese_chars ?? norm?.handle_chinese_chars ?? true,
  };
  try {
    return { vocab: new Vocab(tokens), options };
  } catch (e) {
    throw new ModelFolderError(`${dir}: ${(e as Error).message}`);
  }
}

// ---- weights ----

export function openHfWeights(dir: string): SafetensorsReader {
  const files = safetensorsFiles(dir);
  if (files.length === 0) throw new ModelFolderError(noSafetensorsMessage(dir, fs.readdirSync(dir)));
  return new SafetensorsReader(files);
}

/** 'bert.' when the encoder is saved under a task model (BertForMaskedLM, BertForPreTraining), else ''. */
export function encoderPrefix(reader: SafetensorsReader, dir: string): string {
  if (reader.has('bert.embeddings.word_embeddings.weight')) return 'bert.';
  if (reader.has('embeddings.word_embeddings.weight')) return '';
  throw new ModelFolderError(
    l10n.t(
      '{0} has no embeddings.word_embeddings.weight (with or without "bert."), so it holds no BERT encoder; pick a BERT model folder.',
      dir,
    ),
  );
}

/** Which of a head's tensors the checkpoint holds: all, none, or (damaged) some, named. */
function headPresence(reader: SafetensorsReader, shapes: ParamShapes, prefix: string): boolean {
  const found = shapes.map(([n]) => hfNameOf(n, prefix).names.some((x) => reader.has(x)));
  if (found.every(Boolean)) return true;
  if (!found.some(Boolean)) return false;
  const missing = shapes[found.indexOf(false)][0];
  throw new ModelFolderError(
    l10n.t(
      'The checkpoint has part of a head but not {0}; download the model again.',
      hfNameOf(missing, prefix).names[0],
    ),
  );
}

/** One tensor our BERT takes from the checkpoint: its name there, our shape, stored [out, in] or not. */
export interface HfTensor {
  ours: string;
  name: string;
  shape: number[]; // ours ([in, out] for a dense kernel)
  transpose: boolean;
}

/** What the checkpoint holds for our BERT, every shape checked; nothing read yet. */
export interface HfBertPlan {
  reader: SafetensorsReader;
  tensors: HfTensor[]; // heads absent from the checkpoint are absent here
  hasMlm: boolean;
  hasNsp: boolean;
}

/** Finds the tensors our BERT needs, checking each shape against config.json (the tensor is named). */
export function planHfBertWeights(dir: string, config: BertConfig): HfBertPlan {
  const reader = openHfWeights(dir);
  const prefix = encoderPrefix(reader, dir);
  const parts = bertParts(config);
  const hasMlm = headPresence(reader, parts.mlm, prefix);
  const hasNsp = headPresence(reader, parts.nsp, prefix);
  const wanted = [...parts.encoder, ...(hasMlm ? parts.mlm : []), ...(hasNsp ? parts.nsp : [])];
  // the pooler is absent from BertForMaskedLM: it stays random, as transformers leaves it
  const present = wanted.filter(([n]) =>
    n.startsWith('pooler.') ? hfNameOf(n, prefix).names.some((x) => reader.has(x)) : true,
  );
  const bytes = present.reduce((s, [, shape]) => s + 4 * shape.reduce((a, b) => a * b, 1), 0);
  if (bytes > os.totalmem() / 2)
    throw new ModelFolderError(
      l10n.t(
        "{0} needs about {1} GB as float32, more than half of this machine's {2} GB; pick a smaller model.",
        dir,
        (bytes / 2 ** 30).toFixed(1),
        (os.totalmem() / 2 ** 30).toFixed(1),
      ),
    );
  const tensors = present.map(([ours, shape]): HfTensor => {
    const { names, transpose } = hfNameOf(ours, prefix);
    const name = names.find((x) => reader.has(x)) ?? names[0];
    reader.expect(name, hfShape(shape, transpose), dir);
    return { ours, name, shape, transpose: transpose && shape.length === 2 };
  });
  return { reader, tensors, hasMlm, hasNsp };
}

/** The planned tensors as tfjs tensors by our names, in our layout (the caller disposes them). */
export function readHfBertWeights(plan: HfBertPlan): Map<string, tf.Tensor> {
  const weights = new Map<string, tf.Tensor>();
  try {
    for (const t of plan.tensors) {
      const { data } = plan.reader.read(t.name);
      const values = t.transpose ? transpose2d(data, t.shape[1], t.shape[0]) : data;
      weights.set(t.ours, tf.tensor(values, t.shape, 'float32'));
    }
  } catch (e) {
    for (const t of weights.values()) t.dispose();
    throw e;
  }
  return weights;
}

/** config.json and the tokenizer as our BERT folder has them (no weights read). */
export function readHfBertHeader(dir: string): { config: ModelConfigFile; vocab: Vocab } {
  const bert = readHfBertConfig(dir);
  openHfWeights(dir); // no weights, or only pickles: said before the tokenizer is looked for
  const { vocab, options } = readHfBertTokenizer(dir);
  if (vocab.size > bert.vocabSize)
    throw new ModelFolderError(
      l10n.t(
        '{0} has {1} tokens in its vocabulary but config.json says vocab_size {2}; download the tokenizer files that belong to the model.',
        dir,
        vocab.size,
        bert.vocabSize,
      ),
    );
  // rows of the embedding no token uses (vocab_size padded to a multiple of 8, say) are never predicted
  const padded =
    vocab.size === bert.vocabSize
      ? vocab
      : new Vocab([
          ...vocab.tokens,
          ...Array.from({ length: bert.vocabSize - vocab.size }, (_, i) => `[unused-row-${i}]`),
        ]);
  const config: ModelConfigFile = {
    format: BERT_FORMAT,
    formatVersion: 1,
    modelType: 'bert',
    bert,
    tokenizer: options,
    createdAt: fs.statSync(path.join(dir, 'config.json')).mtime.toISOString(),
  };
  return { config, vocab: padded };
}

/** The whole folder as our BERT reads it (the caller disposes the weights). */
export function loadHfBertFolder(dir: string): BertFolder & { hasMlm: boolean } {
  const { config, vocab } = readHfBertHeader(dir);
  const plan = planHfBertWeights(dir, config.bert);
  return { dir, config, vocab, weights: readHfBertWeights(plan), hasMlm: plan.hasMlm };
}
