// The word2vec training loop (Mikolov et al. 2013; the original C tool's word2vec.c), over flat
// Float32Arrays. It runs in worker threads that share the weights through SharedArrayBuffers and
// update them without locks, as the C tool does ("Hogwild"). The function must stay self-contained (no
// imports, no outside names): threads are started from its source text, so one copy of the code runs
// in tests, the CLI and the bundled extension.

export interface KernelShared {
  memory: WebAssembly.Memory; // shared: syn0, then syn1, then per-thread scratch
  module: WebAssembly.Module; // simd.wat: dot, update, axpy, scale
  syn0Off: number; // byte offset of the input vectors, vocab × dim
  syn1Off: number; // output vectors (negative sampling) or inner Huffman nodes (hs), vocab × dim
  scratchOff: number; // per thread: neu1 and neu1e (dim floats each), negative + 1 and 2·window offsets
  scratchBytes: number;
  expOff: number; // σ(x) for x in [-6, 6], 1001 floats
  logsigOff: number; // -log σ(x) for x in [-20, 20], 4001 floats
  corpus: Int32Array; // word ids of the whole corpus, sentence after sentence
  starts: Int32Array; // sentence i is corpus[starts[i] .. starts[i + 1])
  prob: Float32Array; // negative sampling, unigram^0.75 as an alias table: keep row j with prob[j]…
  alias: Int32Array; // …else take alias[j]
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
    ns(l1: number, targets: number, nt: number, alpha: number, e: number, n: number, apply: number): number;
    cbow(
      ctx: number,
      nc: number,
      targets: number,
      nt: number,
      alpha: number,
      neu1: number,
      e: number,
      n: number,
      mean: number,
    ): number;
  };
  wasm.setTables(sh.expOff, sh.logsigOff);
  const ns = wasm.ns;
  const cbow = wasm.cbow;
  const dot = wasm.dot;
  const update = wasm.update;
  const axpy = wasm.axpy;
  const corpus = sh.corpus;
  const starts = sh.starts;
  const prob = sh.prob;
  const alias = sh.alias;
  const V = prob.length;
  const keep = sh.keep;
  const codes = sh.codes;
  const points = sh.points;
  const codeOff = sh.codeOff;
  const codeLen = sh.codeLen;
  const { dim, window, negative, hs, sg, cbowMean, totalWords, minAlpha } = job;
  const alpha0 = job.alpha;
  const progress = sh.progress;
  const stats = sh.stats;
  const control = sh.control;
  const me = job.thread;
  const rowBytes = job.stride * 4; // rows start on 64-byte cache lines, so hot rows do not share one
  const syn0 = sh.syn0Off;
  const syn1 = sh.syn1Off;
  const neu1 = sh.scratchOff + me * sh.scratchBytes; // byte offsets of this thread's scratch vectors
  const neu1e = neu1 + rowBytes;
  const targets = neu1e + rowBytes;
  const f32 = new Float32Array(sh.memory.buffer);
  const i32 = new Int32Array(sh.memory.buffer);
  const targetsI = targets >> 2;
  const ctx = targets + 4 * (negative + 1); // CBOW: byte offsets of the context vectors
  const ctxI = ctx >> 2;
  const neu1i = neu1 >> 2;
  const neu1ei = neu1e >> 2;
  // xorshift32, seeded per thread and epoch by the caller
  let rnd = job.seed >>> 0 || 0x9e3779b9;
  let lossSum = 0;
  let lossN = 0;
  let sen = new Int32Array(1024);
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
    if (raw > sen.length) sen = new Int32Array(raw * 2);
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
    for (let pos = 0; pos < len; pos++) {
      const word = sen[pos];
      rnd ^= rnd << 13;
      rnd ^= rnd >>> 17;
      rnd ^= rnd << 5;
      const b = (rnd >>> 0) % window; // dynamic window: this centre word looks window - b each way
      let nc = 0; // CBOW: the context words' vector offsets, in ctx
      if (!sg) {
        for (let a = b; a < window * 2 + 1 - b; a++) {
          if (a === window) continue;
          const cpos = pos - window + a;
          if (cpos < 0 || cpos >= len) continue;
          i32[ctxI + nc++] = syn0 + sen[cpos] * rowBytes;
        }
        if (nc === 0) continue;
      }
      // skip-gram: one prediction per context word, from that word's vector; CBOW: one, from neu1
      for (let a = sg ? b : window; a < (sg ? window * 2 + 1 - b : window + 1); a++) {
        let l1 = neu1;
        if (sg) {
          if (a === window) continue;
          const cpos = pos - window + a;
          if (cpos < 0 || cpos >= len) continue;
          l1 = syn0 + sen[cpos] * rowBytes;
        }
        lossN++;
        if (!hs) {
          // the word, then `negative` draws from unigram^0.75 (the word itself skipped)
          i32[targetsI] = syn1 + word * rowBytes;
          let nt = 1;
          for (let d = 0; d < negative; d++) {
            rnd ^= rnd << 13;
            rnd ^= rnd >>> 17;
            rnd ^= rnd << 5;
            const j = (rnd >>> 0) % V;
            rnd ^= rnd << 13;
            rnd ^= rnd >>> 17;
            rnd ^= rnd << 5;
            const target = (rnd >>> 0) / 4294967296 < prob[j] ? j : alias[j];
            if (target !== word) i32[targetsI + nt++] = syn1 + target * rowBytes;
          }
          if (sg) lossSum += ns(l1, targets, nt, alpha, neu1e, dim, 1);
          else lossSum += cbow(ctx, nc, targets, nt, alpha, neu1, neu1e, dim, cbowMean ? 1 : 0);
          continue;
        }
        // hierarchical softmax: the word's path of inner nodes in the Huffman tree
        if (!sg) {
          f32.fill(0, neu1i, neu1i + dim);
          for (let c = 0; c < nc; c++) axpy(1, i32[ctxI + c], neu1, dim);
          if (cbowMean) wasm.scale(1 / nc, neu1, dim);
        }
        f32.fill(0, neu1ei, neu1ei + dim);
        const off = codeOff[word];
        const cl = codeLen[word];
        for (let d = 0; d < cl; d++) {
          const l2 = syn1 + points[off + d] * rowBytes;
          const f = dot(l1, l2, dim);
          const label = 1 - codes[off + d]; // code 0 = label 1, as in word2vec.c
          const z = label === 1 ? f : -f;
          if (z > -MAX_EXP && z < MAX_EXP) lossSum += logSigTable[((z + MAX_EXP) * scale) | 0];
          else lossSum += z > 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
          if (f <= -MAX_EXP || f >= MAX_EXP) continue;
          const g = (label - expTable[((f + MAX_EXP) * scale) | 0]) * alpha;
          update(g, l1, l2, neu1e, dim);
        }
        if (sg) axpy(1, neu1e, l1, dim);
        else {
          // as word2vec.c and gensim: with the mean every context word gets the whole error; with the
          // sum, gensim spreads it over the window
          if (!cbowMean) wasm.scale(1 / nc, neu1e, dim);
          for (let c = 0; c < nc; c++) axpy(1, neu1e, i32[ctxI + c], dim);
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
}
