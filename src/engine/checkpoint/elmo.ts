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
import { KINDS } from '../../shared/modelKinds';
import { ElmoVocab } from '../data/elmoData';
import { completeFolder, replaceFolderAtomic, writeFileAtomic } from '../io/atomic';
import { elmoParamCount, elmoParamShapes, validateElmoConfig } from '../models/elmo';
import { type LoadedVectors, WordVectors } from '../word2vec/vectors';
import {
  isRecord,
  ModelFolderError,
  readModelFile,
  readModelJson,
  sha256,
  textChecksum,
  verifyChecksum,
} from './files';
import {
  disposeAll,
  readManifest,
  readWeightFile,
  toTensors,
  type WeightEntry,
  writeTensors,
} from './tensorFile';

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

export interface ElmoTrainerState {
  step: number;
  totalSteps: number;
  rngState: number;
  options: Record<string, unknown>;
  lastMetrics?: ElmoProgress;
  finished: boolean;
  savedAt: string;
}

const VOCAB_KEY = 'vocab.txt';
const CONFIG_KEY = 'config.json (model fields)';

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

export function checkpointDir(dir: string): string | undefined {
  return completeFolder(dir, 'checkpoint', 'trainer_state.json');
}

export function readElmoConfig(dir: string): ElmoConfigFile {
  const file = path.join(dir, 'config.json');
  const r = v.safeParse(ElmoConfigFileSchema, readModelJson(file));
  if (!r.success)
    throw new ModelFolderError(
      `${file} is not a complete ELMo config (${r.issues[0].path?.map((p) => p.key).join('.') ?? 'top'}: ${r.issues[0].message}); restore it or retrain.`,
    );
  try {
    validateElmoConfig(r.output.elmo);
  } catch (e) {
    throw new ModelFolderError(
      `${file} is damaged (${(e as Error).message.replace(/\.$/, '')}); restore it or retrain.`,
    );
  }
  return r.output;
}

export function writeElmoHeader(dir: string, config: ElmoConfigFile, vocab: ElmoVocab): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileAtomic(path.join(dir, 'vocab.txt'), vocab.serialize());
}

export interface ElmoCheckpoint {
  weights: Map<string, tf.Tensor>;
  m?: Map<string, tf.Tensor>;
  v?: Map<string, tf.Tensor>;
  state: ElmoTrainerState;
}

/** Writes checkpoint/ atomically; the header (config.json, vocab.txt) must be in place. */
export function saveElmoCheckpoint(dir: string, names: string[], c: ElmoCheckpoint): void {
  const cfg = readElmoConfig(dir);
  const header = {
    [VOCAB_KEY]: textChecksum(fs.readFileSync(path.join(dir, 'vocab.txt'))),
    [CONFIG_KEY]: sha256(Buffer.from(modelFields(cfg))),
  };
  replaceFolderAtomic(dir, 'checkpoint', (tmp) => {
    const w = writeTensors(path.join(tmp, 'weights.bin'), names, c.weights);
    const manifest = { dtype: 'float32', weights: w.entries, sha256: { 'weights.bin': w.sha256, ...header } };
    fs.writeFileSync(path.join(tmp, 'weights.json'), JSON.stringify(manifest, null, 1));
    if (c.m && c.v) {
      const m = writeTensors(path.join(tmp, 'optimizer_m.bin'), names, c.m);
      const vv = writeTensors(path.join(tmp, 'optimizer_v.bin'), names, c.v);
      const opt = {
        algorithm: 'adamw',
        weights: m.entries,
        sha256: { 'optimizer_m.bin': m.sha256, 'optimizer_v.bin': vv.sha256 },
      };
      fs.writeFileSync(path.join(tmp, 'optimizer.json'), JSON.stringify(opt, null, 1));
    }
    // written last: its presence marks the folder complete (checkpointDir)
    fs.writeFileSync(path.join(tmp, 'trainer_state.json'), JSON.stringify(c.state, null, 2));
  });
}

export function appendElmoMetrics(dir: string, p: ElmoProgress): void {
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), `${JSON.stringify(p)}\n`);
}

/** Keeps the metrics up to a step, so a resumed run's chart does not repeat the steps it redoes. */
export function keepElmoMetricsUpTo(dir: string, step: number): void {
  const f = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(f)) return;
  const kept = fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => {
      try {
        const p: unknown = JSON.parse(l);
        return isRecord(p) && typeof p.step === 'number' && p.step <= step;
      } catch {
        return false;
      }
    });
  writeFileAtomic(f, kept.map((l) => `${l}\n`).join(''));
}

