// The seq2seq model folder: config.json (both halves' configs, the tokenizers, where the warm start came
// from, the training summary), source-vocab.txt (the encoder's WordPieces), the target tokenizer
// (target-vocab.txt for a BERT decoder, target-vocab.json + target-merges.txt for a GPT one), metrics.jsonl
// (one line per epoch) and checkpoint/ with weights.bin and its checksummed manifest (tensorFile.ts),
// swapped in atomically; config.json is written last, by rename.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import type { ModelSummary } from '../../shared/configs';
import type { LoadedModel } from '../analysis/loadedModel';
import { bpeCodec, type TokenCodec, wordPieceCodec } from '../data/tasks/seq2seq';
import { replaceFolderAtomic, writeFileAtomic } from '../io/atomic';
import { Seq2seq, type Seq2seqConfig, seq2seqShapes } from '../models/seq2seq';
import { type OnnxSeq2seq, onnxSeq2seqTwin } from '../onnx/seq2seq';
import { BpeTokenizer, parseMerges, serializeMerges } from '../tokenizer/bpe';
import { Vocab } from '../tokenizer/vocab';
import { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { ModelFolderError, readModelFile, readModelJson, textChecksum, verifyChecksum } from './files';
import type { KindHandler } from './registry';
import { disposeAll, readManifest, readWeightFile, toTensors, writeTensors } from './tensorFile';

export const SEQ2SEQ_FORMAT = 'pretrain-lab/seq2seq';

const TokOptions = v.object({
  lowercase: v.boolean(),
  stripAccents: v.optional(v.boolean()),
  splitCjk: v.optional(v.boolean()),
});

const Seq2seqConfigFileSchema = v.object({
  format: v.literal(SEQ2SEQ_FORMAT),
  formatVersion: v.number(),
  model: v.looseObject({
    encoder: v.looseObject({ hiddenSize: v.number(), numLayers: v.number(), vocabSize: v.number() }),
    decoder: v.looseObject({ hiddenSize: v.number(), numLayers: v.number(), vocabSize: v.number() }),
  }),
  source: v.object({ type: v.literal('wordpiece'), options: TokOptions }),
  target: v.union([
    v.object({ type: v.literal('wordpiece'), options: TokOptions }),
    v.object({ type: v.literal('bpe'), preTokenizer: v.picklist(['chars', 'gpt2']) }),
  ]),
  // where each half started: a model folder, or 'random'; decoderFrom says what the decoder was
  warmStart: v.object({
    encoder: v.string(),
    decoder: v.string(),
    decoderFrom: v.picklist(['bert', 'gpt', 'random']),
  }),
  maxSourceLength: v.number(),
  maxTargetLength: v.number(),
  createdAt: v.string(),
  epochs: v.number(),
  bestEpoch: v.number(),
  steps: v.number(),
  seconds: v.number(),
  dev: v.optional(
    v.looseObject({
      loss: v.number(),
      bleu: v.number(),
      chrf: v.optional(v.number()),
      exactMatch: v.number(),
    }),
  ),
});
export type Seq2seqConfigFile = Omit<v.InferOutput<typeof Seq2seqConfigFileSchema>, 'model'> & {
  model: Seq2seqConfig;
};

export interface Seq2seqTokenizers {
  source: WordPieceTokenizer;
  target: { type: 'wordpiece'; tok: WordPieceTokenizer } | { type: 'bpe'; tok: BpeTokenizer };
}

export function codecs(t: Seq2seqTokenizers): { src: TokenCodec; tgt: TokenCodec } {
  return {
    src: wordPieceCodec(t.source),
    tgt: t.target.type === 'bpe' ? bpeCodec(t.target.tok) : wordPieceCodec(t.target.tok),
  };
}

const VOCAB_KEYS = ['source-vocab.txt', 'target-vocab.txt', 'target-vocab.json', 'target-merges.txt'];

/** Writes weights (checkpoint/, atomically), the tokenizers, then config.json. */
export function saveSeq2seq(
  dir: string,
  model: Seq2seq,
  config: Seq2seqConfigFile,
  toks: Seq2seqTokenizers,
): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'source-vocab.txt'), toks.source.vocab.serialize());
  if (toks.target.type === 'wordpiece')
    writeFileAtomic(path.join(dir, 'target-vocab.txt'), toks.target.tok.vocab.serialize());
  else {
    const vocab: Record<string, number> = {};
    toks.target.tok.tokens.forEach((t, i) => {
      vocab[t] = i;
    });
    writeFileAtomic(path.join(dir, 'target-vocab.json'), JSON.stringify(vocab));
    writeFileAtomic(path.join(dir, 'target-merges.txt'), serializeMerges(toks.target.tok.merges));
  }
  const sums: Record<string, string> = {};
  for (const f of VOCAB_KEYS)
    if (fs.existsSync(path.join(dir, f))) sums[f] = textChecksum(fs.readFileSync(path.join(dir, f)));
  const names = seq2seqShapes(model.config).map(([n]) => n);
  replaceFolderAtomic(dir, 'checkpoint', (tmp) => {
    const { entries, sha256 } = writeTensors(path.join(tmp, 'weights.bin'), names, model.params);
    fs.writeFileSync(
      path.join(tmp, 'weights.json'),
      JSON.stringify({ dtype: 'float32', weights: entries, sha256: { ...sums, 'weights.bin': sha256 } }),
    );
  });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
}

