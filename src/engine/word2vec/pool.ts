// The training threads: each runs the kernel from its source text on the shared weights.
import { Worker } from 'node:worker_threads';
import { l10n } from '../../shared/l10nCore';
import { type KernelJob, type KernelShared, w2vKernel } from './kernel';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const __name = (f) => f;
const kernel = (${w2vKernel.toString()});
parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ ok: true, result: kernel(workerData, job) });
  } catch (e) {
    parentPort.postMessage({ ok: false, error: String(e && e.stack || e) });
  }
});
`;

/** Runs jobs on a pool of threads that share `shared`. */
export class KernelPool {
  private readonly workers: Worker[];
  constructor(shared: KernelShared, n: number) {
    this.workers = Array.from(
      { length: n },
      () => new Worker(WORKER_SOURCE, { eval: true, workerData: shared }),
    );
  }
  run(jobs: KernelJob[]): Promise<{ words: number; stopped: boolean }[]> {
    return Promise.all(
      jobs.map(
        (job, i) =>
          new Promise<{ words: number; stopped: boolean }>((resolve, reject) => {
            const w = this.workers[i];
            // whichever comes first settles the job; the others are removed so none fires later
            const done = () => {
              w.off('message', onMsg);
              w.off('error', onErr);
              w.off('exit', onExit);
            };
            const onMsg = (m: {
              ok: boolean;
              result?: { words: number; stopped: boolean };
              error?: string;
            }) => {
              done();
              if (m.ok) resolve(m.result!);
              else reject(new Error(l10n.t('A word2vec training thread failed: {0}', m.error)));
            };
            const onErr = (e: Error) => {
              done();
              reject(new Error(l10n.t('A word2vec training thread crashed: {0}', e.message)));
            };
            // a thread ended without a word (out of memory, process.exit): the job never finishes
            const onExit = (code: number) => {
              done();
              reject(
                new Error(
                  l10n.t(
                    'A word2vec training thread stopped unexpectedly (exit code {0}); the checkpoint of the last finished epoch is kept, so try again, with fewer --threads if memory is short.',
                    code,
                  ),
                ),
              );
            };
            w.once('message', onMsg);
            w.once('error', onErr);
            w.once('exit', onExit);
            w.postMessage(job);
          }),
      ),
    );
  }
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Splits sentences [0, S) into n runs of about equal words. */
export function splitSentences(starts: Int32Array, n: number): [number, number][] {
  const S = starts.length - 1;
  const total = starts[S];
  const out: [number, number][] = [];
  let s = 0;
  for (let t = 0; t < n; t++) {
    const target = ((t + 1) * total) / n;
    let e = s;
    while (e < S && (t === n - 1 || starts[e + 1] <= target)) e++;
    if (t < n - 1 && e === s && e < S) e++;
    out.push([s, e]);
    s = e;
  }
  return out;
}
