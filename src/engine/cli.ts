// pretrain-lab: the engine from the command line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type BackendChoice,
  DEFAULT_PRETRAIN,
  isBertPreset,
  type Neighbour,
  type PretrainOptions,
  type TrainProgress,
  type W2vProgress,
} from '../shared/configs';
import { BertPredictor } from './analysis/predictMask';
import { initBackend } from './backend';
import { countWords } from './data/batches';
import { emptyStats, resolveCorpus } from './data/corpus';
import { BasicTokenizer } from './tokenizer/basic';
import { trainWordPieceVocab } from './tokenizer/trainer';
import { Vocab } from './tokenizer/vocab';
import { WordPieceTokenizer } from './tokenizer/wordpiece';
import { pretrainBert, withDefaults } from './train/pretrainBert';
import { loadVectors, writeProjector, writeWord2vecBinary, writeWord2vecText } from './word2vec/formats';
import { pretrainWord2vec, withW2vDefaults } from './word2vec/train';
import type { WordVectors } from './word2vec/vectors';

const USAGE = `pretrain-lab — word2vec and BERT pretraining, word-vector queries and masked-token prediction

Usage:
  pretrain-lab pretrain bert --corpus <files|folder|glob>... --out <dir> [options]
      --preset tiny|mini|small|base   model size (default tiny)
      --steps N                       optimizer steps (default ${DEFAULT_PRETRAIN.steps})
      --batch-size N                  sequences per step (default ${DEFAULT_PRETRAIN.batchSize})
      --max-seq-length N              tokens per sequence (default ${DEFAULT_PRETRAIN.maxSeqLength})
      --vocab-size N                  WordPiece vocabulary to train (default ${DEFAULT_PRETRAIN.vocabSize})
      --min-frequency N               minimum count of a WordPiece (default ${DEFAULT_PRETRAIN.minFrequency})
      --vocab FILE                    use this vocab.txt (e.g. a published BERT one) instead
      --cased                         keep case and accents (default: uncased)
      --whole-word-mask               mask all WordPieces of a word together
      --lr X  --warmup N  --weight-decay X  --clip-norm X  --dropout X  --init-range X
      --checkpoint-every N  --log-every N  --seed N
      --fresh                         start over even if --out holds a checkpoint (default: resume)
  pretrain-lab pretrain word2vec --corpus <files|folder|glob>... --out <dir> [options]
      --algo skipgram|cbow   --dim N (100)   --window N (5)   --negative N (5)   --hs
      --sample X (1e-3)   --min-count N (5)   --max-vocab N (0 = all)   --epochs N (5)
      --threads N (2)   --alpha X (0.025)   --min-alpha X (0.0001)   --cbow-sum   --seed N
      --tokenize words|whitespace   --chinese chars|words (Intl.Segmenter)   --cased   --fresh
  pretrain-lab neighbours --model <dir|file> [--top-k N] [--json] WORD
  pretrain-lab analogy --model <dir|file> [--method add|mul] [--top-k N] [--json] A B C   (A − B + C)
  pretrain-lab similarity --model <dir|file> WORD1 WORD2
  pretrain-lab doesnt-match --model <dir|file> WORD WORD WORD...
  pretrain-lab export-vectors --model <dir|file> --format text|binary|projector --out <file|dir>
  pretrain-lab predict-mask --model <dir> "text with [MASK] ..." [--top-k 10] [--json]
  pretrain-lab info --model <dir> [--json]
  pretrain-lab vocab --corpus <...> --out vocab.txt [--vocab-size N] [--min-frequency N] [--cased]
  pretrain-lab tokenize (--vocab FILE | --model DIR) [--cased] "text"

Every command takes --backend auto|tensorflow|wasm|cpu (or PRETRAIN_LAB_BACKEND).`;

class UsageError extends Error {}

interface Parsed {
  positional: string[];
  flags: Map<string, string[]>;
}

const BOOLEAN_FLAGS = new Set(['json', 'cased', 'whole-word-mask', 'fresh', 'help', 'hs', 'cbow-sum']);

