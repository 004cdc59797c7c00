// The BERT model folder: config.json, vocab.txt, metrics.jsonl and checkpoint/ (weights, optimizer
// state, trainer state). A checkpoint is written to a temporary folder and swapped into place
// (io/atomic.ts), so an interrupted run always leaves the last complete one. Its manifests carry a
// SHA-256 of each weight file, of vocab.txt and of the config fields that change answers; a load
// checks them, the tensor names and shapes against config.json, and refuses non-finite values.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { BertConfig, ModelSummary, TrainProgress } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { BERT_FORMAT, detectKind, KINDS } from '../../shared/modelKinds';
import { writeFileAtomic } from '../io/atomic';
import { bertParamShapes, validateBertConfig } from '../models/bert';
import { Vocab } from '../tokenizer/vocab';
import { type LoadedVectors, WordVectors } from '../word2vec/vectors';
import {
  isRecord,
  ModelFolderError,
  readModelFile,
  readModelJson,
  textChecksum,
  unknownConfigMessage,
  verifyChecksum,
} from './files';
import {
  type CheckpointOf,
  CONFIG_KEY,
  checkConfigChecksum,
  checkedConfig,
  configChecksum,
  disposeCheckpointTensors,
  readCheckpointManifest,
  readCheckpointTensors,
  readTable,
  readTrainerStateOf,
  requireModelDir,
  stepTrainedSummary,
  type TrainerStateOf,
  writeCheckpoint,
} from './modelFolder';
import { checkAgainstConfig, type WeightEntry } from './tensorFile';

export { checkpointDir } from './modelFolder';

export const FORMAT_VERSION = 1;

export interface ModelConfigFile {
  format: typeof BERT_FORMAT;
  formatVersion: number;
  modelType: 'bert';
  preset?: string;
  bert: BertConfig;
  // stripAccents and splitCjk are set for Hugging Face folders only (their tokenizer_config.json)
  tokenizer: { lowercase: boolean; stripAccents?: boolean; splitCjk?: boolean };
  corpus?: string[];
  createdAt: string;
}

export type TrainerState = TrainerStateOf<TrainProgress>;

/** A BERT folder read into tensors (the caller disposes them with `disposeLoaded`). */
export interface BertFolder {
  dir: string;
  config: ModelConfigFile;
  vocab: Vocab;
  weights: Map<string, tf.Tensor>;
  optimizer?: { m: Map<string, tf.Tensor>; v: Map<string, tf.Tensor> };
  state?: TrainerState;
}

/** Keys of the manifests' `sha256` record beside the weight files' own names. */
const VOCAB_KEY = 'vocab.txt';

/** The config fields that change what the model answers, as one string to hash. */
function modelFields(c: ModelConfigFile): string {
  const b = c.bert;
  return JSON.stringify([
    b.vocabSize,
    b.hiddenSize,
    b.numLayers,
    b.numHeads,
    b.intermediateSize,
    b.maxPositions,
    b.typeVocabSize,
    b.layerNormEps,
    c.tokenizer.lowercase,
  ]);
}

/** The folder's BERT config.json when it and vocab.txt are in place, else undefined. */
function headerConfig(dir: string): ModelConfigFile | undefined {
  try {
    const raw: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    const ok =
      isRecord(raw) &&
      raw.format === BERT_FORMAT &&
      isRecord(raw.bert) &&
      isRecord(raw.tokenizer) &&
      fs.existsSync(path.join(dir, 'vocab.txt'));
    return ok ? (raw as unknown as ModelConfigFile) : undefined;
  } catch {
    return undefined;
  }
}

export type CheckpointContent = CheckpointOf<TrainerState>;

/** Writes checkpoint/ atomically: a temporary folder swapped in (the previous one is removed after). */
export function saveCheckpoint(dir: string, names: string[], c: CheckpointContent): void {
  // A BERT folder's header is written before its checkpoints; other kinds that save through here
  // (fine-tuned folders) write theirs after, so only a BERT header is bound to the weights.
  const header: Record<string, string> = {};
  const cfg = headerConfig(dir);
  if (cfg) {
    header[VOCAB_KEY] = textChecksum(fs.readFileSync(path.join(dir, 'vocab.txt')));
    header[CONFIG_KEY] = configChecksum(modelFields(cfg));
  }
  writeCheckpoint(dir, names, c, header);
}

export function writeModelHeader(dir: string, config: ModelConfigFile, vocab: Vocab): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  writeFileAtomic(path.join(dir, 'vocab.txt'), vocab.serialize());
}

export function readMetrics(dir: string): TrainProgress[] {
  const f = path.join(dir, 'metrics.jsonl');
  let text: string;
  try {
    text = fs.readFileSync(f, 'utf8');
  } catch {
    return []; // no metrics yet (or unreadable): the summary shows none
  }
  const out: TrainProgress[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const p: unknown = JSON.parse(line);
      if (isRecord(p) && typeof p.step === 'number') out.push(p as unknown as TrainProgress);
    } catch {
      // a line cut by a crash mid-append; the rest stays readable
    }
  }
  return out;
}

