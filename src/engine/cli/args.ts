// Command-line arguments: every option of every command in one table, read with node:util parseArgs
// (strict), and small readers that turn a bad value into one sentence a person can act on.
import { parseArgs } from 'node:util';
import { BERT_PRESETS } from '../../shared/configs';
import { editDistance } from '../word2vec/vectors';

export class UsageError extends Error {
  override name = 'UsageError';
}

// One table, so an option means the same thing in every command that takes it.
const OPTIONS = {
  // input and output
  corpus: { type: 'string', multiple: true }, // files, folders or globs; several may follow one --corpus
  out: { type: 'string' },
  model: { type: 'string' },
  vocab: { type: 'string' },
  format: { type: 'string' },
  dtype: { type: 'string' }, // export-hf: F32 (default) or F16
  revision: { type: 'string' }, // download: a branch, tag or commit of the Hub repository
  endpoint: { type: 'string' }, // download: the Hub or a mirror of it
  from: { type: 'string' }, // import hf: the Hugging Face folder
  json: { type: 'boolean' },
  backend: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  // tokenization
  cased: { type: 'boolean' },
  tokenize: { type: 'string' },
  chinese: { type: 'string' },
  'vocab-size': { type: 'string' },
  'min-frequency': { type: 'string' },
  // BERT
  preset: { type: 'string' },
  steps: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-seq-length': { type: 'string' },
  'lm-weight': { type: 'string' }, // finetune on a GPT: weight of the auxiliary LM loss
  'max-predictions': { type: 'string' },
  'whole-word-mask': { type: 'boolean' },
  'sentence-pairs': { type: 'boolean' },
  lr: { type: 'string' },
  warmup: { type: 'string' },
  'weight-decay': { type: 'string' },
  'clip-norm': { type: 'string' },
  dropout: { type: 'string' },
  'init-range': { type: 'string' },
  'nsp-weight': { type: 'string' },
  'checkpoint-every': { type: 'string' },
  'log-every': { type: 'string' },
  seed: { type: 'string' },
  fresh: { type: 'boolean' },
  // word2vec
  algo: { type: 'string' },
  dim: { type: 'string' },
  window: { type: 'string' },
  negative: { type: 'string' },
  hs: { type: 'boolean' },
  sample: { type: 'string' },
  'min-count': { type: 'string' },
  'max-vocab': { type: 'string' },
  epochs: { type: 'string' },
  threads: { type: 'string' },
  alpha: { type: 'string' },
  'min-alpha': { type: 'string' },
  'cbow-sum': { type: 'boolean' },
  // ELMo
  'sampled-softmax': { type: 'string' },
  layer: { type: 'string' }, // embed: 0, 1, 2 or mix
  // fine-tuning
  task: { type: 'string' },
  base: { type: 'string' },
  'from-scratch': { type: 'boolean' },
  train: { type: 'string' },
  dev: { type: 'string' },
  freeze: { type: 'string' },
  'text-column': { type: 'string' },
  'text-b-column': { type: 'string' },
  'label-column': { type: 'string' },
  input: { type: 'string' },
  data: { type: 'string' }, // a labelled file to evaluate on; a text to score (perplexity)
  'text-b': { type: 'string' },
  // sequence to sequence
  encoder: { type: 'string' },
  decoder: { type: 'string' },
  tokenizer: { type: 'string' },
  'label-smoothing': { type: 'string' },
  'freeze-encoder': { type: 'boolean' },
  'max-source-length': { type: 'string' },
  'max-target-length': { type: 'string' },
  beam: { type: 'string' },
  'length-penalty': { type: 'string' },
  'max-length': { type: 'string' },
  // GPT
  norm: { type: 'string' },
  'block-size': { type: 'string' },
  'max-new-tokens': { type: 'string' },
  'max-tokens': { type: 'string' },
  temperature: { type: 'string' },
  'top-p': { type: 'string' },
  // queries
  'top-k': { type: 'string' },
  method: { type: 'string' },
} as const;

