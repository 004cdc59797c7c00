// The word2vec model folder: config.json, vocab.tsv (word, count; row i of the vectors) and
// checkpoint/ (syn0.f32 and syn1.f32 as raw little-endian float32, state.json). A checkpoint is
// written to a temporary folder and swapped into place (io/atomic.ts), so an interrupted run keeps
// the last one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { W2vChinese, W2vSummary, W2vTokenization } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { WORD2VEC_FORMAT } from '../../shared/modelKinds';
import { completeFolder, replaceFolderAtomic, writeFileAtomic, writeFloat32File } from '../io/atomic';
import { type LoadedVectors, WordVectors } from '../word2vec/vectors';
import {
  bytesOf,
  checksumHash,
  isRecord,
  ModelFolderError,
  readFloat32File,
  readModelFile,
  readModelJson,
  sha256,
  textChecksum,
  verifyChecksum,
} from './files';

export const W2V_FORMAT_VERSION = 1;

export interface W2vConfigFile {
  format: typeof WORD2VEC_FORMAT;
  formatVersion: number;
  modelType: 'word2vec';
  options: Record<string, unknown>;
  tokenizer: { tokenization: W2vTokenization; chinese: W2vChinese; lowercase: boolean };
  corpus?: string[];
  corpusWords: number;
  dim: number;
  vocabSize: number;
  createdAt: string;
}

export interface W2vState {
  epochsDone: number;
  epochs: number;
  epochLosses: number[]; // mean loss per prediction of each finished epoch
  finished: boolean;
  savedAt: string;
}

export interface W2vFolder {
  config: W2vConfigFile;
  words: string[];
  counts: Float64Array;
  state: W2vState;
  syn0: Float32Array;
  syn1: Float32Array;
}

export function writeW2vHeader(
  dir: string,
  config: W2vConfigFile,
  words: string[],
  counts: ArrayLike<number>,
): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const lines = words.map((w, i) => `${w}\t${counts[i]}`);
  writeFileAtomic(path.join(dir, 'vocab.tsv'), lines.join('\n') + '\n');
}

export function saveW2vCheckpoint(
  dir: string,
  syn0: Float32Array,
  syn1: Float32Array,
  state: W2vState,
): void {
  replaceFolderAtomic(dir, 'checkpoint', (tmp) => {
    writeFloat32File(path.join(tmp, 'syn0.f32'), syn0);
    writeFloat32File(path.join(tmp, 'syn1.f32'), syn1);
    // the manifest, written last: its presence marks the folder complete
    const sums = { 'syn0.f32': sha256Of(syn0), 'syn1.f32': sha256Of(syn1), [VOCAB_KEY]: vocabSum(dir) };
    fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify({ ...state, sha256: sums }, null, 2));
  });
}

/** SHA-256 of float32 data; SharedArrayBuffer views (the training's weights) are hashed in copies. */
function sha256Of(a: Float32Array): string {
  if (a.buffer instanceof ArrayBuffer) return sha256(bytesOf(a));
  const h = checksumHash();
  for (let i = 0; i < a.length; i += 1 << 22) h.update(bytesOf(a.slice(i, i + (1 << 22))));
  return h.digest('hex');
}

const VOCAB_KEY = 'vocab.tsv';

function vocabSum(dir: string): string | undefined {
  const f = path.join(dir, 'vocab.tsv');
  return fs.existsSync(f) ? textChecksum(fs.readFileSync(f)) : undefined;
}

/** The folder's config.json if it is a Pretrain Lab word2vec model, else undefined. */
export function readW2vConfig(dir: string): W2vConfigFile | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as W2vConfigFile;
    return isRecord(c) && c.format === WORD2VEC_FORMAT ? c : undefined;
  } catch {
    return undefined;
  }
}

/** config.json checked: its sizes are whole numbers (they size the vector files). */
function checkedConfig(dir: string): W2vConfigFile {
  const file = path.join(dir, 'config.json');
  const c = readModelJson(file);
  if (!isRecord(c) || c.format !== WORD2VEC_FORMAT)
    throw new ModelFolderError(
      l10n.t('{0} is not a Pretrain Lab word2vec model folder; pick one, or a word-vector file.', dir),
    );
  if (
    !Number.isSafeInteger(c.dim) ||
    (c.dim as number) <= 0 ||
    !isRecord(c.options) ||
    !isRecord(c.tokenizer)
  )
    throw new ModelFolderError(
      l10n.t('{0} is damaged (no valid "dim", "options" or "tokenizer"); restore it or retrain.', file),
    );
  return c as unknown as W2vConfigFile;
}