export function readSeq2seqConfig(dir: string): Seq2seqConfigFile {
  const file = path.join(dir, 'config.json');
  const raw = readModelJson(file);
  const r = v.safeParse(Seq2seqConfigFileSchema, raw);
  if (!r.success)
    throw new ModelFolderError(
      `${file} is not a complete seq2seq model config (${r.issues[0].path?.map((p) => p.key).join('.') ?? 'top'}: ${r.issues[0].message}); fine-tune the model again.`,
    );
  return raw as Seq2seqConfigFile;
}

export interface Seq2seqFolder {
  dir: string;
  config: Seq2seqConfigFile;
  model: Seq2seq;
  tokenizers: Seq2seqTokenizers;
}

/** Reads and checks a whole seq2seq folder into a model; the caller disposes folder.model. */
export function loadSeq2seqFolder(dir: string): Seq2seqFolder {
  const config = readSeq2seqConfig(dir);
  const ck = path.join(dir, 'checkpoint');
  const manifestFile = path.join(ck, 'weights.json');
  if (!fs.existsSync(manifestFile))
    throw new ModelFolderError(`${dir} has no checkpoint/weights.json; fine-tune the model again.`);
  const { entries, sha256: sums } = readManifest(manifestFile);
  const expected = new Map(seq2seqShapes(config.model));
  for (const e of entries)
    if (expected.get(e.name)?.join(',') !== e.shape.join(','))
      throw new ModelFolderError(
        `${manifestFile} gives ${e.name} shape [${e.shape}], which config.json does not describe; restore the config.json saved with these weights or fine-tune again.`,
      );
  if (entries.length !== expected.size)
    throw new ModelFolderError(
      `${manifestFile} lists ${entries.length} tensors but config.json needs ${expected.size}; fine-tune the model again.`,
    );
  const text = (f: string) => {
    const file = path.join(dir, f);
    const b = readModelFile(file);
    verifyChecksum(file, b, sums[f], textChecksum);
    return b.toString('utf8');
  };
  const vocabOf = (f: string) => Vocab.parse(text(f), path.join(dir, f));
  const source = new WordPieceTokenizer(vocabOf('source-vocab.txt'), config.source.options);
  let target: Seq2seqTokenizers['target'];
  if (config.target.type === 'wordpiece')
    target = {
      type: 'wordpiece',
      tok: new WordPieceTokenizer(vocabOf('target-vocab.txt'), config.target.options),
    };
  else {
    const vocab = new Map(Object.entries(JSON.parse(text('target-vocab.json')) as Record<string, number>));
    target = {
      type: 'bpe',
      tok: new BpeTokenizer(vocab, parseMerges(text('target-merges.txt')), config.target.preTokenizer),
    };
  }
  const weights: Map<string, tf.Tensor> = toTensors(
    readWeightFile(path.join(ck, 'weights.bin'), entries, sums['weights.bin']),
    entries,
  );
  try {
    return { dir, config, model: new Seq2seq(config.model, { weights }), tokenizers: { source, target } };
  } finally {
    disposeAll(weights);
  }
}

export function summariseSeq2seq(dir: string): ModelSummary {
  const c = readSeq2seqConfig(dir);
  const parameters = seq2seqShapes(c.model).reduce((n, [, s]) => n + s.reduce((a, b) => a * b, 1), 0);
  return {
    dir,
    type: 'bert', // the encoder's config stands for the model in the generic summary
    config: c.model.encoder,
    vocabSize: c.model.encoder.vocabSize,
    parameters,
    steps: c.steps,
    createdAt: c.createdAt,
  };
}

/** A loaded seq2seq folder as the registry hands it out (capability `rewrite`). */
export class Seq2seqLoaded implements LoadedModel {
  readonly kind = 'seq2seq' as const;
  readonly capabilities = ['rewrite'] as const;
  readonly summary: ModelSummary;
  readonly folder: Seq2seqFolder;
  readonly onnx?: OnnxSeq2seq; // Rewrite Selection on ONNX Runtime when inference runs there
  constructor(readonly dir: string) {
    this.folder = loadSeq2seqFolder(dir);
    this.onnx = onnxSeq2seqTwin(this.folder.model);
    this.summary = summariseSeq2seq(dir);
  }
  dispose(): void {
    this.onnx?.dispose();
    this.folder.model.dispose();
  }
}

export const seq2seqHandler: KindHandler<typeof saveSeq2seq> = {
  kind: 'seq2seq',
  load: (dir) => new Seq2seqLoaded(dir),
  summarise: summariseSeq2seq,
  vectors: (dir) => {
    throw new ModelFolderError(
      `${dir} is a seq2seq model, which has no word-vector table to explore; pick a BERT or word2vec model.`,
    );
  },
  save: saveSeq2seq,
};
