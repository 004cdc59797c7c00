// The word2vec training loop (Mikolov et al. 2013; the original C tool's word2vec.c). It runs in
// worker threads that share the weights in one shared WebAssembly memory and update them without
// locks, as the C tool does ("Hogwild"). Subsampling is done here; with negative sampling each
// sentence is then one call into simd.wat ("sentence"); hierarchical softmax runs its loop here. The function must stay self-contained (no
// imports, no outside names): threads are started from its source text, so one copy of the code runs
// in tests, the CLI and the bundled extension.

export interface KernelShared {
  memory: WebAssembly.Memory; // shared: syn0, then syn1, then per-thread scratch
  module: WebAssembly.Module; // simd.wat
  syn0Off: number; // byte offset of the input vectors, vocab × dim
  syn1Off: number; // output vectors (negative sampling) or inner Huffman nodes (hs), vocab × dim
  scratchOff: number; // per thread: neu1, neu1e (dim floats each), negative + 1 and 2·window offsets, a sentence
  scratchBytes: number;
  expOff: number; // σ(x) for x in [-6, 6], 1001 floats
  logsigOff: number; // -log σ(x) for x in [-20, 20], 4001 floats
  corpus: Int32Array; // word ids of the whole corpus, sentence after sentence
  starts: Int32Array; // sentence i is corpus[starts[i] .. starts[i + 1])
  probOff: number; // negative sampling, unigram^0.75 as an alias table: keep row j with prob[j]…
  aliasOff: number; // …else take alias[j] (byte offsets of V floats and V ints)
  keep: Float32Array; // per word: probability of keeping an occurrence (subsampling)
  codes: Uint8Array; // Huffman codes, codeOff[w] .. codeOff[w] + codeLen[w]
  points: Int32Array; // Huffman inner nodes on the path, same layout as codes
  codeOff: Int32Array;
  codeLen: Uint8Array;
  progress: Float64Array; // per thread: corpus words processed since training began
  stats: Float64Array; // per thread: [loss sum, predictions] since the last read by the main thread
  control: Int32Array; // [0] = 1 asks every thread to stop
}

export interface KernelJob {
  thread: number;
  threads: number;
  sentFrom: number;
  sentTo: number;
  dim: number;
  stride: number; // floats from one row to the next (dim rounded up to a multiple of 16)
  window: number;
  negative: number;
  hs: boolean;
  sg: boolean;
  cbowMean: boolean;
  alpha: number;
  minAlpha: number;
  totalWords: number; // corpus words × epochs, for the learning-rate decay
  seed: number;
}

export interface KernelResult {
  words: number; // corpus words this call went through
  stopped: boolean;
}