export function readW2vVocab(dir: string, checksum?: unknown): { words: string[]; counts: Float64Array } {
  const file = path.join(dir, 'vocab.tsv');
  const bytes = readModelFile(file);
  verifyChecksum(file, bytes, checksum, textChecksum);
  const lines = bytes.toString('utf8').replace(/\r\n/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const words: string[] = [];
  const counts = new Float64Array(lines.length);
  lines.forEach((l, i) => {
    const tab = l.lastIndexOf('\t');
    const count = Number(l.slice(tab + 1));
    if (tab < 0 || !Number.isFinite(count))
      throw new ModelFolderError(
        l10n.t('{0} line {1} is not a word, a tab and a count; restore the file or retrain.', file, i + 1),
      );
    words.push(l.slice(0, tab));
    counts[i] = count;
  });
  return { words, counts };
}

function readState(file: string): W2vState & { sha256?: Record<string, unknown> } {
  const raw = readModelJson(file);
  if (
    !isRecord(raw) ||
    typeof raw.epochsDone !== 'number' ||
    (raw.sha256 !== undefined && !isRecord(raw.sha256))
  )
    throw new ModelFolderError(
      l10n.t('{0} is damaged (no epoch count); restore the checkpoint or retrain.', file),
    );
  return raw as unknown as W2vState & { sha256?: Record<string, unknown> };
}

/**
 * The folder's last complete checkpoint (or the previous one if a swap was interrupted); undefined
 * when the folder is not a word2vec model or has no checkpoint yet, a sentence when it is damaged.
 */
export function loadW2vCheckpoint(dir: string): W2vFolder | undefined {
  if (!readW2vConfig(dir)) return undefined;
  const config = checkedConfig(dir);
  const cp = completeFolder(dir, 'checkpoint', 'state.json');
  if (!cp) return undefined;
  const { sha256: sums, ...state } = readState(path.join(cp, 'state.json'));
  const { words, counts } = readW2vVocab(dir, sums?.[VOCAB_KEY]);
  const n = words.length * config.dim;
  const what = `${words.length} words × ${config.dim} dimensions`;
  return {
    config,
    words,
    counts,
    state,
    syn0: readFloat32File(path.join(cp, 'syn0.f32'), n, sums?.['syn0.f32'], what),
    syn1: readFloat32File(path.join(cp, 'syn1.f32'), n, sums?.['syn1.f32'], what),
  };
}

/** A word2vec folder's summary from its config and training state. */
export function summary(
  dir: string,
  config: W2vConfigFile,
  state: W2vState | undefined,
  words: number,
): W2vSummary {
  return {
    dir,
    type: 'word2vec',
    algo: config.options.algo as W2vSummary['algo'],
    dim: config.dim,
    vocabSize: words,
    corpus: config.corpus,
    corpusWords: config.corpusWords,
    epochsDone: state?.epochsDone,
    epochs: state?.epochs,
    epochLosses: state?.epochLosses,
    source: 'pretrain-lab',
  };
}

/** The summary from config.json and state.json alone (no vectors read). */
export function summariseW2v(dir: string): W2vSummary {
  const config = checkedConfig(dir);
  const cp = completeFolder(dir, 'checkpoint', 'state.json');
  const state = cp ? readState(path.join(cp, 'state.json')) : undefined;
  return summary(dir, config, state, config.vocabSize);
}

/** The input vectors (syn0) of a word2vec folder as a WordVectors table. */
export function loadW2vVectors(dir: string): LoadedVectors {
  checkedConfig(dir);
  const cp = loadW2vCheckpoint(dir);
  if (!cp)
    throw new ModelFolderError(l10n.t('{0} has no finished epoch yet; train at least one epoch first.', dir));
  const s = summary(dir, cp.config, cp.state, cp.words.length);
  return {
    vectors: new WordVectors(cp.words, cp.config.dim, cp.syn0, cp.counts),
    summary: s,
    kind: 'word2vec',
    label: s.algo === 'cbow' ? 'word2vec CBOW' : 'word2vec skip-gram',
  };
}
