// The BERT model folder: config.json, vocab.txt, metrics.jsonl and checkpoint/ (weights, optimizer
// state, trainer state). A checkpoint is written to a temporary folder and swapped into place
// (io/atomic.ts), so an interrupted run always leaves the last complete one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig, TrainProgress } from '../../shared/configs';
import { BERT_FORMAT, detectKind, KINDS } from '../../shared/modelKinds';
import { completeFolder, replaceFolderAtomic, writeFileAtomic } from '../io/atomic';
import { bertParamShapes, validateBertConfig } from '../models/bert';
import { Vocab } from '../tokenizer/vocab';
import { type LoadedVectors, WordVectors } from '../word2vec/vectors';

export const FORMAT = BERT_FORMAT;
export const FORMAT_VERSION = 1;

export interface ModelConfigFile {
  format: typeof FORMAT;
  formatVersion: number;
  modelType: 'bert';
  preset?: string;
  bert: BertConfig;
  tokenizer: { lowercase: boolean };
  corpus?: string[];
  createdAt: string;
}

export interface TrainerState {
  step: number;
  totalSteps: number;
  rngState: number;
  options: Record<string, unknown>;
  lastMetrics?: TrainProgress;
  finished: boolean;
  savedAt: string;
}

interface WeightEntry {
  name: string;
  shape: number[];
  offset: number; // in float32 elements
}

/** A BERT folder read into tensors (the caller disposes them with `disposeLoaded`). */
export interface BertFolder {
  dir: string;
  config: ModelConfigFile;
  vocab: Vocab;
  weights: Map<string, tf.Tensor>;
  optimizer?: { m: Map<string, tf.Tensor>; v: Map<string, tf.Tensor> };
  state?: TrainerState;
}

export class ModelFolderError extends Error {
  override name = 'ModelFolderError'; // kept across the worker channel (src/shared/rpc.ts)
}

function writeTensors(file: string, names: string[], tensors: Map<string, tf.Tensor>): WeightEntry[] {
  const fd = fs.openSync(file, 'w');
  const entries: WeightEntry[] = [];
  let offset = 0;
  try {
    for (const name of names) {
      const t = tensors.get(name);
      if (!t) throw new Error(`missing tensor ${name}`);
      const data = t.dataSync() as Float32Array;
      fs.writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      entries.push({ name, shape: t.shape, offset });
      offset += data.length;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return entries;
}

function readTensors(binFile: string, entries: WeightEntry[], what: string): Map<string, tf.Tensor> {
  const buf = fs.readFileSync(binFile);
  const total = entries.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
  if (buf.byteLength !== total * 4) {
    throw new ModelFolderError(
      `${binFile} has ${buf.byteLength} bytes but its manifest needs ${total * 4}; the ${what} file is truncated or from another model.`,
    );
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const out = new Map<string, tf.Tensor>();
  for (const e of entries) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    out.set(e.name, tf.tensor(all.subarray(e.offset, e.offset + n), e.shape, 'float32'));
  }
  return out;
}

export interface CheckpointContent {
  weights: Map<string, tf.Tensor>;
  m?: Map<string, tf.Tensor>;
  v?: Map<string, tf.Tensor>;
  state: TrainerState;
}

/** Writes checkpoint/ atomically: a temporary folder swapped in (the previous one is removed after). */
export function saveCheckpoint(dir: string, names: string[], c: CheckpointContent): void {
  replaceFolderAtomic(dir, 'checkpoint', (tmp) => {
    const entries = writeTensors(path.join(tmp, 'weights.bin'), names, c.weights);
    fs.writeFileSync(
      path.join(tmp, 'weights.json'),
      JSON.stringify({ dtype: 'float32', weights: entries }, null, 1),
    );
    if (c.m && c.v) {
      const m = writeTensors(path.join(tmp, 'optimizer_m.bin'), names, c.m);
      writeTensors(path.join(tmp, 'optimizer_v.bin'), names, c.v);
      fs.writeFileSync(
        path.join(tmp, 'optimizer.json'),
        JSON.stringify({ algorithm: 'adamw', weights: m }, null, 1),
      );
    }
    // written last: its presence marks the folder complete (see checkpointDir)
    fs.writeFileSync(path.join(tmp, 'trainer_state.json'), JSON.stringify(c.state, null, 2));
  });
}

export function writeModelHeader(dir: string, config: ModelConfigFile, vocab: Vocab): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileAtomic(path.join(dir, 'vocab.txt'), vocab.serialize());
}

export function appendMetrics(dir: string, p: TrainProgress): void {
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), JSON.stringify(p) + '\n');
}

