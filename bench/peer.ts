// How the benches start their Python peers (bench/torch_*.py, gensim): Debian's /usr/bin/python3 with
// OpenBLAS. Debian's python3-torch is built with BLAS_INFO=generic and runs its products on whatever
// libblas.so.3 the loader finds; with only libblas3 installed that is the reference BLAS, many times
// slower, and a ratio against such a peer means little. LD_LIBRARY_PATH points at Debian's
// libopenblas0-pthread (apt-get install libopenblas0-pthread) when it is installed; otherwise a warning
// says the peer runs on whatever update-alternatives chose. The peer prints the library it actually
// mapped (bench/torch_config.py, `blasLoaded`).
import * as fs from 'node:fs';

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