export type OptionName = keyof typeof OPTIONS;
type StringOption = {
  [K in OptionName]: (typeof OPTIONS)[K]['type'] extends 'string' ? K : never;
}[OptionName];
type BooleanOption = Exclude<OptionName, StringOption>;

const MAX_POSITIONS = Math.max(...Object.values(BERT_PRESETS).map((p) => p.maxPositions));
const BILLION = 1_000_000_000;

/**
 * The options that take a whole number, with the range that makes sense: the maximum is a sane
 * ceiling (a typo such as --top-k 1e9 is refused), not the engine's limit.
 */
const WHOLE: Partial<Record<StringOption, readonly [min: number, max: number]>> = {
  steps: [1, BILLION],
  'batch-size': [1, 65_536],
  'max-seq-length': [8, MAX_POSITIONS],
  'max-predictions': [1, MAX_POSITIONS],
  'vocab-size': [1, 1_000_000],
  'min-frequency': [0, BILLION],
  warmup: [0, BILLION],
  'checkpoint-every': [1, BILLION],
  'log-every': [1, BILLION],
  seed: [-(2 ** 31), 2 ** 32 - 1], // a 32-bit seed, signed or not
  dim: [1, 10_000],
  window: [1, 1_000],
  negative: [0, 1_000],
  'min-count': [1, BILLION],
  'max-vocab': [0, BILLION], // 0: all
  epochs: [1, 100_000],
  threads: [1, 1_024],
  'top-k': [1, 100_000],
  'sampled-softmax': [0, 1_000_000],
  'block-size': [2, 8192],
  'max-new-tokens': [-BILLION, BILLION], // out of 1…4096 (MAX_NEW_TOKENS) is clamped, and said
  'max-tokens': [-BILLION, BILLION],
  'max-source-length': [3, 8192],
  'max-target-length': [2, 8192],
  beam: [1, 64],
  'max-length': [1, 8192],
};

/** Every command takes these. */
const COMMON: readonly OptionName[] = ['help', 'backend'];

export interface Args {
  /** The words after the command name (and a sub-command such as `pretrain bert`). */
  positional: string[];
  corpus: string[];
  values: Partial<Record<OptionName, string | boolean | string[]>>;
}

const isStringOption = (name: string): boolean =>
  name in OPTIONS && OPTIONS[name as OptionName].type === 'string';

/**
 * Reads argv with parseArgs, strictly: an option the command does not take is a UsageError naming it.
 * `allowed` undefined takes every option; `command` is how an error names the command, e.g.
 * 'pretrain bert'. `lenient` reads what it can without complaint: main.ts uses it to find the command
 * before that command's options are known.
 */
export function readArgs(
  argv: string[],
  allowed?: readonly OptionName[],
  command?: string,
  lenient = false,
): Args {
  const names = allowed ? new Set<string>([...COMMON, ...allowed]) : new Set<string>(Object.keys(OPTIONS));
  const options = Object.fromEntries(Object.entries(OPTIONS).filter(([k]) => names.has(k))) as Partial<
    typeof OPTIONS
  >;
  // A word that starts with a single dash is a value ("--seed -1", "--min-alpha -0") or text
  // ("-5 degrees and [MASK]"), as it always was here: nothing takes short options but -h.
  const args: string[] = [];
  const dashWords: { at: number; word: string }[] = [];
  argv.forEach((a, i) => {
    const dashWord = a.length > 1 && a[0] === '-' && a[1] !== '-' && a !== '-h';
    const prev = argv[i - 1];
    if (
      dashWord &&
      prev?.startsWith('--') &&
      !prev.includes('=') &&
      isStringOption(prev.slice(2)) &&
      names.has(prev.slice(2))
    )
      args[args.length - 1] = `${prev}=${a}`;
    else if (dashWord) dashWords.push({ at: args.length, word: a });
    else args.push(a);
  });
  if (!lenient) checkTokens(args, options, command);
  const parsed = lenient
    ? parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true })
    : strictParse(args, options);
  // Several corpus paths may follow one --corpus (a shell glob expands to many), up to the next option.
  const positional: { at: number; word: string }[] = [];
  const corpus: string[] = [];
  let inCorpus = false;
  for (const t of parsed.tokens) {
    if (t.kind === 'option') {
      inCorpus = t.name === 'corpus' && !t.inlineValue;
      if (t.name === 'corpus' && t.value !== undefined) corpus.push(t.value);
    } else if (t.kind === 'positional') {
      if (inCorpus) corpus.push(t.value);
      else positional.push({ at: t.index, word: t.value });
    } else inCorpus = false;
  }
  for (const d of dashWords) positional.push({ at: d.at - 0.5, word: d.word });
  positional.sort((a, b) => a.at - b.at);
  const { corpus: _c, ...values } = parsed.values as Args['values'];
  return { positional: positional.map((p) => p.word), corpus, values };
}