export function readModelConfig(dir: string): ModelConfigFile {
  requireModelDir(dir);
  const file = path.join(dir, 'config.json');
  const raw = readModelJson(file);
  if (!isRecord(raw) || raw.format !== BERT_FORMAT) throw new ModelFolderError(notBertMessage(dir, raw));
  if (!isRecord(raw.bert) || !isRecord(raw.tokenizer) || typeof raw.tokenizer.lowercase !== 'boolean') {
    throw new ModelFolderError(
      l10n.t(
        '{0} lacks its "bert" or "tokenizer" section; the model folder is damaged, so restore it or retrain.',
        file,
      ),
    );
  }
  const cfg = raw as unknown as ModelConfigFile;
  checkedConfig(file, () => validateBertConfig(cfg.bert));
  if (!(cfg.bert.layerNormEps > 0 && cfg.bert.layerNormEps < 1))
    throw new ModelFolderError(
      l10n.t(
        '{0} gives layerNormEps {1}, which must be between 0 and 1; restore it or retrain.',
        file,
        cfg.bert.layerNormEps,
      ),
    );
  return cfg;
}

export function readTrainerState(dir: string): TrainerState | undefined {
  return readTrainerStateOf<TrainerState>(dir);
}

/** What every reader of a BERT folder checks first: config, vocabulary and the weight manifest. */
interface CheckedFolder {
  config: ModelConfigFile;
  vocab: Vocab;
  ck: string;
  entries: WeightEntry[];
  sha256: Record<string, unknown>;
}

/** vocab.txt, checked against the manifest's checksum when it has one. */
function readVocab(dir: string, sums: Record<string, unknown>): Vocab {
  const file = path.join(dir, 'vocab.txt');
  const bytes = readModelFile(file);
  verifyChecksum(file, bytes, sums[VOCAB_KEY], textChecksum);
  try {
    return Vocab.parse(bytes.toString('utf8'), file);
  } catch (e) {
    throw new ModelFolderError(
      l10n.t('{0}; restore vocab.txt or retrain.', (e as Error).message.replace(/\.$/, '')),
    );
  }
}

function checkFolder(dir: string): CheckedFolder {
  const config = readModelConfig(dir);
  const { ck, manifestFile, entries, sha256: sums } = readCheckpointManifest(dir);
  checkAgainstConfig(manifestFile, entries, config.bert);
  checkConfigChecksum(
    dir,
    sums,
    modelFields(config),
    l10n.t(' (its sizes, numHeads, layerNormEps or lowercase changed)'),
  );
  const vocab = readVocab(dir, sums);
  if (vocab.size !== config.bert.vocabSize) {
    throw new ModelFolderError(
      l10n.t(
        '{0}/vocab.txt has {1} tokens but config.json says vocabSize {2}; restore the vocab.txt saved with the model or retrain.',
        dir,
        vocab.size,
        config.bert.vocabSize,
      ),
    );
  }
  return { config, vocab, ck, entries, sha256: sums };
}

/** Loads and checks a whole model folder; every problem is named with its file. */
export function loadModelFolder(dir: string, opts: { withOptimizer?: boolean } = {}): BertFolder {
  const { config, vocab, ck, entries, sha256: sums } = checkFolder(dir);
  const state = readTrainerState(dir);
  return { dir, config, vocab, state, ...readCheckpointTensors(ck, entries, sums, opts.withOptimizer) };
}

export function disposeLoaded(m: BertFolder): void {
  disposeCheckpointTensors(m);
}

/** Why a folder that is not a Pretrain Lab BERT cannot be read as one, in one sentence. */
function notBertMessage(dir: string, raw: unknown): string {
  const d = detectKind(raw);
  if (!d.ok) return unknownConfigMessage(dir, raw);
  if (d.huggingFace)
    return l10n.t(
      '{0} was not written by Pretrain Lab (it looks like a Hugging Face model folder); pick a model Pretrain Lab trained.',
      dir,
    );
  return l10n.t(
    '{0} is a {1} model folder, not a BERT one; pick a BERT model for this.',
    dir,
    KINDS[d.kind].label,
  );
}

/**
 * The token embedding table (static vectors of WordPieces) read without TensorFlow: [V, H] row-major,
 * with the vocabulary's tokens as words. Also serves fine-tuned folders (their config.json is not a
 * BERT one), so it checks the weights against vocab.txt, not config.json; the whole weights.bin is
 * read so its checksum can be checked.
 */
export function readBertInputEmbeddings(dir: string): {
  words: string[];
  dim: number;
  vectors: Float32Array;
} {
  const { ck, manifestFile, entries, sha256: sums } = readCheckpointManifest(dir, l10n.t('train it first'));
  const vocab = readVocab(dir, sums);
  const e = entries.find((w) => w.name === 'embeddings.word_embeddings');
  if (e?.shape.length !== 2 || e.shape[0] !== vocab.size)
    throw new ModelFolderError(
      l10n.t(
        '{0} has no embeddings.word_embeddings of {1} rows (one per line of vocab.txt); restore the checkpoint or retrain.',
        manifestFile,
        vocab.size,
      ),
    );
  return { words: [...vocab.tokens], ...readTable(ck, entries, sums, e) };
}

/** The input embedding table as a vector table for the Embedding Explorer (static WordPiece vectors). */
export function bertVectors(dir: string): LoadedVectors {
  const t = readBertInputEmbeddings(dir);
  return {
    vectors: new WordVectors(t.words, t.dim, t.vectors),
    summary: { dir, type: 'word2vec', dim: t.dim, vocabSize: t.words.length, source: 'pretrain-lab' },
    kind: 'bert',
    label: l10n.t('{0} input embeddings', KINDS.bert.label),
  };
}

/** Parameters of a BERT of this config: the sum over its parameter shapes. */
export function bertParamCount(c: BertConfig): number {
  return bertParamShapes(c).reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
}

/** A BERT folder's summary from its config and trainer state (no weights read). */
export function summarize(
  dir: string,
  cfg: ModelConfigFile,
  state: TrainerState | undefined,
  params: number,
): ModelSummary {
  return stepTrainedSummary(dir, 'bert', cfg, cfg.bert, params, state);
}
