// One table from model kind to its folder: how to load it as a LoadedModel, how to summarise it from
// its JSON alone, its static vector table, and its checkpoint writer (trainers save through
// `checkpointWriter`). `resolveModelPath` is the one place that decides what a path given by a person
// is: a model folder of a kind, a word-vector file, or a folder holding one. A new family (GPT, ELMo,
// Hugging Face folders) is one more file beside bert.ts and one more row here.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ElmoSummary, ModelSummary, W2vSummary } from '../../shared/configs';
import { noSafetensorsMessage, pickleFiles } from '../../shared/hfFolder';
import { l10n } from '../../shared/l10nCore';
import { detectKind, KINDS, type ModelKind } from '../../shared/modelKinds';
import type { LoadedModel } from '../analysis/loadedModel';
import { VectorsModel } from '../analysis/loadedModel';
import { BertPredictor } from '../analysis/predictMask';
import type { LoadedVectors } from '../word2vec/vectors';
import {
  bertParamCount,
  bertVectors,
  readMetrics,
  readModelConfig,
  readTrainerState,
  saveCheckpoint,
  summarize,
} from './bert';
import { elmoHandler } from './elmoHandler';
import { ModelFolderError, readModelJson, unknownConfigMessage } from './files';
import { finetunedHandler } from './finetuned';
import { gptHandler } from './gpt';
import { hfBertHandler } from './hf/bert';
import { hfGpt2Handler } from './hf/gpt2';
import { seq2seqHandler } from './seq2seq';
import { loadW2vVectors, saveW2vCheckpoint, summariseW2v } from './word2vec';

export interface KindHandler<Save = unknown> {
  kind: ModelKind;
  /** Reads and checks the whole folder; the caller disposes the model. */
  load(dir: string): LoadedModel;
  /** From the JSON files alone, without reading weights. */
  summarise(dir: string): ModelSummary | W2vSummary | ElmoSummary;
  /** The static word-vector table, read without TensorFlow. */
  vectors(dir: string): LoadedVectors;
  /** Writes one checkpoint (arguments are the kind's own: its trainer calls it). */
  save: Save;
}

const bert: KindHandler<typeof saveCheckpoint> = {
  kind: 'bert',
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
  load: (dir) => new VectorsModel(loadW2vVectors(dir)),
  summarise: summariseW2v,
  vectors: loadW2vVectors,
  save: saveW2vCheckpoint,
};

const REGISTRY = {
  bert,
  word2vec,
  finetuned: finetunedHandler,
  gpt: gptHandler,
  elmo: elmoHandler,
  'hf-bert': hfBertHandler,
  'hf-gpt2': hfGpt2Handler,
  seq2seq: seq2seqHandler,
} satisfies Partial<Record<ModelKind, KindHandler>>;
type Savable = keyof typeof REGISTRY;

function handlerOf(kind: ModelKind): KindHandler | undefined {
  return (REGISTRY as Partial<Record<ModelKind, KindHandler>>)[kind];
}

/** The checkpoint writer of a kind: `checkpointWriter('bert')(dir, names, content)`. */
export function checkpointWriter<K extends Savable>(kind: K): (typeof REGISTRY)[K]['save'] {
  return REGISTRY[kind].save;
}

/** Word-vector files a folder may hold, in the order they are looked for. */
export const VECTOR_FILES = ['vectors.bin', 'vectors.vec', 'vectors.txt', 'vectors.tsv'];
const VECTOR_FILE_EXT = /\.(bin|vec|txt|tsv)$/i;

/** What a path names: a model folder of a loadable kind, or a word-vector file. */
export type ResolvedPath =
  | { type: 'folder'; dir: string; kind: ModelKind; handler: KindHandler }
  | { type: 'vectors'; file: string };

/**
 * The one place that decides what a path is. Every path that cannot be read gets one sentence naming
 * the actual cause: missing, a file that is not a vector file, a folder without config.json or vectors,
 * a config.json of another program or of a kind this version cannot load.
 */
export function resolveModelPath(p: string): ResolvedPath {
  const abs = path.resolve(p);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new ModelFolderError(
      l10n.t('The model folder {0} does not exist; pick an existing model or pretrain one.', abs),
    );
  }
  if (st.isFile()) {
    if (path.basename(abs) === 'config.json') return resolveModelPath(path.dirname(abs));
    if (VECTOR_FILE_EXT.test(abs)) return { type: 'vectors', file: abs };
    throw new ModelFolderError(
      l10n.t(
        "{0} is a file, not a model folder or a word-vector file (.bin, .vec, .txt, .tsv); pick the folder that holds the model's config.json.",
        abs,
      ),
    );
  }
  const vectors = VECTOR_FILES.map((f) => path.join(abs, f)).find(
    (f) => fs.existsSync(f) && fs.statSync(f).isFile(),
  );
  const config = path.join(abs, 'config.json');
  if (fs.existsSync(config)) {
    try {
      const { kind, handler } = kindOf(abs, readModelJson(config));
      return { type: 'folder', dir: abs, kind, handler };
    } catch (e) {
      // another program's folder that ships its vectors as a file: read those
      if (vectors === undefined) throw e;
    }
  }
  if (vectors !== undefined) return { type: 'vectors', file: vectors };
  if (pickleFiles(fs.readdirSync(abs)).length > 0)
    throw new ModelFolderError(noSafetensorsMessage(abs, fs.readdirSync(abs)));
  throw new ModelFolderError(
    l10n.t(
      '{0} is neither a model folder (it has no config.json) nor holds vectors.bin, .vec, .txt or .tsv; pick a model folder Pretrain Lab trained.',
      abs,
    ),
  );
}

/** The kind a parsed config.json names, with its handler, or why this version cannot load it. */
function kindOf(dir: string, raw: unknown): { kind: ModelKind; handler: KindHandler } {
  const d = detectKind(raw);
  if (!d.ok) throw new ModelFolderError(unknownConfigMessage(dir, raw));
  const handler = handlerOf(d.kind);
  if (d.huggingFace && !d.loadable)
    throw new ModelFolderError(
      l10n.t(
        '{0} was not written by Pretrain Lab (it looks like a Hugging Face model folder), and this version cannot load {1} folders; pick a model Pretrain Lab trained.',
        dir,
        KINDS[d.kind].label,
      ),
    );
  if (!d.loadable || !handler)
    throw new ModelFolderError(
      l10n.t(
        '{0} is a {1} model, which this version of Pretrain Lab cannot load yet; pick a BERT or word2vec model.',
        dir,
        KINDS[d.kind].label,
      ),
    );
  return { kind: d.kind, handler };
}

/** The kind of a model folder and its handler, or one sentence saying why it cannot be read. */
export function folderKind(dir: string): { kind: ModelKind; handler: KindHandler } {
  const r = resolveModelPath(dir);
  if (r.type === 'vectors')
    throw new ModelFolderError(
      l10n.t(
        "{0} is a word-vector file, not a model folder; pick the folder that holds the model's config.json.",
        path.resolve(dir),
      ),
    );
  return r;
}

/** Finds the folder's kind and loads it; the caller disposes the model. */
export function openModel(dir: string): LoadedModel {
  return folderKind(dir).handler.load(dir);
}

/** A folder's summary from its JSON files alone. */
export function summariseModel(dir: string): ModelSummary | W2vSummary | ElmoSummary {
  return folderKind(dir).handler.summarise(dir);
}

/** A folder's static vector table (word2vec vectors, or a BERT's input embeddings). */
export function folderVectors(dir: string): LoadedVectors {
  return folderKind(dir).handler.vectors(dir);
}
