// pretrain-lab: the engine from the command line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type BackendChoice,
  DEFAULT_PRETRAIN,
  isBertPreset,
  type PretrainOptions,
  type TrainProgress,
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

const USAGE = `pretrain-lab — BERT pretraining and masked-token prediction

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

const BOOLEAN_FLAGS = new Set(['json', 'cased', 'whole-word-mask', 'fresh', 'help']);

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
  if (kind !== 'bert') throw new UsageError(`pretrain needs a model type: "pretrain-lab pretrain bert ...".`);
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
