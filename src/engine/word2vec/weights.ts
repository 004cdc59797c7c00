// The weights in one shared WebAssembly memory (the layout the kernel reads), their initial values,
// and conversion between padded rows and the compact rows checkpoints store.

import { l10n } from '../../shared/l10nCore';
import { MAX_SENTENCE } from './corpusReader';
import { hashSeed } from './seed';
import { SIMD_WASM_BASE64 } from './simdWasm';

let compiled: WebAssembly.Module | undefined;
export function simdModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(SIMD_WASM_BASE64, 'base64'));
  return compiled;
}

/**
 * One shared WebAssembly memory: syn0, syn1, the σ and -log σ tables, then each thread's scratch
 * (neu1, neu1e, and the byte offsets of the vectors one prediction touches).
 */
export function allocateWeights(V: number, dim: number, threads: number, negative: number, window = 0) {
  const stride = Math.ceil(dim / 16) * 16;
  const row = stride * 4;
  const align = (n: number) => Math.ceil(n / 64) * 64;
  const syn0Off = 64;
  const syn1Off = align(syn0Off + V * row);
  const expOff = align(syn1Off + V * row);
  const logsigOff = align(expOff + 1001 * 4);
  const probOff = align(logsigOff + 4001 * 4);
  const aliasOff = align(probOff + V * 4);
  const scratchOff = align(aliasOff + V * 4);
  const scratchBytes = align(2 * row + 4 * (negative + 1) + 4 * 2 * window + 4 * MAX_SENTENCE);
  const bytes = scratchOff + threads * scratchBytes;
  const pages = Math.ceil(bytes / 65536);
  if (pages > 65536)
    throw new Error(
      l10n.t(
        '{0} words × {1} dimensions need {2} GB of weights, more than the 4 GB WebAssembly can address; lower max-vocab or the vector size.',
        V.toLocaleString('en'),
        dim,
        (bytes / 2 ** 30).toFixed(1),
      ),
    );
  const memory = new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
  const exp = new Float32Array(memory.buffer, expOff, 1001);
  for (let i = 0; i <= 1000; i++) {
    const x = (i / 1000) * 12 - 6;
    exp[i] = 1 / (1 + Math.exp(-x));
  }
  const logsig = new Float32Array(memory.buffer, logsigOff, 4001);
  for (let i = 0; i <= 4000; i++) {
    const x = i / 100 - 20;
    logsig[i] = x > 0 ? Math.log1p(Math.exp(-x)) : -x + Math.log1p(Math.exp(x));
  }
  return {
    memory,
    syn0Off,
    syn1Off,
    expOff,
    logsigOff,
    probOff,
    aliasOff,
    scratchOff,
    scratchBytes,
    stride,
    syn0: new Float32Array(memory.buffer, syn0Off, V * stride),
    syn1: new Float32Array(memory.buffer, syn1Off, V * stride),
  };
}

/** Initial input vectors as gensim 4: uniform in [-1, 1) / dim (word2vec.c: half that); output vectors zero. */
export function initVectors(syn0: Float32Array, dim: number, stride: number, seed: number): void {
  let r = hashSeed(seed, 0x5eed) || 1;
  for (let i = 0; i < syn0.length / stride; i++) {
    for (let c = 0; c < dim; c++) {
      r ^= r << 13;
      r ^= r >>> 17;
      r ^= r << 5;
      syn0[i * stride + c] = (((r >>> 0) / 4294967296) * 2 - 1) / dim;
    }
  }
}

/** Rows of `stride` floats → rows of `dim` floats, and back. */
export function compactRows(a: Float32Array, dim: number, stride: number): Float32Array {
  const V = a.length / stride;
  const out = new Float32Array(V * dim);
  for (let i = 0; i < V; i++) out.set(a.subarray(i * stride, i * stride + dim), i * dim);
  return out;
}

export function expandRows(src: Float32Array, dst: Float32Array, dim: number, stride: number): void {
  const V = src.length / dim;
  for (let i = 0; i < V; i++) dst.set(src.subarray(i * dim, (i + 1) * dim), i * stride);
}
