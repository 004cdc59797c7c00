// The GPT model folder: config.json, vocab.json + merges.txt (GPT-2's tokenizer files), metrics.jsonl
// and checkpoint/ (weights.bin + weights.json, optimizer state, trainer_state.json). As BERT's: the
// checkpoint is swapped in atomically (io/atomic.ts); its manifest carries a SHA-256 of weights.bin,
// of vocab.json, of merges.txt and of the config fields that change answers, all checked on load,
// with the tensor names and shapes against config.json and every value finite.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import type { GptConfig, GptProgress, ModelSummary } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { KINDS } from '../../shared/modelKinds';
import { GptModel } from '../analysis/gptModel';
import { writeFileAtomic } from '../io/atomic';
import { gptParamCount, gptParamShapes, TOKEN_EMBEDDING, validateGptConfig } from '../models/gpt';
import { BpeTokenizer } from '../tokenizer/bpe';
import { type LoadedVectors, WordVectors } from '../word2vec/vectors';
import { ModelFolderError, readModelFile, textChecksum, verifyChecksum } from './files';
import {
  type CheckpointOf,
  CONFIG_KEY,
  checkConfigChecksum,
  configChecksum,
  disposeCheckpointTensors,
  readCheckpointManifest,
  readCheckpointTensors,
  readConfigFile,
  readTable,
  readTrainerStateOf,
  requireModelDir,
  type TrainerStateOf,
  writeCheckpoint,
} from './modelFolder';
import type { KindHandler } from './registry';
import type { WeightEntry } from './tensorFile';

export const GPT_FORMAT = 'pretrain-lab/gpt';
export const GPT_FORMAT_VERSION = 1;

const GptConfigSchema = v.object({
  vocabSize: v.number(),
  hiddenSize: v.number(),
  numLayers: v.number(),
  numHeads: v.number(),
  intermediateSize: v.number(),
  maxPositions: v.number(),
  norm: v.picklist(['pre', 'post']),
  dropout: v.number(),
  layerNormEps: v.number(),
  initializerRange: v.number(),
});

const GptConfigFileSchema = v.object({
  format: v.literal(GPT_FORMAT),
  formatVersion: v.number(),
  modelType: v.literal('gpt'),
  preset: v.optional(v.string()),
  gpt: GptConfigSchema,
  tokenizer: v.object({ type: v.literal('byte-level-bpe'), chinese: v.literal('chars') }),
  corpus: v.optional(v.array(v.string())),
  createdAt: v.string(),
});
export type GptConfigFile = v.InferOutput<typeof GptConfigFileSchema>;

export type GptTrainerState = TrainerStateOf<GptProgress>;

const VOCAB_KEY = 'vocab.json';
const MERGES_KEY = 'merges.txt';

function modelFields(c: GptConfigFile): string {
  const g = c.gpt;
  return JSON.stringify([
    g.vocabSize,
    g.hiddenSize,
    g.numLayers,
    g.numHeads,
    g.intermediateSize,
    g.maxPositions,
    g.norm,
    g.layerNormEps,
  ]);
}

export function writeGptHeader(dir: string, config: GptConfigFile, tok: BpeTokenizer): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  tok.save(dir, writeFileAtomic);
}

export type GptCheckpointContent = CheckpointOf<GptTrainerState>;

/** Writes checkpoint/ atomically; the header (config.json, vocab.json, merges.txt) must be in place. */
export function saveGptCheckpoint(dir: string, names: string[], c: GptCheckpointContent): void {
  const config = readGptConfig(dir);
  writeCheckpoint(dir, names, c, {
    [VOCAB_KEY]: textChecksum(fs.readFileSync(path.join(dir, 'vocab.json'))),
    [MERGES_KEY]: textChecksum(fs.readFileSync(path.join(dir, 'merges.txt'))),
    [CONFIG_KEY]: configChecksum(modelFields(config)),
  });
}

export function readGptConfig(dir: string): GptConfigFile {
  return readConfigFile(dir, GptConfigFileSchema, 'GPT model', (c) => validateGptConfig(c.gpt));
}

export function readGptTrainerState(dir: string): GptTrainerState | undefined {
  return readTrainerStateOf<GptTrainerState>(dir);
}

/** vocab.json + merges.txt, checked against the manifest's checksums. */
function readTokenizer(dir: string, sums: Record<string, unknown>): BpeTokenizer {
  const vf = path.join(dir, 'vocab.json');
  const mf = path.join(dir, 'merges.txt');
  const vb = readModelFile(vf);
  const mb = readModelFile(mf);
  verifyChecksum(vf, vb, sums[VOCAB_KEY], textChecksum);
  verifyChecksum(mf, mb, sums[MERGES_KEY], textChecksum);
  try {
    return BpeTokenizer.parse(vb.toString('utf8'), mb.toString('utf8'), dir);
  } catch (e) {
    throw new ModelFolderError((e as Error).message);
  }
}

