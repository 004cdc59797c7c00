// While a training runs, forward-only requests (Predict Mask, attention, contextual vectors, generation)
// share the engine with it. Training and inference run in one worker: a BERT/GPT/ELMo training yields
// between steps and a request runs in that gap, so every millisecond of inference is a millisecond the
// training waits (word2vec trains on its own threads, and inference competes with them for the cores).
// So while a training runs, requests take turns: one at a time, each admitted only once the time spent
// on inference since the training started is at most SHARE of the time that has passed — the training
// keeps ≥ 95% of the time however many requests come; the margin to the 10% allowed is for what a
// request costs the training after it ends (garbage to collect, caches to refill), which the gate does
// not see (bench/inferenceDuringTraining.ts measures the whole). ONNX Runtime also drops to one thread
// while a training runs (onnx/runtime.ts). When no training runs, nothing waits.

/** The part of the time inference may take while a training runs. */
export const SHARE = 0.05;

let trainings = 0;
let debtMs = 0; // inference time not yet paid back by SHARE of the time passed
let lastMs = 0;
let excusedMs = 0; // of the running request, see excuse()
let queue: Promise<unknown> = Promise.resolve();

/** Whether a training runs in this engine. */
export function trainingRuns(): boolean {
  return trainings > 0;
}

/** Runs a training; inference shares time with it until it ends. */
export async function whileTraining<T>(run: () => Promise<T>): Promise<T> {
  if (trainings++ === 0) {
    debtMs = 0;
    lastMs = performance.now();
  }
  try {
    return await run();
  } finally {
    trainings--;
  }
}

function repay(): void {
  const now = performance.now();
  debtMs = Math.max(0, debtMs - (now - lastMs) * SHARE);
  lastMs = now;
}

/**
 * Time the running request spent on something the turn-taking itself caused — ONNX Runtime compiling a
 * model's session again for one thread when a training starts, once per model — and is not charged
 * (else the first request after it would wait 20× as long).
 */
export function excuse(ms: number): void {
  excusedMs += ms;
}

/** Runs a forward-only request: at once when no training runs, else in its turn (see above). */
export function shareWithTraining<T>(run: () => T | Promise<T>): Promise<T> {
  if (!trainingRuns()) return Promise.resolve().then(run);
  const turn = queue.then(async () => {
    for (repay(); debtMs > 0 && trainingRuns(); repay())
      await new Promise((r) => setTimeout(r, Math.min(250, Math.ceil(debtMs / SHARE)))); // 250: see the end soon
    const t0 = performance.now();
    excusedMs = 0;
    try {
      return await run();
    } finally {
      repay();
      debtMs += Math.max(0, performance.now() - t0 - excusedMs);
    }
  });
  queue = turn.catch(() => undefined);
  return turn;
}

/** The engine requests that run a network forward (or load one): these take turns while a training runs. */
export const FORWARD_REQUESTS: ReadonlySet<string> = new Set([
  'describeModel',
  'predictMask',
  'predictWord',
  'attention',
  'contextual',
  'classify',
  'tag',
  'elmoLayers',
  'generate',
  'nextTokens',
  'rewrite',
]);
