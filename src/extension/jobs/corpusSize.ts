// How big a corpus is before training on it: files, megabytes and an estimate of its tokens (from a
// sample of each file), and how long a BERT step budget may take. Shown in the corpus picker and next
// to the step budget, so a first run is not a 10-line file trained for 1,000 steps without knowing it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { l10n } from '../l10n';

// the text files the engine reads from a folder (src/engine/data/corpus.ts; the extension cannot import it)
const TEXT_EXT = /\.(txt|md|markdown|text|rst|tex|csv|tsv|json|jsonl|html?|xml|org|srt|vtt)$/i;
const SKIP_DIR = new Set(['node_modules', '.git', '.pretrain-lab']);
const MAX_FILES = 20000;
const SAMPLE_BYTES = 64 * 1024; // read from each file to estimate its tokens per byte
const MAX_SAMPLED = 200; // files sampled; the rest take the average ratio

export interface CorpusSize {
  files: number;
  bytes: number;
  tokens: number; // estimated WordPiece tokens
}

/** The text files under `p` (a file, or a folder walked as the engine walks it). */
export function corpusFiles(p: string, out: string[] = []): string[] {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return out;
  }
  if (st.isFile()) {
    out.push(p);
    return out;
  }
  if (!st.isDirectory()) return out;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(p, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (out.length >= MAX_FILES) break;
    const f = path.join(p, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIR.has(e.name) && !e.name.startsWith('.')) corpusFiles(f, out);
    } else if (e.isFile() && TEXT_EXT.test(e.name)) out.push(f);
  }
  return out;
}

/**
 * Tokens a text would give, roughly: a word of Latin letters or digits is ~1.3 WordPieces, a CJK
 * character one token, punctuation one token.
 */
export function estimateTokens(text: string): number {
  const words = text.match(/[\p{L}\p{N}]+/gu) ?? [];
  let tokens = 0;
  for (const w of words) {
    const cjk = w.match(/[\u3400-\u9fff\uf900-\ufaff]/gu)?.length ?? 0;
    tokens += cjk + (w.length > cjk ? 1.3 : 0);
  }
  tokens += text.match(/[^\p{L}\p{N}\s]/gu)?.length ?? 0;
  return Math.round(tokens);
}

/** Files, bytes and estimated tokens of the given files and folders. */
export function measureCorpus(paths: readonly string[]): CorpusSize {
  const files = paths.flatMap((p) => corpusFiles(p));
  let bytes = 0;
  let sampledBytes = 0;
  let sampledTokens = 0;
  for (const [i, f] of files.entries()) {
    let size = 0;
    try {
      size = fs.statSync(f).size;
    } catch {
      continue;
    }
    bytes += size;
    if (i >= MAX_SAMPLED) continue;
    const n = Math.min(size, SAMPLE_BYTES);
    const buf = Buffer.alloc(n);
    try {
      const fd = fs.openSync(f, 'r');
      try {
        fs.readSync(fd, buf, 0, n, 0);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      continue;
    }
    sampledBytes += n;
    sampledTokens += estimateTokens(buf.toString('utf8'));
  }
  const perByte = sampledBytes > 0 ? sampledTokens / sampledBytes : 0.25;
  return { files: files.length, bytes, tokens: Math.round(bytes * perByte) };
}

function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e4) return `${Math.round(n / 1e3)}k`;
  return n.toLocaleString('en');
}

/** "12 files · 0.9 MB · ~180k tokens" */
export function sizeLabel(s: CorpusSize): string {
  const mb = s.bytes / (1024 * 1024);
  const size = mb >= 0.1 ? `${mb.toFixed(1)} MB` : `${Math.max(1, Math.round(s.bytes / 1024))} KB`;
  const files = s.files === 1 ? l10n.t('{0} file', 1) : l10n.t('{0} files', s.files.toLocaleString('en'));
  return l10n.t('{0} · {1} · ~{2} tokens', files, size, compact(s.tokens));
}

// steps per second of each preset at the default batch (16 × 64 tokens) on the WebAssembly backend,
// measured on a 2-core laptop; tfjs-node is some 3× faster. A rough guide, which the label says.
const STEPS_PER_SECOND: Record<string, number> = { tiny: 6, mini: 1.5, small: 0.5, base: 0.04 };

/** "~3 min" for a step budget, from a measured speed (tokens/s of an earlier run) or the table above. */
export function estimateTime(
  steps: number,
  preset: string,
  measured?: { tokensPerSecond: number; tokensPerStep: number },
): string {
  const rate =
    measured && measured.tokensPerSecond > 0
      ? measured.tokensPerSecond / measured.tokensPerStep
      : (STEPS_PER_SECOND[preset] ?? 1);
  const s = steps / rate;
  const when =
    s < 90
      ? l10n.t('{0} s', Math.max(1, Math.round(s)))
      : s < 5400
        ? l10n.t('{0} min', Math.round(s / 60))
        : l10n.t('{0} h', (s / 3600).toFixed(1));
  return measured
    ? l10n.t('~{0} at the speed of your last run', when)
    : l10n.t('~{0} (rough estimate)', when);
}

/** How many times the model would see the corpus: steps × tokens per step / corpus tokens. */
export function passes(steps: number, tokensPerStep: number, corpusTokens: number): string {
  if (!(corpusTokens > 0)) return '';
  const p = (steps * tokensPerStep) / corpusTokens;
  return p >= 1
    ? l10n.t('{0} passes over the corpus', p >= 10 ? Math.round(p).toLocaleString('en') : p.toFixed(1))
    : l10n.t('{0}% of the corpus', Math.round(p * 100));
}

/** What the step-budget box says as the number is typed: time, and how much of the corpus it covers. */
export function stepBudgetNote(
  steps: number,
  preset: string,
  tokensPerStep: number,
  corpus?: CorpusSize,
  measuredTokensPerSecond?: number,
): string {
  const measured =
    measuredTokensPerSecond !== undefined && measuredTokensPerSecond > 0
      ? { tokensPerSecond: measuredTokensPerSecond, tokensPerStep }
      : undefined;
  const cover = corpus ? passes(steps, tokensPerStep, corpus.tokens) : '';
  return l10n.t(
    '{0} steps of {1}: {2}{3}.',
    steps.toLocaleString('en'),
    preset,
    estimateTime(steps, preset, measured),
    cover ? l10n.t('; {0}', cover) : '',
  );
}