export function w2vKernel(sh: KernelShared, job: KernelJob): KernelResult {
  const MAX_EXP = 6;
  const EXP_SIZE = 1000;
  const expTable = new Float32Array(EXP_SIZE);
  const logSigTable = new Float64Array(EXP_SIZE); // -log σ(x) on the same grid
  for (let i = 0; i < EXP_SIZE; i++) {
    const x = ((i / EXP_SIZE) * 2 - 1) * MAX_EXP;
    const e = Math.exp(x);
    expTable[i] = e / (e + 1);
    logSigTable[i] = Math.log1p(Math.exp(-x));
  }
  const scale = EXP_SIZE / MAX_EXP / 2;
  const wasm = new WebAssembly.Instance(sh.module, { env: { memory: sh.memory } }).exports as unknown as {
    dot(a: number, b: number, n: number): number;
    update(g: number, x: number, y: number, e: number, n: number): void;
    axpy(g: number, x: number, y: number, n: number): void;
    scale(g: number, x: number, n: number): void;
    setTables(exp: number, logsig: number): void;
    setRng(x: number): void;
    getRng(): number;
    predictions(): number;
    sentence(...args: number[]): number;
  };
  wasm.setTables(sh.expOff, sh.logsigOff);
  const { dot, update, axpy, sentence } = wasm;
  const { corpus, starts, keep, codes, points, codeOff, codeLen, progress, stats, control } = sh;
  const V = keep.length;
  const { dim, window, negative, hs, sg, cbowMean, totalWords, minAlpha } = job;
  const alpha0 = job.alpha;
  const me = job.thread;
  const rowBytes = job.stride * 4; // rows start on 64-byte cache lines, so hot rows do not share one
  const syn0 = sh.syn0Off;
  const syn1 = sh.syn1Off;
  // byte offsets of this thread's scratch: neu1, neu1e, the prediction targets, the CBOW context, the sentence
  const neu1 = sh.scratchOff + me * sh.scratchBytes;
  const neu1e = neu1 + rowBytes;
  const targets = neu1e + rowBytes;
  const ctx = targets + 4 * (negative + 1);
  const senOff = ctx + 4 * 2 * window;
  const f32 = new Float32Array(sh.memory.buffer);
  const neu1i = neu1 >> 2;
  const neu1ei = neu1e >> 2;
  const sen = new Int32Array(sh.memory.buffer, senOff, 10000);
  // xorshift32, seeded per thread and epoch by the caller
  let rnd = job.seed >>> 0 || 0x9e3779b9;
  let lossSum = 0;
  let lossN = 0;
  let done = 0;
  let sinceSync = 0;
  let alpha = alpha0;

  const syncProgress = () => {
    progress[me * 8] += sinceSync;
    sinceSync = 0;
    stats[me * 8] += lossSum;
    stats[me * 8 + 1] += lossN;
    lossSum = 0;
    lossN = 0;
    let all = 0;
    for (let t = 0; t < job.threads; t++) all += progress[t * 8];
    alpha = alpha0 - (alpha0 - minAlpha) * (all / totalWords);
    if (alpha < minAlpha) alpha = minAlpha;
  };
  syncProgress();

  for (let s = job.sentFrom; s < job.sentTo; s++) {
    const a0 = starts[s];
    const a1 = starts[s + 1];
    const raw = a1 - a0;
    // frequent-word subsampling
    let len = 0;
    for (let i = a0; i < a1; i++) {
      const w = corpus[i];
      const k = keep[w];
      if (k < 1) {
        rnd ^= rnd << 13;
        rnd ^= rnd >>> 17;
        rnd ^= rnd << 5;
        if (k < (rnd >>> 0) / 4294967296) continue;
      }
      sen[len++] = w;
    }
    if (!hs) {
      // negative sampling: the whole sentence in WebAssembly, on the same random sequence
      wasm.setRng(rnd);
      lossSum += sentence(
        senOff,
        len,
        window,
        negative,
        alpha,
        sg ? 1 : 0,
        cbowMean ? 1 : 0,
        syn0,
        syn1,
        rowBytes,
        dim,
        sh.probOff,
        sh.aliasOff,
        V,
        neu1,
        neu1e,
        targets,
        ctx,
      );
      lossN += wasm.predictions();
      rnd = wasm.getRng();
    } else {
      for (let pos = 0; pos < len; pos++) {
        const word = sen[pos];
        rnd ^= rnd << 13;
        rnd ^= rnd >>> 17;
        rnd ^= rnd << 5;
        const b = (rnd >>> 0) % window; // dynamic window: this centre word looks window - b each way
        if (!sg) {
          // CBOW: the mean (or sum) of the context vectors predicts the word
          f32.fill(0, neu1i, neu1i + dim);
          let nc = 0;
          for (let a = b; a < window * 2 + 1 - b; a++) {
            const cpos = pos - window + a;
            if (a === window || cpos < 0 || cpos >= len) continue;
            axpy(1, syn0 + sen[cpos] * rowBytes, neu1, dim);
            nc++;
          }
          if (nc === 0) continue;
          if (cbowMean) wasm.scale(1 / nc, neu1, dim);
          lossSum += hsPredict(word, neu1);
          lossN++;
          // as word2vec.c and gensim: with the mean every context word gets the whole error; with the
          // sum, gensim spreads it over the window
          if (!cbowMean) wasm.scale(1 / nc, neu1e, dim);
          for (let a = b; a < window * 2 + 1 - b; a++) {
            const cpos = pos - window + a;
            if (a === window || cpos < 0 || cpos >= len) continue;
            axpy(1, neu1e, syn0 + sen[cpos] * rowBytes, dim);
          }
          continue;
        }
        // skip-gram: the word is predicted from each context word's vector
        for (let a = b; a < window * 2 + 1 - b; a++) {
          const cpos = pos - window + a;
          if (a === window || cpos < 0 || cpos >= len) continue;
          const l1 = syn0 + sen[cpos] * rowBytes;
          lossSum += hsPredict(word, l1);
          lossN++;
          axpy(1, neu1e, l1, dim);
        }
      }
    }
    done += raw;
    sinceSync += raw;
    if (sinceSync >= 10000) {
      syncProgress();
      if (control[0] !== 0) return { words: done, stopped: true };
    }
  }
  syncProgress();
  return { words: done, stopped: control[0] !== 0 };

  /** Hierarchical softmax: one binary decision per inner node on the word's Huffman path; the input's
   * gradient is left in neu1e; returns the loss. */
  function hsPredict(word: number, l1: number): number {
    f32.fill(0, neu1ei, neu1ei + dim);
    let loss = 0;
    const off = codeOff[word];
    const cl = codeLen[word];
    for (let d = 0; d < cl; d++) {
      const l2 = syn1 + points[off + d] * rowBytes;
      const f = dot(l1, l2, dim);
      const label = 1 - codes[off + d]; // code 0 = label 1, as in word2vec.c
      const z = label === 1 ? f : -f;
      if (z > -MAX_EXP && z < MAX_EXP) loss += logSigTable[((z + MAX_EXP) * scale) | 0];
      else loss += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
      if (f <= -MAX_EXP || f >= MAX_EXP) continue;
      const g = (label - expTable[((f + MAX_EXP) * scale) | 0]) * alpha;
      update(g, l1, l2, neu1e, dim);
    }
    return loss;
  }
}
