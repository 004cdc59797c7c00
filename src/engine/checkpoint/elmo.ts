// The ELMo model folder: config.json (format pretrain-lab/elmo, the biLM config, tokenizer), vocab.txt
// (one word per line, <s> and <unk> first), metrics.jsonl, and checkpoint/ as BERT's: weights.bin and
// optimizer_m/v.bin packed by tensorFile.ts with a checksummed manifest, trainer_state.json written
// last, the whole folder swapped in atomically (io/atomic.ts). The manifest also carries the SHA-256
// of vocab.txt and of the config fields that change answers, so a mismatched pair is refused on load.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import { ELMO_FORMAT, type ElmoConfig, type ElmoProgress, type ElmoSummary } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { KINDS } from '../../shared/modelKinds';
import { ElmoVocab } from '../data/elmoData';
import { writeFileAtomic } from '../io/atomic';
import { elmoParamCount, elmoParamShapes, validateElmoConfig } from '../models/elmo';
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
  stepTrainedSummary,
  type TrainerStateOf,
  writeCheckpoint,
} from './modelFolder';
import type { WeightEntry } from './tensorFile';

export { checkpointDir } from './modelFolder';

export const ELMO_FORMAT_VERSION = 1;

const ElmoConfigFileSchema = v.object({
  format: v.literal(ELMO_FORMAT),
  formatVersion: v.number(),
  modelType: v.literal('elmo'),
  preset: v.optional(v.string()),
  elmo: v.object({
    vocabSize: v.number(),
    embedDim: v.number(),
    hiddenSize: v.number(),
    numLayers: v.number(),
    dropout: v.number(),
    cellClip: v.number(),
  }),
  tokenizer: v.object({ lowercase: v.boolean() }),
  corpus: v.optional(v.array(v.string())),
  createdAt: v.string(),
});
export type ElmoConfigFile = v.InferOutput<typeof ElmoConfigFileSchema>;

export type ElmoTrainerState = TrainerStateOf<ElmoProgress>;

const VOCAB_KEY = 'vocab.txt';

function modelFields(c: ElmoConfigFile): string {
  const e = c.elmo;
  return JSON.stringify([
    e.vocabSize,
    e.embedDim,
    e.hiddenSize,
    e.numLayers,
    e.cellClip,
    c.tokenizer.lowercase,
  ]);
}

export function readElmoConfig(dir: string): ElmoConfigFile {
  return readConfigFile(dir, ElmoConfigFileSchema, 'ELMo', (c) => validateElmoConfig(c.elmo));
}

export function writeElmoHeader(dir: string, config: ElmoConfigFile, vocab: ElmoVocab): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileAtomic(path.join(dir, 'vocab.txt'), vocab.serialize());
}

export type ElmoCheckpoint = CheckpointOf<ElmoTrainerState>;

/** Writes checkpoint/ atomically; the header (config.json, vocab.txt) must be in place. */
export function saveElmoCheckpoint(dir: string, names: string[], c: ElmoCheckpoint): void {
  const cfg = readElmoConfig(dir);
  writeCheckpoint(dir, names, c, {
    [VOCAB_KEY]: textChecksum(fs.readFileSync(path.join(dir, 'vocab.txt'))),
    [CONFIG_KEY]: configChecksum(modelFields(cfg)),
  });
}

export function readElmoState(dir: string): ElmoTrainerState | undefined {
  return readTrainerStateOf<ElmoTrainerState>(dir);
}

export interface ElmoFolder {
  dir: string;
  config: ElmoConfigFile;
  vocab: ElmoVocab;
  weights: Map<string, tf.Tensor>;
  optimizer?: { m: Map<string, tf.Tensor>; v: Map<string, tf.Tensor> };
  state?: ElmoTrainerState;
}

function checkShapes(file: string, entries: WeightEntry[], c: ElmoConfig): void {
  const expected = new Map(elmoParamShapes(c));
  const have = new Map(entries.map((e) => [e.name, e.shape]));
  for (const [name, shape] of expected) {
    const got = have.get(name);
    if (!got || got.join(',') !== shape.join(','))
      throw new ModelFolderError(
        l10n.t(
          '{0} {1}; the config and the weights disagree, so restore them together or retrain.',
          file,
          got ? `gives ${name} shape [${got}] but config.json implies [${shape}]` : `has no tensor ${name}`,
        ),
      );
  }
  if (have.size !== expected.size)
    throw new ModelFolderError(
      l10n.t(
        '{0} holds tensors config.json does not describe; the config and the weights disagree, so restore them together or retrain.',
        file,
      ),
    );
}

/** Reads and checks a whole ELMo folder into tensors (the caller disposes them with disposeElmoFolder). */
export function loadElmoFolder(dir: string, opts: { withOptimizer?: boolean } = {}): ElmoFolder {
  const config = readElmoConfig(dir);
  const { ck, manifestFile, entries, sha256: sums } = readCheckpointManifest(dir);
  checkShapes(manifestFile, entries, config.elmo);
  checkConfigChecksum(dir, sums, modelFields(config));
  const vocabFile = path.join(dir, 'vocab.txt');
  const bytes = readModelFile(vocabFile);
  verifyChecksum(vocabFile, bytes, sums[VOCAB_KEY], textChecksum);
  let vocab: ElmoVocab;
  try {
    vocab = ElmoVocab.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ModelFolderError(`${(e as Error).message.replace(/\.$/, '')} (${vocabFile}).`);
  }
  if (vocab.size !== config.elmo.vocabSize)
    throw new ModelFolderError(
      l10n.t(
        '{0} has {1} words but config.json says vocabSize {2}; restore the vocab.txt saved with the model or retrain.',
        vocabFile,
        vocab.size,
        config.elmo.vocabSize,
      ),
    );
  const state = readElmoState(dir);
  const tensors = readCheckpointTensors(ck, entries, sums, opts.withOptimizer, (file, om) =>
    checkShapes(file, om, config.elmo),
  );
  return { dir, config, vocab, state, ...tensors };
}

export function disposeElmoFolder(f: ElmoFolder): void {
  disposeCheckpointTensors(f);
}

export function summariseElmo(dir: string): ElmoSummary {
  const c = readElmoConfig(dir);
  return stepTrainedSummary(dir, 'elmo', c, c.elmo, elmoParamCount(c.elmo), readElmoState(dir));
}

/** The token layer as a static vector table (layer 0: the same vector wherever a word stands). */
export function elmoVectors(dir: string): LoadedVectors {
  const f = loadElmoFolderTable(dir);
  return {
    vectors: new WordVectors(f.words, f.dim, f.vectors),
    summary: { dir, type: 'word2vec', dim: f.dim, vocabSize: f.words.length, source: 'pretrain-lab' },
    kind: 'elmo',
    label: l10n.t('{0} token layer', KINDS.elmo.label),
  };
}

function loadElmoFolderTable(dir: string): { words: string[]; dim: number; vectors: Float32Array } {
  const config = readElmoConfig(dir);
  const { ck, entries, sha256: sums } = readCheckpointManifest(dir, l10n.t('train it first'));
  const e = entries.find((w) => w.name === 'token.embedding');
  const vocab = ElmoVocab.parse(readModelFile(path.join(dir, 'vocab.txt')).toString('utf8'));
  if (e?.shape.length !== 2 || e.shape[0] !== vocab.size || vocab.size !== config.elmo.vocabSize)
    throw new ModelFolderError(
      l10n.t(
        '{0}/weights.json has no token.embedding of one row per word of vocab.txt; restore the checkpoint or retrain.',
        ck,
      ),
    );
  return { words: [...vocab.words], ...readTable(ck, entries, sums, e) };
}