function checkShapes(file: string, entries: WeightEntry[], config: GptConfig): void {
  const expected = new Map(gptParamShapes(config));
  const damaged = l10n.t(
    'the config and the weights disagree, so restore the config.json saved with these weights or retrain',
  );
  for (const e of entries) {
    const shape = expected.get(e.name);
    if (!shape)
      throw new ModelFolderError(
        l10n.t('{0} holds the tensor {1}, which config.json does not describe; {2}.', file, e.name, damaged),
      );
    if (e.shape.join(',') !== shape.join(','))
      throw new ModelFolderError(
        l10n.t(
          '{0} gives {1} shape [{2}] but config.json implies [{3}]; {4}.',
          file,
          e.name,
          e.shape,
          shape,
          damaged,
        ),
      );
  }
  const have = new Set(entries.map((e) => e.name));
  for (const name of expected.keys())
    if (!have.has(name))
      throw new ModelFolderError(
        l10n.t('{0} has no tensor {1}, which config.json needs; {2}.', file, name, damaged),
      );
}

export interface GptFolder {
  dir: string;
  config: GptConfigFile;
  tokenizer: BpeTokenizer;
  weights: Map<string, tf.Tensor>;
  optimizer?: { m: Map<string, tf.Tensor>; v: Map<string, tf.Tensor> };
  state?: GptTrainerState;
}

/** Reads and checks a whole GPT folder; the caller disposes the tensors (disposeGptFolder). */
export function loadGptFolder(dir: string, opts: { withOptimizer?: boolean } = {}): GptFolder {
  requireModelDir(dir);
  const config = readGptConfig(dir);
  const { ck, manifestFile, entries, sha256: sums } = readCheckpointManifest(dir);
  checkShapes(manifestFile, entries, config.gpt);
  checkConfigChecksum(dir, sums, modelFields(config));
  const tokenizer = readTokenizer(dir, sums);
  if (tokenizer.size !== config.gpt.vocabSize)
    throw new ModelFolderError(
      l10n.t(
        '{0}/vocab.json has {1} tokens but config.json says vocabSize {2}; restore the vocab.json saved with the model or retrain.',
        dir,
        tokenizer.size,
        config.gpt.vocabSize,
      ),
    );
  const state = readGptTrainerState(dir);
  return { dir, config, tokenizer, state, ...readCheckpointTensors(ck, entries, sums, opts.withOptimizer) };
}

export function disposeGptFolder(f: GptFolder): void {
  disposeCheckpointTensors(f);
}

/** A GPT folder's summary from its JSON files alone. */
export function summariseGpt(dir: string): ModelSummary {
  const cfg = readGptConfig(dir);
  const state = readGptTrainerState(dir);
  return {
    dir,
    type: 'gpt',
    preset: cfg.preset,
    config: cfg.gpt,
    vocabSize: cfg.gpt.vocabSize,
    parameters: gptParamCount(cfg.gpt),
    corpus: cfg.corpus,
    steps: state?.step ?? 0,
    totalSteps: state?.totalSteps,
    createdAt: cfg.createdAt,
  };
}

/** The token embedding (wte) as a vector table, tokens shown as text; read without TensorFlow. */
export function gptVectors(dir: string): LoadedVectors {
  const { ck, manifestFile, entries, sha256: sums } = readCheckpointManifest(dir, l10n.t('train it first'));
  const tok = readTokenizer(dir, sums);
  const e = entries.find((w) => w.name === TOKEN_EMBEDDING);
  if (e?.shape.length !== 2 || e.shape[0] !== tok.size)
    throw new ModelFolderError(
      l10n.t(
        '{0} has no {1} of {2} rows; restore the checkpoint or retrain.',
        manifestFile,
        TOKEN_EMBEDDING,
        tok.size,
      ),
    );
  const { dim: C, vectors } = readTable(ck, entries, sums, e);
  // distinct names: two byte pieces may read alike, and the table is keyed by word
  const seen = new Set<string>();
  const words = tok.tokens.map((_, i) => {
    let w = tok.display(i);
    if (seen.has(w)) w = `${w}#${i}`;
    seen.add(w);
    return w;
  });
  return {
    vectors: new WordVectors(words, C, vectors),
    summary: { dir, type: 'word2vec', dim: C, vocabSize: words.length, source: 'pretrain-lab' },
    kind: 'gpt',
    label: l10n.t('{0} token embeddings', KINDS.gpt.label),
  };
}

/** The registry's row for `gpt` folders (registry.ts). */
export const gptHandler: KindHandler<typeof saveGptCheckpoint> = {
  kind: 'gpt',
  load: (dir) => new GptModel(dir),
  summarise: summariseGpt,
  vectors: gptVectors,
  save: saveGptCheckpoint,
};
