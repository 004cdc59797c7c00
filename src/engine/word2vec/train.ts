// word2vec training: read the corpus twice (count, then encode as word ids), build the vocabulary,
// the unigram^0.75 sampling table and the Huffman tree, then run the kernel on worker threads that share the
// weights, one epoch at a time, with a checkpoint after each epoch.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  DEFAULT_WORD2VEC,
  type W2vProgress,
  type W2vSummary,
  type Word2vecOptions,
} from '../../shared/configs';
import { type CorpusStats, emptyStats, readDocuments, resolveCorpus } from '../data/corpus';
import { type KernelJob, type KernelShared, w2vKernel } from './kernel';
import { SIMD_WASM_BASE64 } from './simdWasm';
import {
  hashSeed,
  loadW2vCheckpoint,
  saveW2vCheckpoint,
  W2V_FORMAT,
  type W2vConfigFile,
  type W2vState,
  writeW2vHeader,
} from './store';
import { W2vTokenizer } from './tokenize';

export interface W2vHooks {
  onLog?: (message: string) => void;
  onProgress?: (p: W2vProgress) => void;
  shouldStop?: () => boolean;
  reportEveryMs?: number;
}

export interface W2vResult {
  status: 'done' | 'cancelled';
  epochsDone: number;
  summary: W2vSummary;
}

