// word2vec training: read the corpus (count, then encode as word ids), build the vocabulary, the
// unigram^0.75 sampling table and the Huffman tree, then run the kernel on worker threads that share the
// weights, one epoch at a time, with a checkpoint after each epoch.
import type { W2vProgress, W2vSummary, Word2vecOptions } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { WORD2VEC_FORMAT } from '../../shared/modelKinds';
import {
  loadW2vCheckpoint,
  saveW2vCheckpoint,
  summary,
  W2V_FORMAT_VERSION,
  type W2vConfigFile,
  type W2vState,
  writeW2vHeader,
} from '../checkpoint/word2vec';
import { emptyStats, resolveCorpus } from '../data/corpus';
import { claimOutDir, type ExistingModel } from '../train/outDir';
import { readCorpus } from './corpusReader';
import type { KernelJob, KernelShared } from './kernel';
import { differingSettings, validateW2vOptions } from './options';
import { KernelPool, splitSentences } from './pool';
import { aliasTable, huffman, keepProbabilities } from './sampling';
import { hashSeed } from './seed';
import { W2vTokenizer } from './tokenize';
import { allocateWeights, compactRows, expandRows, initVectors, simdModule } from './weights';

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
  replaced?: ExistingModel; // the model a fresh training replaced in its folder
}

export async function pretrainWord2vec(opts: Word2vecOptions, hooks: W2vHooks = {}): Promise<W2vResult> {
  validateW2vOptions(opts);
  const log = hooks.onLog ?? (() => {});
  const { files, missing } = resolveCorpus(opts.corpus);
  if (missing.length) log(l10n.t('Nothing found at {0}; skipped.', missing.join(', ')));
  if (files.length === 0)
    throw new Error(
      l10n.t('No corpus files found at {0}; give text files, a folder or a glob.', opts.corpus.join(', ')),
    );
  const claim = claimOutDir('word2vec', opts.outDir, log);
  try {
    return await train(opts, files, claim, hooks, log);
  } finally {
    claim.release();
  }
}

async function train(
  opts: Word2vecOptions,
  files: string[],
  claim: ReturnType<typeof claimOutDir>,
  hooks: W2vHooks,
  log: (m: string) => void,
): Promise<W2vResult> {
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
    log(
      l10n.t(
        'Skipped {0} binary and {1} non-UTF-8 files.',
        stats.skippedBinary.length,
        stats.skippedEncoding.length,
      ),
    );
  if (rawWords === 0)
    throw new Error(
      l10n.t(
        'The corpus ({0} file(s)) has no words to train on; give files with text in them (--corpus).',
        files.length,
      ),
    );
  if (vocab.words.length < 2)
    throw new Error(
      l10n.t(
        'The corpus has {0} words and {1} of its {2} distinct words occur at least {3} times; word2vec needs at least 2 — lower min-count or give more text.',
        rawWords.toLocaleString('en'),
        vocab.words.length,
        distinct.toLocaleString('en'),
        opts.minCount,
      ),
    );
  const trainWords = starts[starts.length - 1];
  log(
    l10n.t(
      'Corpus: {0} files, {1} words, {2} distinct; vocabulary {3} words (min-count {4}), {5} words to train on; read in {6} s.',
      stats.files,
      rawWords.toLocaleString('en'),
      distinct.toLocaleString('en'),
      vocab.words.length.toLocaleString('en'),
      opts.minCount,
      trainWords.toLocaleString('en'),
      ((Date.now() - t0) / 1000).toFixed(1),
    ),
  );

  const V = vocab.words.length;
  const dim = opts.dim;
  const dir = claim.dir;
  const config: W2vConfigFile = {
    format: WORD2VEC_FORMAT,
    formatVersion: W2V_FORMAT_VERSION,
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
  const prior = opts.resume && claim.existing ? loadW2vCheckpoint(dir) : undefined;
  if (prior) {
    // a resumed training must be the same one: same settings (more epochs may be asked) and vocabulary
    const differ = differingSettings(prior.config.options, config.options).filter((k) => k !== 'epochs');
    if (differ.length)
      throw new Error(
        l10n.t(
          '{0} holds a word2vec training with other settings ({1}); resume it with the same settings, or start over with --fresh or another --out.',
          dir,
          differ.join(', '),
        ),
      );
    if (prior.words.length !== V || prior.words.some((w, i) => w !== vocab.words[i]))
      throw new Error(
        l10n.t(
          'This corpus gives another vocabulary ({0} words) than the word2vec model in {1} was trained on ({2}), and word2vec cannot continue with other words; give the same corpus, or start over with --fresh or another --out.',
          V.toLocaleString('en'),
          dir,
          prior.words.length.toLocaleString('en'),
        ),
      );
    const was = prior.config.corpus ?? [];
    if (was.join('\n') !== opts.corpus.join('\n'))
      log(
        l10n.t(
          'The corpus differs from the one the model was trained on (was {0}; now {1}) but gives the same vocabulary, so training goes on with it.',
          was.join(', ') || 'not recorded',
          opts.corpus.join(', '),
        ),
      );
    expandRows(prior.syn0, syn0, dim, mem.stride);
    expandRows(prior.syn1, syn1, dim, mem.stride);
    state = { ...prior.state, epochs: opts.epochs, finished: prior.state.epochsDone >= opts.epochs };
    config.createdAt = prior.config.createdAt;
    log(
      state.finished
        ? l10n.t(
            '{0} has already trained {1} epochs, so there is nothing to do; ask for more epochs (--epochs) or start over (--fresh).',
            dir,
            state.epochsDone,
          )
        : l10n.t('Resuming from the checkpoint after epoch {0} of {1}.', state.epochsDone, state.epochs),
    );
  } else {
    if (claim.existing) {
      log(l10n.t('Starting over: this replaces {0}.', claim.existing.description));
      claim.clearForFresh();
    }
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
        log(
          l10n.t(
            'Stopped during epoch {0}; the checkpoint after epoch {1} is kept.',
            epoch + 1,
            state.epochsDone,
          ),
        );
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
    summary: summary(dir, config, state, V),
    replaced: prior ? undefined : claim.existing,
  };
}
