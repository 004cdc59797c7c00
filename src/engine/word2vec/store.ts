// The word2vec model folder: config.json, vocab.tsv (word, count; row i of the vectors) and
// checkpoint/ (syn0.f32 and syn1.f32 as raw little-endian float32, state.json). A checkpoint is
// written to a temporary folder and renamed into place, so an interrupted run keeps the last one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { W2vChinese, W2vTokenization } from '../../shared/configs';
import { writeFileAtomic } from '../train/checkpoint';

export const W2V_FORMAT = 'pretrain-lab/word2vec';

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

/** A 32-bit seed from a user seed and a stream number (splitmix-style mixing). */
export function hashSeed(seed: number, stream: number): number {
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(stream >>> 0, 0x85ebca6b)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0 || 1;
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

function writeFloats(file: string, a: Float32Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    // a SharedArrayBuffer view cannot be written directly on every Node version; copy in 16 MB slices
    const step = 1 << 22;
    for (let i = 0; i < a.length; i += step) {
      const part = Float32Array.from(a.subarray(i, Math.min(a.length, i + step)));
      fs.writeSync(fd, new Uint8Array(part.buffer));
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readFloats(file: string, n: number): Float32Array {
  const buf = fs.readFileSync(file);
  if (buf.byteLength !== n * 4)
    throw new Error(
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
  const tmp = path.join(dir, `checkpoint.tmp-${process.pid}`);
  const final = path.join(dir, 'checkpoint');
  const old = path.join(dir, 'checkpoint.old');
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  writeFloats(path.join(tmp, 'syn0.f32'), syn0);
  writeFloats(path.join(tmp, 'syn1.f32'), syn1);
  fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(state, null, 2));
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(final)) fs.renameSync(final, old);
  fs.renameSync(tmp, final);
  fs.rmSync(old, { recursive: true, force: true });
}

export interface W2vFolder {
  config: W2vConfigFile;
  words: string[];
  counts: Float64Array;
  state: W2vState;
  syn0: Float32Array;
  syn1: Float32Array;
}

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
      throw new Error(`${path.join(dir, 'vocab.tsv')} line ${i + 1} has no tab between word and count.`);
    words.push(l.slice(0, tab));
    counts[i] = Number(l.slice(tab + 1));
  });
  return { words, counts };
}

/** The folder's last complete checkpoint (or the previous one if a swap was interrupted). */
export function loadW2vCheckpoint(dir: string): W2vFolder | undefined {
  const config = readW2vConfig(dir);
  if (!config) return undefined;
  for (const sub of ['checkpoint', 'checkpoint.old']) {
    const cp = path.join(dir, sub);
    if (!fs.existsSync(path.join(cp, 'state.json'))) continue;
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
  return undefined;
}