export function readMetrics(dir: string): TrainProgress[] {
  const f = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(f)) return [];
  const out: TrainProgress[] = [];
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as TrainProgress);
    } catch {
      // a line cut by a crash mid-append; the rest stays readable
    }
  }
  return out;
}

function readJson(file: string, dir: string): unknown {
  if (!fs.existsSync(file)) {
    throw new ModelFolderError(
      `${dir} is not a complete Pretrain Lab model: ${path.basename(file)} is missing.`,
    );
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new ModelFolderError(
      `${file} is not valid JSON; the model folder is damaged, so retrain or pick another model.`,
    );
  }
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** The checkpoint folder to read: checkpoint/, or checkpoint.old/ when a crash hit between renames. */
export function checkpointDir(dir: string): string | undefined {
  return completeFolder(dir, 'checkpoint', 'trainer_state.json');
}

export function readModelConfig(dir: string): ModelConfigFile {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new ModelFolderError(
      `The model folder ${dir} does not exist; pick an existing model or pretrain one.`,
    );
  }
  const raw = readJson(path.join(dir, 'config.json'), dir);
  if (!isRecord(raw))
    throw new ModelFolderError(`${dir}/config.json is not an object; the model folder is damaged.`);
  if (raw.format !== FORMAT) throw new ModelFolderError(notBertMessage(dir, raw));
  if (!isRecord(raw.bert) || !isRecord(raw.tokenizer)) {
    throw new ModelFolderError(
      `${dir}/config.json lacks its "bert" or "tokenizer" section; the model folder is damaged.`,
    );
  }
  const cfg = raw as unknown as ModelConfigFile;
  try {
    validateBertConfig(cfg.bert);
  } catch (e) {
    throw new ModelFolderError(`${dir}/config.json: ${(e as Error).message}`);
  }
  return cfg;
}

export function readTrainerState(dir: string): TrainerState | undefined {
  const ck = checkpointDir(dir);
  if (!ck) return undefined;
  return readJson(path.join(ck, 'trainer_state.json'), dir) as TrainerState;
}

/** Loads and checks a whole model folder; every problem is named with its file. */
export function loadModelFolder(dir: string, opts: { withOptimizer?: boolean } = {}): BertFolder {
  const config = readModelConfig(dir);
  const vocabFile = path.join(dir, 'vocab.txt');
  if (!fs.existsSync(vocabFile))
    throw new ModelFolderError(`${dir} is not a complete Pretrain Lab model: vocab.txt is missing.`);
  const vocab = Vocab.load(vocabFile);
  if (vocab.size !== config.bert.vocabSize) {
    throw new ModelFolderError(
      `${vocabFile} has ${vocab.size} tokens but config.json says vocabSize ${config.bert.vocabSize}; they must match.`,
    );
  }
  const ck = checkpointDir(dir);
  if (!ck) {
    throw new ModelFolderError(
      `${dir} has no checkpoint/ folder with weights yet; train it for at least one checkpoint.`,
    );
  }
  const manifest = readJson(path.join(ck, 'weights.json'), dir);
  if (!isRecord(manifest) || !Array.isArray(manifest.weights)) {
    throw new ModelFolderError(`${ck}/weights.json has no "weights" list; the checkpoint is damaged.`);
  }
  const entries = manifest.weights as WeightEntry[];
  const expected = bertParamShapes(config.bert);
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const [name, shape] of expected) {
    const e = byName.get(name);
    if (!e) throw new ModelFolderError(`${ck}/weights.json has no weight ${name}, which the config needs.`);
    if (!Array.isArray(e.shape) || e.shape.join(',') !== shape.join(',')) {
      throw new ModelFolderError(
        `${ck}/weights.json gives ${name} shape [${e.shape}] but config.json implies [${shape}].`,
      );
    }
  }
  const weightsBin = path.join(ck, 'weights.bin');
  if (!fs.existsSync(weightsBin))
    throw new ModelFolderError(`${ck}/weights.bin is missing; the checkpoint is incomplete.`);
  const weights = readTensors(weightsBin, entries, 'weights');
  const state = readJson(path.join(ck, 'trainer_state.json'), dir) as TrainerState;
  const out: BertFolder = { dir, config, vocab, weights, state };
  if (opts.withOptimizer && fs.existsSync(path.join(ck, 'optimizer.json'))) {
    const om = readJson(path.join(ck, 'optimizer.json'), dir) as { weights: WeightEntry[] };
    out.optimizer = {
      m: readTensors(path.join(ck, 'optimizer_m.bin'), om.weights, 'optimizer'),
      v: readTensors(path.join(ck, 'optimizer_v.bin'), om.weights, 'optimizer'),
    };
  }
  return out;
}