function parseArgs(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string[]>();
  let current: string | undefined;
  for (const a of argv) {
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (!flags.has(k)) flags.set(k, []);
      if (v !== undefined) flags.get(k)!.push(v);
      current = BOOLEAN_FLAGS.has(k) || v !== undefined ? undefined : k;
    } else if (current) {
      flags.get(current)!.push(a);
      if (current !== 'corpus') current = undefined;
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

function one(p: Parsed, k: string): string | undefined {
  const v = p.flags.get(k);
  if (!v) return undefined;
  if (v.length === 0) throw new UsageError(`--${k} needs a value.`);
  return v[v.length - 1];
}

function num(p: Parsed, k: string): number | undefined {
  const v = one(p, k);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${k} must be a number, got "${v}".`);
  return n;
}

function fmtEta(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`;
}

export function progressLine(p: TrainProgress): string {
  return (
    `step ${p.step}/${p.totalSteps}  mlm_loss ${p.mlmLoss.toFixed(3)}  nsp_loss ${p.nspLoss.toFixed(3)}  ` +
    `mlm_acc ${p.mlmAccuracy.toFixed(3)}  nsp_acc ${p.nspAccuracy.toFixed(3)}  ` +
    `${Math.round(p.tokensPerSecond)} tok/s  eta ${fmtEta(p.etaSeconds)}`
  );
}

async function startBackend(p: Parsed, quiet = false): Promise<void> {
  const b = one(p, 'backend') as BackendChoice | undefined;
  if (b && !['auto', 'tensorflow', 'wasm', 'cpu'].includes(b))
    throw new UsageError(`--backend ${b} is not one of auto, tensorflow, wasm, cpu.`);
  const info = await initBackend(b);
  if (!quiet) {
    const skipped = info.tried.filter((t) => t.error).map((t) => `${t.name} unavailable`);
    process.stderr.write(`backend: ${info.name}${skipped.length ? ` (${skipped.join(', ')})` : ''}\n`);
  }
}

async function cmdPretrain(p: Parsed): Promise<number> {
  const kind = p.positional[1];
  if (kind === 'word2vec') return cmdPretrainWord2vec(p);
  if (kind !== 'bert')
    throw new UsageError(
      `pretrain needs a model type: "pretrain-lab pretrain bert ..." or "pretrain-lab pretrain word2vec ...".`,
    );
  const corpus = p.flags.get('corpus') ?? [];
  const out = one(p, 'out');
  if (corpus.length === 0) throw new UsageError('pretrain needs --corpus <files|folder|glob>.');
  if (!out) throw new UsageError('pretrain needs --out <dir> for the model folder.');
  const preset = one(p, 'preset') ?? 'tiny';
  if (!isBertPreset(preset))
    throw new UsageError(`--preset ${preset} is not one of tiny, mini, small, base.`);
  const opts: Partial<PretrainOptions> & Pick<PretrainOptions, 'corpus' | 'outDir'> = {
    corpus,
    outDir: out,
    preset,
    steps: num(p, 'steps'),
    batchSize: num(p, 'batch-size'),
    maxSeqLength: num(p, 'max-seq-length'),
    maxPredictionsPerSeq: num(p, 'max-predictions'),
    vocabSize: num(p, 'vocab-size'),
    minFrequency: num(p, 'min-frequency'),
    vocabFile: one(p, 'vocab'),
    lowercase: !p.flags.has('cased'),
    wholeWordMask: p.flags.has('whole-word-mask'),
    learningRate: num(p, 'lr'),
    warmupSteps: num(p, 'warmup'),
    weightDecay: num(p, 'weight-decay'),
    clipNorm: num(p, 'clip-norm'),
    dropout: num(p, 'dropout'),
    initializerRange: num(p, 'init-range'),
    checkpointEvery: num(p, 'checkpoint-every'),
    logEvery: num(p, 'log-every'),
    seed: num(p, 'seed'),
    resume: !p.flags.has('fresh'),
  };
  await startBackend(p);
  let stopping = false;
  const onSigint = () => {
    if (stopping) {
      process.stderr.write('Stopped; the last checkpoint on disk is intact.\n');
      process.exit(130);
    }
    stopping = true;
    process.stderr.write(
      '\nStopping after this step and writing a checkpoint (Ctrl-C again to quit at once)…\n',
    );
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await pretrainBert(withDefaults(opts), {
      onLog: (m) => process.stderr.write(m + '\n'),
      onProgress: (pr) => process.stdout.write(progressLine(pr) + '\n'),
      shouldStop: () => stopping,
    });
    process.stdout.write(
      `${r.status === 'done' ? 'Finished' : 'Stopped'} at step ${r.step}; model saved in ${r.summary.dir} (${r.summary.parameters.toLocaleString('en')} parameters).\n`,
    );
    return r.status === 'done' ? 0 : 130;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function choice<T extends string>(p: Parsed, k: string, allowed: readonly T[]): T | undefined {
  const v = one(p, k);
  if (v !== undefined && !allowed.includes(v as T))
    throw new UsageError(`--${k} ${v} is not one of ${allowed.join(', ')}.`);
  return v as T | undefined;
}

export function w2vProgressLine(p: W2vProgress): string {
  const pct = ((100 * p.wordsDone) / Math.max(1, p.totalWords)).toFixed(1);
  const base = `epoch ${p.epoch}/${p.epochs}  ${pct}%  loss ${p.loss.toFixed(4)}  alpha ${p.alpha.toFixed(5)}  ${Math.round(p.wordsPerSecond)} words/s  eta ${fmtEta(p.etaSeconds)}`;
  return p.epochLoss !== undefined ? `${base}  (epoch ${p.epoch} mean loss ${p.epochLoss.toFixed(4)})` : base;
}

async function cmdPretrainWord2vec(p: Parsed): Promise<number> {
  const corpus = p.flags.get('corpus') ?? [];
  const out = one(p, 'out');
  if (corpus.length === 0) throw new UsageError('pretrain word2vec needs --corpus <files|folder|glob>.');
  if (!out) throw new UsageError('pretrain word2vec needs --out <dir> for the model folder.');
  const opts = withW2vDefaults({
    corpus,
    outDir: out,
    algo: choice(p, 'algo', ['skipgram', 'cbow'] as const),
    dim: num(p, 'dim'),
    window: num(p, 'window'),
    negative: num(p, 'negative'),
    hs: p.flags.has('hs') || undefined,
    sample: num(p, 'sample'),
    minCount: num(p, 'min-count'),
    maxVocab: num(p, 'max-vocab'),
    epochs: num(p, 'epochs'),
    threads: num(p, 'threads'),
    alpha: num(p, 'alpha'),
    minAlpha: num(p, 'min-alpha'),
    cbowMean: p.flags.has('cbow-sum') ? false : undefined,
    seed: num(p, 'seed'),
    tokenization: choice(p, 'tokenize', ['words', 'whitespace'] as const),
    chinese: choice(p, 'chinese', ['chars', 'words'] as const),
    lowercase: p.flags.has('cased') ? false : undefined,
    resume: !p.flags.has('fresh'),
  });
  if (opts.hs && p.flags.has('negative')) process.stderr.write('--hs given: --negative is ignored.\n');
  let stopping = false;
  const onSigint = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write(
      '\nStopping; the checkpoint of the last finished epoch is kept (Ctrl-C again to quit at once)…\n',
    );
  };
  process.on('SIGINT', onSigint);
  try {
    const r = await pretrainWord2vec(opts, {
      onLog: (m) => process.stderr.write(m + '\n'),
      onProgress: (pr) => process.stdout.write(w2vProgressLine(pr) + '\n'),
      shouldStop: () => stopping,
    });
    process.stdout.write(
      `${r.status === 'done' ? 'Finished' : 'Stopped'} after epoch ${r.epochsDone}; ${r.summary.vocabSize.toLocaleString('en')} words × ${r.summary.dim} dimensions in ${r.summary.dir}.\n`,
    );
    return r.status === 'done' ? 0 : 130;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function vectorsFor(p: Parsed, cmd: string): WordVectors {
  const model = one(p, 'model');
  if (!model) throw new UsageError(`${cmd} needs --model <dir|file>.`);
  return loadVectors(model).vectors;
}

function printNeighbours(list: Neighbour[], json: boolean, key = 'neighbours'): void {
  if (json) process.stdout.write(JSON.stringify({ [key]: list }) + '\n');
  else for (const n of list) process.stdout.write(`${n.word.padEnd(20)} ${n.score.toFixed(4)}\n`);
}

function topK(p: Parsed): number {
  const k = num(p, 'top-k') ?? 10;
  if (!Number.isInteger(k) || k < 1)
    throw new UsageError(`--top-k must be a positive whole number, got ${k}.`);
  return k;
}

async function cmdNeighbours(p: Parsed): Promise<number> {
  const word = p.positional.slice(1).join(' ');
  if (!word) throw new UsageError('neighbours needs a word: pretrain-lab neighbours --model m WORD.');
  const k = topK(p);
  printNeighbours(vectorsFor(p, 'neighbours').neighbours(word, k), p.flags.has('json'));
  return 0;
}

async function cmdAnalogy(p: Parsed): Promise<number> {
  const [a, b, c] = p.positional.slice(1);
  if (!c || p.positional.length > 4)
    throw new UsageError(
      'analogy needs three words A B C (A − B + C), e.g. pretrain-lab analogy --model m king man woman.',
    );
  const method = choice(p, 'method', ['add', 'mul'] as const) ?? 'add';
  const k = topK(p);
  printNeighbours(vectorsFor(p, 'analogy').analogy(a, b, c, k, method), p.flags.has('json'), 'answers');
  return 0;
}

async function cmdSimilarity(p: Parsed): Promise<number> {
  const [a, b] = p.positional.slice(1);
  if (!b) throw new UsageError('similarity needs two words.');
  const s = vectorsFor(p, 'similarity').similarity(a, b);
  process.stdout.write(p.flags.has('json') ? JSON.stringify({ similarity: s }) + '\n' : `${s.toFixed(4)}\n`);
  return 0;
}

async function cmdDoesntMatch(p: Parsed): Promise<number> {
  const words = p.positional.slice(1);
  const r = vectorsFor(p, 'doesnt-match').doesntMatch(words);
  process.stdout.write(p.flags.has('json') ? JSON.stringify(r) + '\n' : `${r.word}\n`);
  return 0;
}

async function cmdExportVectors(p: Parsed): Promise<number> {
  const format = choice(p, 'format', ['text', 'binary', 'projector'] as const);
  const out = one(p, 'out');
  if (!format || !out) throw new UsageError('export-vectors needs --format text|binary|projector and --out.');
  const v = vectorsFor(p, 'export-vectors');
  if (format === 'text') writeWord2vecText(out, v);
  else if (format === 'binary') writeWord2vecBinary(out, v);
  else writeProjector(out, v);
  process.stdout.write(`Wrote ${v.size.toLocaleString('en')} vectors of ${v.dim} dimensions to ${out}.\n`);
  return 0;
}

async function cmdPredict(p: Parsed): Promise<number> {
  const model = one(p, 'model');
  if (!model) throw new UsageError('predict-mask needs --model <dir>.');
  const text = p.positional.slice(1).join(' ');
  if (!text.trim())
    throw new UsageError(
      'predict-mask needs the text, e.g. pretrain-lab predict-mask --model m "paris is the [MASK] of france".',
    );
  const topK = num(p, 'top-k') ?? 10;
  if (!Number.isInteger(topK) || topK < 1)
    throw new UsageError(`--top-k must be a positive whole number, got ${topK}.`);
  const json = p.flags.has('json');
  await startBackend(p, json);
  const predictor = new BertPredictor(path.resolve(model));
  try {
    const r = predictor.predictMasks(text, topK);
    if (r.notice) process.stderr.write(r.notice + '\n');
    if (json) {
      const masks = r.masks.map((m) => ({ position: m.position, candidates: m.candidates }));
      process.stdout.write(JSON.stringify({ masks }) + '\n');
    } else {
      r.masks.forEach((m, i) => {
        process.stdout.write(`[MASK] ${i + 1} (character ${m.position}):\n`);
        for (const c of m.candidates)
          process.stdout.write(`  ${c.token.padEnd(16)} ${(c.probability * 100).toFixed(2)}%\n`);
      });
      process.stdout.write(`=> ${r.filled}\n`);
    }
  } finally {
    predictor.dispose();
  }
  return 0;
}

async function cmdInfo(p: Parsed): Promise<number> {
  const model = one(p, 'model');
  if (!model) throw new UsageError('info needs --model <dir>.');
  await startBackend(p, true);
  const predictor = new BertPredictor(path.resolve(model));
  const s = predictor.summary;
  predictor.dispose();
  if (p.flags.has('json')) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
  else {
    const c = s.config;
    process.stdout.write(
      `${s.dir}\n  BERT ${s.preset ?? ''}: ${c.numLayers} layers, hidden ${c.hiddenSize}, ${c.numHeads} heads, vocab ${s.vocabSize}, ${s.parameters.toLocaleString('en')} parameters\n  steps ${s.steps}${s.totalSteps ? '/' + s.totalSteps : ''}\n`,
    );
    if (s.finalMetrics?.mlmLoss !== undefined)
      process.stdout.write(`  last: ${progressLine(s.finalMetrics as TrainProgress)}\n`);
  }
  return 0;
}

async function cmdVocab(p: Parsed): Promise<number> {
  const corpus = p.flags.get('corpus') ?? [];
  const out = one(p, 'out');
  if (corpus.length === 0 || !out) throw new UsageError('vocab needs --corpus <...> and --out vocab.txt.');
  const { files } = resolveCorpus(corpus);
  if (files.length === 0)
    throw new Error(`No corpus files found at ${corpus.join(', ')}; give text files, a folder or a glob.`);
  const basic = new BasicTokenizer({ lowercase: !p.flags.has('cased') });
  const counts = await countWords(files, (s) => basic.tokenize(s), emptyStats());
  const vocab = trainWordPieceVocab(counts, {
    vocabSize: num(p, 'vocab-size') ?? DEFAULT_PRETRAIN.vocabSize,
    minFrequency: num(p, 'min-frequency') ?? DEFAULT_PRETRAIN.minFrequency,
  });
  fs.writeFileSync(out, vocab.serialize());
  process.stdout.write(`Wrote ${vocab.size} tokens to ${out}.\n`);
  return 0;
}

async function cmdTokenize(p: Parsed): Promise<number> {
  const vocabFile =
    one(p, 'vocab') ?? (one(p, 'model') ? path.join(one(p, 'model')!, 'vocab.txt') : undefined);
  if (!vocabFile) throw new UsageError('tokenize needs --vocab FILE or --model DIR.');
  const tok = new WordPieceTokenizer(Vocab.load(vocabFile), { lowercase: !p.flags.has('cased') });
  const pieces = tok.encode(p.positional.slice(1).join(' '));
  if (p.flags.has('json'))
    process.stdout.write(JSON.stringify(pieces.map((x) => ({ token: x.text, id: x.id }))) + '\n');
  else process.stdout.write(pieces.map((x) => x.text).join(' ') + '\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const p = parseArgs(argv);
  const cmd = p.positional[0];
  try {
    switch (cmd) {
      case 'pretrain':
        return await cmdPretrain(p);
      case 'predict-mask':
        return await cmdPredict(p);
      case 'neighbours':
      case 'neighbors':
        return await cmdNeighbours(p);
      case 'analogy':
        return await cmdAnalogy(p);
      case 'similarity':
        return await cmdSimilarity(p);
      case 'doesnt-match':
        return await cmdDoesntMatch(p);
      case 'export-vectors':
        return await cmdExportVectors(p);
      case 'info':
        return await cmdInfo(p);
      case 'vocab':
        return await cmdVocab(p);
      case 'tokenize':
        return await cmdTokenize(p);
      case undefined:
      case 'help':
        process.stdout.write(USAGE + '\n');
        return cmd === undefined && !p.flags.has('help') ? 2 : 0;
      default:
        throw new UsageError(`Unknown command "${cmd}"; run pretrain-lab help for the commands.`);
    }
  } catch (e) {
    process.stderr.write(`pretrain-lab: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
