// Shared by the step benches that compare a model with its PyTorch peer (bench/gptStep.ts,
// bench/elmoStep.ts): the median time of training steps after a warm-up, and running a peer script
// (bench/torch_*.py) through bench/peer.ts's environment, read back as its last JSON line.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { peerEnv } from './peer';

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Median ms of `steps` calls of step(i) after `warmup` calls (not timed); i counts from 0 over all calls. */
export async function medianStepMs(step: (i: number) => Promise<unknown>, steps: number, warmup = 3) {
  for (let i = 0; i < warmup; i++) await step(i);
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const t0 = performance.now();
    await step(warmup + i);
    times.push(performance.now() - t0);
  }
  return median(times);
}

/** What every peer prints: its name, the median step time, its parameters and bench/torch_config.py. */
export interface PeerResult {
  peer: string;
  stepMs: number;
  parameters: number;
  config: Record<string, unknown>;
}

/** Runs bench/<script> with /usr/bin/python3 and the given options; returns its last output line, parsed. */
export function runPeer<T extends PeerResult>(script: string, options: Record<string, string | number>): T {
  const args = Object.entries(options).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const r = spawnSync('/usr/bin/python3', [path.join(__dirname, script), ...args], {
    encoding: 'utf8',
    env: peerEnv(),
  });
  if (r.status !== 0)
    throw new Error(`the PyTorch peer failed (is python3-torch installed?): ${r.stderr.slice(-500)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as T;
}

/** The BERT shape bench/torch_bert.py trains: the FFN is 4 × hidden, as in our presets. */
export interface TorchBertShape {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  seq: number;
  batch: number;
}

/** What bench/torch_bert.py prints: its step (MLM + NSP, AdamW) on a fixed synthetic batch, and its configuration. */
export interface TorchBertResult extends PeerResult {
  tokensPerSecond: number;
  forwardMs: number;
  peakRssMb: number;
}

/** The PyTorch BERT peer on `shape` with `threads` threads for `steps` timed steps. */
export function torchBertPeer(shape: TorchBertShape, threads: number, steps: number): TorchBertResult {
  return runPeer<TorchBertResult>('torch_bert.py', { threads, steps, ...shape });
}
