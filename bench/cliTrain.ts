// One BERT pretraining with the project's CLI for the benches that compare whole runs
// (bench/denormals.ts, bench/presetRecipe.ts): fresh, seed 1, no checkpoint before the end, its
// metrics.jsonl read back. Throws with the run's last output when it fails.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One line of metrics.jsonl (src/engine/train/tasks/bertPretraining.ts trainProgress). */
export interface RunMetric {
  step: number;
  mlmLoss: number;
  nspLoss: number;
  mlmAccuracy: number;
  nspAccuracy: number;
  unigramEntropy: number;
  tokensPerSecond: number; // real tokens (not padding) over the window since the last line
  elapsedSeconds: number;
}

export interface CliRun {
  corpus: string[];
  vocab?: string;
  out: string;
  preset: string;
  steps: number;
  batch: number;
  logEvery: number;
  extra?: string[]; // more CLI flags (--lr, --init-range, --max-seq-length…)
  env?: Record<string, string>;
}

export function trainWithCli(run: CliRun): { metrics: RunMetric[]; output: string } {
  const root = path.resolve(__dirname, '..');
  const args = [
    'bin/pretrain-lab.js',
    'pretrain',
    'bert',
    ...run.corpus.flatMap((c) => ['--corpus', c]),
    ...(run.vocab ? ['--vocab', run.vocab] : []),
    ...['--out', run.out, '--fresh', '--preset', run.preset, '--steps', String(run.steps)],
    ...['--batch-size', String(run.batch), '--seed', '1', '--log-every', String(run.logEvery)],
    ...['--checkpoint-every', String(run.steps * 10), ...(run.extra ?? [])],
  ];
  const r = spawnSync('node', args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ...run.env },
    maxBuffer: 64 << 20,
  });
  const output = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`the training into ${run.out} failed: ${output.slice(-800)}`);
  const metrics = fs
    .readFileSync(path.join(run.out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RunMetric);
  return { metrics, output };
}