function strictParse(args: string[], options: Partial<typeof OPTIONS>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true, tokens: true });
  } catch (e) {
    // checkTokens has already turned the errors it foresees into sentences; this is the rest
    throw new UsageError(`${(e as Error).message}; run pretrain-lab help for the options.`);
  }
}

/** The errors parseArgs would raise, as one sentence that names the option. */
function checkTokens(args: string[], options: Partial<typeof OPTIONS>, command?: string): void {
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const spec = options[t.name as OptionName];
    if (!spec) {
      const where = command ? ` for ${command}` : '';
      const near = closest(t.name, Object.keys(options));
      if (near) throw new UsageError(`Unknown option ${t.rawName}${where}; did you mean --${near}?`);
      const help = command ? `pretrain-lab ${command} --help` : 'pretrain-lab --help';
      throw new UsageError(`Unknown option ${t.rawName}${where}; run ${help} for the options.`);
    }
    if (spec.type === 'string' && (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))))
      throw new UsageError(`${t.rawName} needs a value.`);
    if (spec.type === 'boolean' && t.value !== undefined)
      throw new UsageError(`${t.rawName} takes no value.`);
  }
}

/** The option a misspelling most likely meant (--step, --topk, --batchSize), if one is close enough. */
function closest(name: string, known: readonly string[]): string | undefined {
  const typed = name.toLowerCase().replaceAll('_', '-');
  // the start of one option only (--max-seq for --max-seq-length) is as good as a typo
  const extended = known.filter((k) => typed.length >= 3 && k.startsWith(typed));
  if (extended.length === 1) return extended[0];
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(typed.length / 3)) + 1;
  for (const k of known) {
    const d = editDistance(typed, k, bestDistance);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

export function flag(a: Args, k: BooleanOption): boolean {
  return a.values[k] === true;
}

export function given(a: Args, k: OptionName): boolean {
  return a.values[k] !== undefined;
}

export function str(a: Args, k: StringOption): string | undefined {
  const v = a.values[k];
  return typeof v === 'string' ? v : undefined;
}

/** The option's number; one that must be whole (WHOLE) is checked against its range. */
export function num(a: Args, k: StringOption): number | undefined {
  const v = str(a, k);
  if (v === undefined) return undefined;
  const n = v.trim() === '' ? Number.NaN : Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${k} must be a number, got "${v}".`);
  const range = WHOLE[k];
  if (range && (!Number.isInteger(n) || n < range[0] || n > range[1])) {
    const [lo, hi] = range.map((x) => x.toLocaleString('en'));
    throw new UsageError(`--${k} must be a whole number from ${lo} to ${hi}, got ${v}.`);
  }
  return n;
}

/** A whole number of at least 1 such as --top-k (in its WHOLE range), or the fallback when not given. */
export function count(a: Args, k: StringOption, fallback: number): number {
  const n = num(a, k) ?? fallback;
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${k} must be a positive whole number, got ${n}.`);
  return n;
}

export function choice<T extends string>(a: Args, k: StringOption, allowed: readonly T[]): T | undefined {
  const v = str(a, k);
  if (v !== undefined && !allowed.includes(v as T))
    throw new UsageError(`--${k} ${v} is not one of ${allowed.join(', ')}.`);
  return v as T | undefined;
}
