// The word2vec model folder: config.json, vocab.tsv (word, count; row i of the vectors) and
// checkpoint/ (syn0.f32 and syn1.f32 as raw little-endian float32, state.json). A checkpoint is
// written to a temporary folder and swapped into place (io/atomic.ts), so an interrupted run keeps
// the last one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { W2vChinese, W2vSummary, W2vTokenization } from '../../shared/configs';
import { WORD2VEC_FORMAT } from '../../shared/modelKinds';
import { completeFolder, replaceFolderAtomic, writeFileAtomic, writeFloat32File } from '../io/atomic';
import { type LoadedVectors, WordVectors } from '../word2vec/vectors';

export const W2V_FORMAT = WORD2VEC_FORMAT;

export interface W2vConfigFile {
  format: typeof W2V_FORMAT;
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

export class W2vFolderError extends Error {
  override name = 'W2vFolderError'; // kept across the worker channel (src/shared/rpc.ts)
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

function readFloats(file: string, n: number): Float32Array {
  const buf = fs.readFileSync(file);
  if (buf.byteLength !== n * 4)
    throw new W2vFolderError(
      `${file} has ${buf.byteLength} bytes but the vocabulary and vector size need ${n * 4}; the checkpoint is truncated or from another model.`,
    );
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
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
    // written last: its presence marks the folder complete
    fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  });
}

/** The folder's config.json if it is a Pretrain Lab word2vec model, else undefined. */
export function readW2vConfig(dir: string): W2vConfigFile | undefined {
  try {
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as W2vConfigFile;
    return c.format === W2V_FORMAT ? c : undefined;
  } catch {
    return undefined;
  }
}

export function readW2vVocab(dir: string): { words: string[]; counts: Float64Array } {
  const text = fs.readFileSync(path.join(dir, 'vocab.tsv'), 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const words: string[] = [];
  const counts = new Float64Array(lines.length);
  lines.forEach((l, i) => {
    const tab = l.lastIndexOf('\t');
    if (tab < 0)
      throw new W2vFolderError(
        `${path.join(dir, 'vocab.tsv')} line ${i + 1} has no tab between word and count.`,
      );
    words.push(l.slice(0, tab));
    counts[i] = Number(l.slice(tab + 1));
  });
  return { words, counts };
}

/** The folder's last complete checkpoint (or the previous one if a swap was interrupted). */
export function loadW2vCheckpoint(dir: string): W2vFolder | undefined {
  const config = readW2vConfig(dir);
  if (!config) return undefined;
  const cp = completeFolder(dir, 'checkpoint', 'state.json');
  if (!cp) return undefined;
  const state = JSON.parse(fs.readFileSync(path.join(cp, 'state.json'), 'utf8')) as W2vState;
  const { words, counts } = readW2vVocab(dir);
  const n = words.length * config.dim;
  return {
    config,
    words,
    counts,
    state,
    syn0: readFloats(path.join(cp, 'syn0.f32'), n),
    syn1: readFloats(path.join(cp, 'syn1.f32'), n),
  };
}

function summary(dir: string, config: W2vConfigFile, state: W2vState | undefined, words: number): W2vSummary {
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
  const config = readW2vConfig(dir);
  if (!config) throw new W2vFolderError(`${dir} is not a Pretrain Lab word2vec model folder.`);
  const cp = completeFolder(dir, 'checkpoint', 'state.json');
  const state = cp
    ? (JSON.parse(fs.readFileSync(path.join(cp, 'state.json'), 'utf8')) as W2vState)
    : undefined;
  return summary(dir, config, state, config.vocabSize);
}

/** The input vectors (syn0) of a word2vec folder as a WordVectors table. */
export function loadW2vVectors(dir: string): LoadedVectors {
  const cp = loadW2vCheckpoint(dir);
  if (!cp) {
    if (!readW2vConfig(dir)) throw new W2vFolderError(`${dir} is not a Pretrain Lab word2vec model folder.`);
    throw new W2vFolderError(`${dir} has no finished epoch yet; train at least one epoch first.`);
  }
  return {
    vectors: new WordVectors(cp.words, cp.config.dim, cp.syn0, cp.counts),
    summary: summary(dir, cp.config, cp.state, cp.words.length),
  };
}