export function readElmoState(dir: string): ElmoTrainerState | undefined {
  const ck = checkpointDir(dir);
  if (!ck) return undefined;
  const file = path.join(ck, 'trainer_state.json');
  const raw = readModelJson(file);
  if (!isRecord(raw) || typeof raw.step !== 'number')
    throw new ModelFolderError(
      `${file} has no step count; the checkpoint is damaged, so restore it or retrain.`,
    );
  return raw as unknown as ElmoTrainerState;
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
        `${file} ${got ? `gives ${name} shape [${got}] but config.json implies [${shape}]` : `has no tensor ${name}`}; the config and the weights disagree, so restore them together or retrain.`,
      );
  }
  if (have.size !== expected.size)
    throw new ModelFolderError(
      `${file} holds tensors config.json does not describe; the config and the weights disagree, so restore them together or retrain.`,
    );
}

/** Reads and checks a whole ELMo folder into tensors (the caller disposes them with disposeElmoFolder). */
export function loadElmoFolder(dir: string, opts: { withOptimizer?: boolean } = {}): ElmoFolder {
  const config = readElmoConfig(dir);
  const ck = checkpointDir(dir);
  if (!ck)
    throw new ModelFolderError(
      `${dir} has no checkpoint/ folder with weights yet; train it for at least one checkpoint.`,
    );
  const manifestFile = path.join(ck, 'weights.json');
  const { entries, sha256: sums } = readManifest(manifestFile);
  checkShapes(manifestFile, entries, config.elmo);
  if (sums[CONFIG_KEY] !== undefined && sums[CONFIG_KEY] !== sha256(Buffer.from(modelFields(config))))
    throw new ModelFolderError(
      `${dir}/config.json describes another model than the one its weights were saved with; restore the config.json saved with them or retrain.`,
    );
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
      `${vocabFile} has ${vocab.size} words but config.json says vocabSize ${config.elmo.vocabSize}; restore the vocab.txt saved with the model or retrain.`,
    );
  const weights = toTensors(
    readWeightFile(path.join(ck, 'weights.bin'), entries, sums['weights.bin']),
    entries,
  );
  const out: ElmoFolder = { dir, config, vocab, weights, state: readElmoState(dir) };
  if (!opts.withOptimizer || !fs.existsSync(path.join(ck, 'optimizer.json'))) return out;
  let m: Map<string, tf.Tensor> | undefined;
  try {
    const om = readManifest(path.join(ck, 'optimizer.json'));
    checkShapes(path.join(ck, 'optimizer.json'), om.entries, config.elmo);
    m = toTensors(
      readWeightFile(path.join(ck, 'optimizer_m.bin'), om.entries, om.sha256['optimizer_m.bin']),
      om.entries,
    );
    const vv = toTensors(
      readWeightFile(path.join(ck, 'optimizer_v.bin'), om.entries, om.sha256['optimizer_v.bin']),
      om.entries,
    );
    out.optimizer = { m, v: vv };
    return out;
  } catch (e) {
    disposeAll(weights, m);
    throw e;
  }
}

export function disposeElmoFolder(f: ElmoFolder): void {
  disposeAll(f.weights, f.optimizer?.m, f.optimizer?.v);
}

export function summariseElmo(dir: string): ElmoSummary {
  const c = readElmoConfig(dir);
  const s = readElmoState(dir);
  return {
    dir,
    type: 'elmo',
    preset: c.preset,
    config: c.elmo,
    vocabSize: c.elmo.vocabSize,
    parameters: elmoParamCount(c.elmo),
    corpus: c.corpus,
    steps: s?.step ?? 0,
    totalSteps: s?.totalSteps,
    finalMetrics: s?.lastMetrics,
    createdAt: c.createdAt,
  };
}

/** The token layer as a static vector table (layer 0: the same vector wherever a word stands). */
export function elmoVectors(dir: string): LoadedVectors {
  const f = loadElmoFolderTable(dir);
  return {
    vectors: new WordVectors(f.words, f.dim, f.vectors),
    summary: { dir, type: 'word2vec', dim: f.dim, vocabSize: f.words.length, source: 'pretrain-lab' },
    kind: 'elmo',
    label: `${KINDS.elmo.label} token layer`,
  };
}

function loadElmoFolderTable(dir: string): { words: string[]; dim: number; vectors: Float32Array } {
  const config = readElmoConfig(dir);
  const ck = checkpointDir(dir);
  if (!ck) throw new ModelFolderError(`${dir} has no checkpoint/ folder with weights yet; train it first.`);
  const { entries, sha256: sums } = readManifest(path.join(ck, 'weights.json'));
  const e = entries.find((w) => w.name === 'token.embedding');
  const vocab = ElmoVocab.parse(readModelFile(path.join(dir, 'vocab.txt')).toString('utf8'));
  if (e?.shape.length !== 2 || e.shape[0] !== vocab.size || vocab.size !== config.elmo.vocabSize)
    throw new ModelFolderError(
      `${ck}/weights.json has no token.embedding of one row per word of vocab.txt; restore the checkpoint or retrain.`,
    );
  const all = readWeightFile(path.join(ck, 'weights.bin'), entries, sums['weights.bin']);
  const [V, D] = e.shape;
  return { words: [...vocab.words], dim: D, vectors: all.slice(e.offset, e.offset + V * D) };
}