export function withW2vDefaults(
  o: Partial<Word2vecOptions> & Pick<Word2vecOptions, 'corpus' | 'outDir'>,
): Word2vecOptions {
  const out = { ...DEFAULT_WORD2VEC } as Word2vecOptions;
  for (const [k, v] of Object.entries(o))
    if (v !== undefined) (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

export function validateW2vOptions(o: Word2vecOptions): void {
  const posInt = (v: number, name: string, min = 1) => {
    if (!Number.isInteger(v) || v < min)
      throw new Error(`${name} must be a whole number of at least ${min}, got ${v}.`);
  };
  if (o.algo !== 'skipgram' && o.algo !== 'cbow')
    throw new Error(`The algorithm must be skipgram or cbow, got "${o.algo}".`);
  posInt(o.dim, 'The vector size (dim)');
  posInt(o.window, 'The window');
  posInt(o.epochs, 'The number of epochs');
  posInt(o.minCount, 'min-count');
  posInt(o.maxVocab, 'max-vocab', 0);
  posInt(o.negative, 'negative', 0);
  posInt(o.threads, 'threads');
  if (!o.hs && o.negative === 0)
    throw new Error(
      'With negative 0 there is nothing to train; use negative ≥ 1 or hierarchical softmax (--hs).',
    );
  if (!(o.alpha > 0) || !(o.minAlpha >= 0) || o.minAlpha > o.alpha)
    throw new Error(
      `The learning rate must be positive and above min-alpha, got ${o.alpha} and ${o.minAlpha}.`,
    );
  if (!(o.sample >= 0))
    throw new Error(`sample must be 0 (off) or a small positive number, got ${o.sample}.`);
}

export interface W2vVocab {
  words: string[];
  counts: Float64Array;
  index: Map<string, number>;
}

const MAX_SENTENCE = 10000; // longer lines are cut into pieces of this many words, as gensim does

/** A growable Int32Array. */
class IntList {
  data = new Int32Array(1 << 16);
  length = 0;
  push(x: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = x;
  }
  /** A copy in a SharedArrayBuffer, for the training threads. */
  shared(): Int32Array {
    const out = new Int32Array(new SharedArrayBuffer(Math.max(4, this.length * 4)));
    out.set(this.data.subarray(0, this.length));
    return out;
  }
}

/**
 * Reads and tokenizes the corpus once: counts words, keeps those seen minCount times (at most
 * maxVocab), most frequent first (ties in first-seen order, as gensim), and encodes the text as
 * vocabulary ids, out-of-vocabulary words dropped, one sentence per line.
 */
export async function readCorpus(
  files: string[],
  tok: W2vTokenizer,
  minCount: number,
  maxVocab: number,
  stats: CorpusStats,
): Promise<{ vocab: W2vVocab; rawWords: number; distinct: number; corpus: Int32Array; starts: Int32Array }> {
  const seen = new Map<string, number>(); // word → first-seen id
  const seenWords: string[] = [];
  const seenCounts: number[] = [];
  const raw = new IntList(); // every word as its first-seen id
  const lineEnds = new IntList();
  for await (const doc of readDocuments(files, stats)) {
    for (const line of doc) {
      for (const w of tok.words(line)) {
        let id = seen.get(w);
        if (id === undefined) {
          id = seenWords.length;
          seen.set(w, id);
          seenWords.push(w);
          seenCounts.push(0);
        }
        seenCounts[id]++;
        raw.push(id);
      }
      lineEnds.push(raw.length);
    }
  }
  let kept = seenWords.map((_, i) => i).filter((i) => seenCounts[i] >= minCount);
  kept.sort((x, y) => seenCounts[y] - seenCounts[x]); // stable
  if (maxVocab > 0) kept = kept.slice(0, maxVocab);
  const remap = new Int32Array(seenWords.length).fill(-1);
  kept.forEach((i, j) => {
    remap[i] = j;
  });
  const words = kept.map((i) => seenWords[i]);
  const corpus = new IntList();
  const starts = new IntList();
  starts.push(0);
  let from = 0;
  for (let l = 0; l < lineEnds.length; l++) {
    let inSentence = 0;
    for (let k = from; k < lineEnds.data[l]; k++) {
      const id = remap[raw.data[k]];
      if (id < 0) continue;
      corpus.push(id);
      if (++inSentence === MAX_SENTENCE) {
        starts.push(corpus.length);
        inSentence = 0;
      }
    }
    if (inSentence > 0) starts.push(corpus.length);
    from = lineEnds.data[l];
  }
  return {
    vocab: {
      words,
      counts: Float64Array.from(kept, (i) => seenCounts[i]),
      index: new Map(words.map((w, i) => [w, i])),
    },
    rawWords: raw.length,
    distinct: seenWords.length,
    corpus: corpus.shared(),
    starts: starts.shared(),
  };
}

/**
 * The negative-sampling distribution, count(w)^0.75 / Σ count^0.75, as Vose's alias table: one draw
 * picks a row, a second keeps it or takes its alias. Exact, O(1) per sample, and 8 bytes a word, so it
 * stays in cache where word2vec.c's 10⁸-slot table does not.
 */
export function aliasTable(counts: Float64Array, power = 0.75): { prob: Float32Array; alias: Int32Array } {
  const V = counts.length;
  const prob = new Float32Array(V);
  const alias = new Int32Array(V);
  let total = 0;
  for (const c of counts) total += c ** power;
  const scaled = Float64Array.from(counts, (c) => (c ** power / total) * V);
  const small: number[] = [];
  const large: number[] = [];
  scaled.forEach((p, i) => {
    (p < 1 ? small : large).push(i);
  });
  while (small.length && large.length) {
    const s = small.pop()!;
    const l = large[large.length - 1];
    prob[s] = scaled[s];
    alias[s] = l;
    scaled[l] -= 1 - scaled[s];
    if (scaled[l] < 1) {
      large.pop();
      small.push(l);
    }
  }
  for (const i of [...small, ...large]) {
    prob[i] = 1;
    alias[i] = i;
  }
  return { prob, alias };
}

/** Huffman tree over the counts, as word2vec.c's CreateBinaryTree: codes and inner-node paths. */
export function huffman(counts: Float64Array): {
  codes: Uint8Array;
  points: Int32Array;
  codeOff: Int32Array;
  codeLen: Uint8Array;
} {
  const V = counts.length;
  const count = new Float64Array(V * 2 + 1).fill(1e15);
  count.set(counts);
  const binary = new Uint8Array(V * 2 + 1);
  const parent = new Int32Array(V * 2 + 1);
  // counts are sorted descending; two pointers walk leaves (from the end) and new nodes (from V)
  let pos1 = V - 1;
  let pos2 = V;
  for (let a = 0; a < V - 1; a++) {
    let min1: number;
    let min2: number;
    if (pos1 >= 0 && count[pos1] < count[pos2]) min1 = pos1--;
    else min1 = pos2++;
    if (pos1 >= 0 && count[pos1] < count[pos2]) min2 = pos1--;
    else min2 = pos2++;
    count[V + a] = count[min1] + count[min2];
    parent[min1] = V + a;
    parent[min2] = V + a;
    binary[min2] = 1;
  }
  const codeLen = new Uint8Array(new SharedArrayBuffer(Math.max(1, V)));
  const codeOff = new Int32Array(new SharedArrayBuffer(Math.max(4, V * 4)));
  const codesTmp: number[][] = [];
  const pointsTmp: number[][] = [];
  let total = 0;
  for (let a = 0; a < V; a++) {
    const code: number[] = [];
    const point: number[] = [];
    let b = a;
    do {
      code.push(binary[b]);
      point.push(b);
      b = parent[b];
    } while (b !== V * 2 - 2);
    // from the root down, as word2vec.c: point[0] is the root (V - 2), inner nodes numbered from 0
    const cl = code.length;
    const c2 = new Array<number>(cl);
    const p2 = new Array<number>(cl);
    p2[0] = V - 2;
    for (let i = 0; i < cl; i++) c2[cl - 1 - i] = code[i];
    for (let i = 1; i < cl; i++) p2[cl - i] = point[i] - V;
    codesTmp.push(c2);
    pointsTmp.push(p2);
    codeLen[a] = Math.min(255, cl);
    codeOff[a] = total;
    total += cl;
  }
  const codes = new Uint8Array(new SharedArrayBuffer(Math.max(1, total)));
  const points = new Int32Array(new SharedArrayBuffer(Math.max(4, total * 4)));
  for (let a = 0; a < V; a++) {
    codes.set(codesTmp[a], codeOff[a]);
    points.set(pointsTmp[a], codeOff[a]);
  }
  return { codes, points, codeOff, codeLen };
}

/** gensim's subsampling: keep an occurrence of w with probability (√(f/t) + 1)·t/f, f = count/total. */
export function keepProbabilities(counts: Float64Array, sample: number): Float32Array {
  const keep = new Float32Array(new SharedArrayBuffer(Math.max(4, counts.length * 4)));
  let total = 0;
  for (const c of counts) total += c;
  const threshold = sample * total;
  for (let i = 0; i < counts.length; i++) {
    const v = counts[i];
    keep[i] = sample > 0 ? Math.min(1, (Math.sqrt(v / threshold) + 1) * (threshold / v)) : 1;
  }
  return keep;
}

let compiled: WebAssembly.Module | undefined;
function simdModule(): WebAssembly.Module {
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
      `${V.toLocaleString('en')} words × ${dim} dimensions need ${(bytes / 2 ** 30).toFixed(1)} GB of weights, more than the 4 GB WebAssembly can address; lower max-vocab or the vector size.`,
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
function initVectors(syn0: Float32Array, dim: number, stride: number, seed: number): void {
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

function expandRows(src: Float32Array, dst: Float32Array, dim: number, stride: number): void {
  const V = src.length / dim;
  for (let i = 0; i < V; i++) dst.set(src.subarray(i * dim, (i + 1) * dim), i * stride);
}

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const __name = (f) => f;
const kernel = (${w2vKernel.toString()});
parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ ok: true, result: kernel(workerData, job) });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
});
`;

/** Runs jobs on a pool of threads that share `shared`. */
class KernelPool {
  private readonly workers: Worker[];
  constructor(shared: KernelShared, n: number) {
    this.workers = Array.from(
      { length: n },
      () => new Worker(WORKER_SOURCE, { eval: true, workerData: shared }),
    );
  }
  run(jobs: KernelJob[]): Promise<{ words: number; stopped: boolean }[]> {
    return Promise.all(
      jobs.map(
        (job, i) =>
          new Promise<{ words: number; stopped: boolean }>((resolve, reject) => {
            const w = this.workers[i];
            const onMsg = (m: {
              ok: boolean;
              result?: { words: number; stopped: boolean };
              error?: string;
            }) => {
              w.off('error', onErr);
              if (m.ok) resolve(m.result!);
              else reject(new Error(`A word2vec training thread failed: ${m.error}`));
            };
            const onErr = (e: Error) => {
              w.off('message', onMsg);
              reject(new Error(`A word2vec training thread crashed: ${e.message}`));
            };
            w.once('message', onMsg);
            w.once('error', onErr);
            w.postMessage(job);
          }),
      ),
    );
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Splits sentences [0, S) into n runs of about equal words. */
function splitSentences(starts: Int32Array, n: number): [number, number][] {
  const S = starts.length - 1;
  const total = starts[S];
  const out: [number, number][] = [];
  let s = 0;
  for (let t = 0; t < n; t++) {
    const target = ((t + 1) * total) / n;
    let e = s;
    while (e < S && (t === n - 1 || starts[e + 1] <= target)) e++;
    if (t < n - 1 && e === s && e < S) e++;
    out.push([s, e]);
    s = e;
  }
  return out;
}

function sameTraining(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = [
    'algo',
    'dim',
    'window',
    'negative',
    'hs',
    'sample',
    'minCount',
    'maxVocab',
    'epochs',
    'alpha',
    'minAlpha',
    'cbowMean',
    'seed',
    'tokenization',
    'chinese',
    'lowercase',
  ];
  return keys.every((k) => a[k] === b[k]);
}

export async function pretrainWord2vec(opts: Word2vecOptions, hooks: W2vHooks = {}): Promise<W2vResult> {
  validateW2vOptions(opts);
  const log = hooks.onLog ?? (() => {});
  const { files, missing } = resolveCorpus(opts.corpus);
  if (missing.length) log(`Nothing found at ${missing.join(', ')}; skipped.`);
  if (files.length === 0)
    throw new Error(
      `No corpus files found at ${opts.corpus.join(', ')}; give text files, a folder or a glob.`,
    );
  const tok = new W2vTokenizer(opts);
  const stats = emptyStats();
  const t0 = Date.now();
  const { vocab, rawWords, distinct, corpus, starts } = await readCorpus(
    files,
    tok,
    opts.minCount,
    opts.maxVocab,
    stats,
  );
  if (stats.skippedBinary.length || stats.skippedEncoding.length)
    log(`Skipped ${stats.skippedBinary.length} binary and ${stats.skippedEncoding.length} non-UTF-8 files.`);
  if (vocab.words.length < 2)
    throw new Error(
      `The corpus has ${rawWords.toLocaleString('en')} words and ${vocab.words.length} of its ${distinct.toLocaleString('en')} distinct words occur at least ${opts.minCount} times; word2vec needs at least 2 — lower min-count or give more text.`,
    );
  const trainWords = starts[starts.length - 1];
  log(
    `Corpus: ${stats.files} files, ${rawWords.toLocaleString('en')} words, ${distinct.toLocaleString('en')} distinct; vocabulary ${vocab.words.length.toLocaleString('en')} words (min-count ${opts.minCount}), ${trainWords.toLocaleString('en')} words to train on; read in ${((Date.now() - t0) / 1000).toFixed(1)} s.`,
  );

  const V = vocab.words.length;
  const dim = opts.dim;
  const dir = path.resolve(opts.outDir);
  const config: W2vConfigFile = {
    format: W2V_FORMAT,
    formatVersion: 1,
    modelType: 'word2vec',
    options: { ...opts, corpus: undefined, outDir: undefined, resume: undefined, threads: undefined },
    tokenizer: { tokenization: opts.tokenization, chinese: opts.chinese, lowercase: opts.lowercase },
    corpus: opts.corpus,
    corpusWords: trainWords,
    dim,
    vocabSize: V,
    createdAt: new Date().toISOString(),
  };

  const threads = Math.max(1, Math.min(opts.threads, starts.length - 1));
  const mem = allocateWeights(V, dim, threads, opts.hs ? 0 : opts.negative, opts.window);
  const { syn0, syn1 } = mem;
  let state: W2vState = { epochsDone: 0, epochs: opts.epochs, epochLosses: [], finished: false, savedAt: '' };
  const prior = opts.resume ? loadW2vCheckpoint(dir) : undefined;
  if (
    prior &&
    !prior.state.finished &&
    sameTraining(prior.config.options, config.options) &&
    prior.words.length === V &&
    prior.words.every((w, i) => w === vocab.words[i])
  ) {
    expandRows(prior.syn0, syn0, dim, mem.stride);
    expandRows(prior.syn1, syn1, dim, mem.stride);
    state = prior.state;
    log(`Resuming from the checkpoint after epoch ${state.epochsDone} of ${state.epochs}.`);
  } else {
    if (prior && opts.resume)
      log('The folder holds a different or finished word2vec training; starting a new one there.');
    initVectors(syn0, dim, mem.stride, opts.seed);
  }
  writeW2vHeader(dir, config, vocab.words, vocab.counts);

  const sampling = aliasTable(vocab.counts);
  new Float32Array(mem.memory.buffer, mem.probOff, V).set(sampling.prob);
  new Int32Array(mem.memory.buffer, mem.aliasOff, V).set(sampling.alias);
  const shared: KernelShared = {
    memory: mem.memory,
    module: simdModule(),
    syn0Off: mem.syn0Off,
    syn1Off: mem.syn1Off,
    scratchOff: mem.scratchOff,
    scratchBytes: mem.scratchBytes,
    expOff: mem.expOff,
    logsigOff: mem.logsigOff,
    corpus,
    starts,
    probOff: mem.probOff,
    aliasOff: mem.aliasOff,
    keep: keepProbabilities(vocab.counts, opts.sample),
    ...(opts.hs
      ? huffman(vocab.counts)
      : {
          codes: new Uint8Array(new SharedArrayBuffer(1)),
          points: new Int32Array(new SharedArrayBuffer(4)),
          codeOff: new Int32Array(new SharedArrayBuffer(4)),
          codeLen: new Uint8Array(new SharedArrayBuffer(1)),
        }),
    progress: new Float64Array(new SharedArrayBuffer(threads * 64)),
    stats: new Float64Array(new SharedArrayBuffer(threads * 64)),
    control: new Int32Array(new SharedArrayBuffer(4)),
  };
  const totalWords = trainWords * opts.epochs;
  shared.progress[0] = trainWords * state.epochsDone;
  const pool = new KernelPool(shared, threads);
  const startedAt = Date.now();
  const wordsAtStart = shared.progress[0];
  let status: W2vResult['status'] = 'done';
  const seen = { loss: 0, n: 0 }; // loss totals of this epoch at the last report
  const readProgress = (epoch: number): W2vProgress => {
    let done = 0;
    let ls = 0;
    let ln = 0;
    for (let t = 0; t < threads; t++) {
      done += shared.progress[t * 8];
      ls += shared.stats[t * 8];
      ln += shared.stats[t * 8 + 1];
    }
    const loss = ln > seen.n ? (ls - seen.loss) / (ln - seen.n) : Number.NaN;
    seen.loss = ls;
    seen.n = ln;
    const elapsed = (Date.now() - startedAt) / 1000;
    const wps = elapsed > 0 ? (done - wordsAtStart) / elapsed : 0;
    return {
      epoch,
      epochs: opts.epochs,
      wordsDone: done,
      totalWords,
      loss,
      alpha: Math.max(
        opts.minAlpha,
        opts.alpha - (opts.alpha - opts.minAlpha) * (done / Math.max(1, totalWords)),
      ),
      wordsPerSecond: wps,
      etaSeconds: wps > 0 ? (totalWords - done) / wps : Number.POSITIVE_INFINITY,
      elapsedSeconds: elapsed,
    };
  };
  try {
    for (let epoch = state.epochsDone; epoch < opts.epochs; epoch++) {
      if (hooks.shouldStop?.()) {
        status = 'cancelled';
        break;
      }
      for (let t = 0; t < threads; t++) {
        shared.stats[t * 8] = 0;
        shared.stats[t * 8 + 1] = 0;
      }
      seen.loss = 0;
      seen.n = 0;
      const ranges = splitSentences(starts, threads);
      const jobs: KernelJob[] = ranges.map(([a, b], t) => ({
        thread: t,
        threads,
        sentFrom: a,
        sentTo: b,
        dim,
        stride: mem.stride,
        window: opts.window,
        negative: opts.hs ? 0 : opts.negative,
        hs: opts.hs,
        sg: opts.algo === 'skipgram',
        cbowMean: opts.cbowMean,
        alpha: opts.alpha,
        minAlpha: opts.minAlpha,
        totalWords: Math.max(1, totalWords),
        seed: hashSeed(opts.seed, epoch * 1000 + t + 1),
      }));
      const running = pool.run(jobs);
      let finished = false;
      void running.then(
        () => {
          finished = true;
        },
        () => {
          finished = true;
        },
      );
      const every = hooks.reportEveryMs ?? 1000;
      let lastReport = Date.now();
      while (!finished) {
        await new Promise((r) => setTimeout(r, Math.min(every, 50)));
        if (hooks.shouldStop?.()) Atomics.store(shared.control, 0, 1);
        if (!finished && Date.now() - lastReport >= every) {
          lastReport = Date.now();
          hooks.onProgress?.(readProgress(epoch + 1));
        }
      }
      const results = await running;
      if (results.some((r) => r.stopped)) {
        status = 'cancelled';
        log(`Stopped during epoch ${epoch + 1}; the checkpoint after epoch ${state.epochsDone} is kept.`);
        break;
      }
      const p = readProgress(epoch + 1);
      let epochSum = 0;
      let epochN = 0;
      for (let t = 0; t < threads; t++) {
        epochSum += shared.stats[t * 8];
        epochN += shared.stats[t * 8 + 1];
      }
      p.epochLoss = epochN > 0 ? epochSum / epochN : Number.NaN;
      state = {
        ...state,
        epochsDone: epoch + 1,
        epochLosses: [...state.epochLosses, p.epochLoss],
        finished: epoch + 1 === opts.epochs,
        savedAt: new Date().toISOString(),
      };
      saveW2vCheckpoint(dir, compactRows(syn0, dim, mem.stride), compactRows(syn1, dim, mem.stride), state);
      hooks.onProgress?.(p);
    }
  } finally {
    await pool.close();
  }
  return {
    status,
    epochsDone: state.epochsDone,
    summary: {
      dir,
      type: 'word2vec',
      algo: opts.algo,
      dim,
      vocabSize: V,
      corpus: opts.corpus,
      corpusWords: trainWords,
      epochsDone: state.epochsDone,
      epochs: opts.epochs,
      epochLosses: state.epochLosses,
      source: 'pretrain-lab',
    },
  };
}
