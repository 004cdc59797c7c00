// How the benches start their Python peers (bench/torch_*.py, gensim): Debian's /usr/bin/python3 with
// OpenBLAS. Debian's python3-torch is built with BLAS_INFO=generic and runs its products on whatever
// libblas.so.3 the loader finds; with only libblas3 installed that is the reference BLAS, many times
// slower, and a ratio against such a peer means little. LD_LIBRARY_PATH points at Debian's
// libopenblas0-pthread (apt-get install libopenblas0-pthread) when it is installed; otherwise a warning
// says the peer runs on whatever update-alternatives chose. The peer prints the library it actually
// mapped (bench/torch_config.py, `blasLoaded`).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MULTIARCH = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
export const OPENBLAS_DIR = `/usr/lib/${MULTIARCH}/openblas-pthread`;

let warned = false;

/** The environment of a Python peer: OpenBLAS first on the library path, idle OpenMP threads sleeping. */
export function peerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', ...extra };
  if (fs.existsSync(`${OPENBLAS_DIR}/libblas.so.3`)) {
    env.LD_LIBRARY_PATH = [OPENBLAS_DIR, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  } else if (!warned) {
    warned = true;
    console.warn(
      `Warning: OpenBLAS is not installed (${OPENBLAS_DIR}); the PyTorch peer runs on the BLAS update-alternatives chose, maybe the slow reference one. Install it with: apt-get install libopenblas0-pthread`,
    );
  }
  return env;
}

/** One line for a bench's output: the BLAS the peer's products ran on (from its printed config). */
export function peerBlasLine(config: unknown): string {
  const loaded = (config as { blasLoaded?: string } | undefined)?.blasLoaded;
  return `PyTorch peer BLAS: ${loaded ?? 'not reported (bench/torch_config.py prints it)'}`;
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
export interface TorchBertResult {
  peer: string;
  stepMs: number;
  tokensPerSecond: number;
  forwardMs: number;
  peakRssMb: number;
  parameters: number;
  config: Record<string, unknown>; // torch version, threads, BLAS (bench/torch_config.py)
}

/** Runs the PyTorch BERT peer on `shape` with `threads` threads for `steps` timed steps. */
export function torchBertPeer(shape: TorchBertShape, threads: number, steps: number): TorchBertResult {
  const args = Object.entries(shape).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const r = spawnSync(
    '/usr/bin/python3',
    [path.join(__dirname, 'torch_bert.py'), '--threads', String(threads), '--steps', String(steps), ...args],
    { encoding: 'utf8', env: peerEnv() },
  );
  if (r.status !== 0)
    throw new Error(`the PyTorch peer failed (is python3-torch installed?): ${r.stderr.slice(-500)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as TorchBertResult;
}
