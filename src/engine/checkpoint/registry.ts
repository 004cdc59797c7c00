// One table from model kind to its folder: the files it holds, how to load it as a LoadedModel, how
// to summarise it from its JSON alone, its static vector table, and its checkpoint writer. A new
// family (GPT, ELMo, Hugging Face folders) is one more file beside bert.ts and one more row here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSummary, W2vSummary } from '../../shared/configs';
import { detectKind, KINDS, type ModelKind } from '../../shared/modelKinds';
import type { LoadedModel } from '../analysis/loadedModel';
import { VectorsModel } from '../analysis/loadedModel';
import { BertPredictor } from '../analysis/predictMask';
import { bertParamCount, summarize } from '../train/pretrainBert';
import type { LoadedVectors } from '../word2vec/vectors';
import {
  bertVectors,
  ModelFolderError,
  readMetrics,
  readModelConfig,
  readTrainerState,
  saveCheckpoint,
} from './bert';
import { loadW2vVectors, saveW2vCheckpoint, summariseW2v } from './word2vec';

export { ModelFolderError };

export interface KindHandler<Save = unknown> {
  kind: ModelKind;
  /** What the folder holds, beside config.json; checkpoint/ is swapped atomically. */
  files: readonly string[];
  /** Reads and checks the whole folder; the caller disposes the model. */
  load(dir: string): LoadedModel;
  /** From the JSON files alone, without reading weights. */
  summarise(dir: string): ModelSummary | W2vSummary;
  /** The static word-vector table, read without TensorFlow. */
  vectors(dir: string): LoadedVectors;
  /** Writes one checkpoint (arguments are the kind's own: the trainer calls it). */
  save: Save;
}

const bert: KindHandler<typeof saveCheckpoint> = {
  kind: 'bert',
  files: [
    'vocab.txt',
    'metrics.jsonl',
    'checkpoint/weights.json',
    'checkpoint/weights.bin',
    'checkpoint/trainer_state.json',
  ],
  load: (dir) => new BertPredictor(dir),
  summarise(dir) {
    const config = readModelConfig(dir);
    const state = readTrainerState(dir);
    const lastMetrics = state?.lastMetrics ?? readMetrics(dir).at(-1);
    return summarize(dir, config, state && { ...state, lastMetrics }, bertParamCount(config.bert));
  },
  vectors: bertVectors,
  save: saveCheckpoint,
};

const word2vec: KindHandler<typeof saveW2vCheckpoint> = {
  kind: 'word2vec',
  files: ['vocab.tsv', 'checkpoint/syn0.f32', 'checkpoint/syn1.f32', 'checkpoint/state.json'],
  load: (dir) => new VectorsModel(loadW2vVectors(dir)),
  summarise: summariseW2v,
  vectors: loadW2vVectors,
  save: saveW2vCheckpoint,
};

export const REGISTRY = { bert, word2vec } satisfies Partial<Record<ModelKind, KindHandler>>;

function handlerOf(kind: ModelKind): KindHandler | undefined {
  return (REGISTRY as Partial<Record<ModelKind, KindHandler>>)[kind];
}

/** The kind of a model folder and its handler, or one sentence saying why it cannot be read. */
export function folderKind(dir: string): { kind: ModelKind; handler: KindHandler } {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new ModelFolderError(
      `The model folder ${dir} does not exist; pick an existing model or pretrain one.`,
    );
  const file = path.join(dir, 'config.json');
  if (!fs.existsSync(file))
    throw new ModelFolderError(`${dir} is not a Pretrain Lab model: config.json is missing.`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new ModelFolderError(
      `${file} is not valid JSON; the model folder is damaged, so retrain or pick another model.`,
    );
  }
  const d = detectKind(raw);
  if (!d.ok)
    throw new ModelFolderError(
      `${dir} cannot be opened: ${d.problem.charAt(0).toLowerCase()}${d.problem.slice(1)}`,
    );
  const handler = handlerOf(d.kind);
  if (d.huggingFace && !d.loadable)
    throw new ModelFolderError(
      `${dir} was not written by Pretrain Lab (it looks like a Hugging Face model folder); this version cannot load ${KINDS[d.kind].label} folders, so pick a model Pretrain Lab trained.`,
    );
  if (!d.loadable || !handler)
    throw new ModelFolderError(
      `${dir} is a ${KINDS[d.kind].label} model, which this version of Pretrain Lab cannot load yet; pick a BERT or word2vec model.`,
    );
  return { kind: d.kind, handler };
}

/** The folder's kind when Pretrain Lab can load it, else undefined (no error). */
export function loadableKind(dir: string): ModelKind | undefined {
  try {
    return folderKind(dir).kind;
  } catch {
    return undefined;
  }
}

/** Finds the folder's kind and loads it; the caller disposes the model. */
export function openModel(dir: string): LoadedModel {
  return folderKind(dir).handler.load(dir);
}

/** A folder's summary from its JSON files alone. */
export function summariseModel(dir: string): ModelSummary | W2vSummary {
  return folderKind(dir).handler.summarise(dir);
}

/** A folder's static vector table (word2vec vectors, or a BERT's input embeddings). */
export function folderVectors(dir: string): LoadedVectors {
  return folderKind(dir).handler.vectors(dir);
}