export function disposeLoaded(m: BertFolder): void {
  for (const t of m.weights.values()) t.dispose();
  if (m.optimizer) for (const t of [...m.optimizer.m.values(), ...m.optimizer.v.values()]) t.dispose();
}

/** Why a folder that is not a Pretrain Lab BERT cannot be read as one, in one sentence. */
function notBertMessage(dir: string, raw: unknown): string {
  const d = detectKind(raw);
  if (!d.ok || d.huggingFace) {
    const hint = d.huggingFace ? ' (it looks like a Hugging Face model folder)' : '';
    return `${dir} was not written by Pretrain Lab${hint}; its config.json has no "format": "${FORMAT}".`;
  }
  return `${dir} is a ${KINDS[d.kind].label} model folder, not a BERT one; pick a BERT model for this.`;
}

/**
 * The token embedding table (static vectors of WordPieces) read straight from weights.bin, without
 * TensorFlow: [V, H] row-major, with the vocabulary's tokens as words.
 */
export function readBertInputEmbeddings(dir: string): {
  words: string[];
  dim: number;
  vectors: Float32Array;
} {
  const ck = checkpointDir(dir);
  if (!ck) throw new ModelFolderError(`${dir} has no checkpoint/ folder with weights yet; train it first.`);
  const manifest = readJson(path.join(ck, 'weights.json'), dir);
  const entries =
    isRecord(manifest) && Array.isArray(manifest.weights) ? (manifest.weights as WeightEntry[]) : [];
  const e = entries.find((w) => w.name === 'embeddings.word_embeddings');
  if (!e)
    throw new ModelFolderError(
      `${ck}/weights.json has no embeddings.word_embeddings; the checkpoint is damaged.`,
    );
  const [V, H] = e.shape;
  const fd = fs.openSync(path.join(ck, 'weights.bin'), 'r');
  const bytes = Buffer.alloc(V * H * 4);
  try {
    const n = fs.readSync(fd, bytes, 0, bytes.length, e.offset * 4);
    if (n !== bytes.length)
      throw new ModelFolderError(
        `${ck}/weights.bin is shorter than its manifest says; the checkpoint is truncated.`,
      );
  } finally {
    fs.closeSync(fd);
  }
  const vectors = new Float32Array(bytes.buffer, bytes.byteOffset, V * H).slice();
  const words = fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8').split('\n').slice(0, V);
  return { words, dim: H, vectors };
}

/** The input embedding table as a vector table for the Embedding Explorer (static WordPiece vectors). */
export function bertVectors(dir: string): LoadedVectors {
  const t = readBertInputEmbeddings(dir);
  return {
    vectors: new WordVectors(t.words, t.dim, t.vectors),
    summary: { dir, type: 'word2vec', dim: t.dim, vocabSize: t.words.length, source: 'pretrain-lab' },
    bertDir: dir,
  };
}
