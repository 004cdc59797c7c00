// Benchmark: how much Predict Mask and Show Attention, asked for in a loop, slow a BERT-tiny pretraining
// running in the same engine. The layout is the extension's: one EngineService (the worker's) answers the
// training and the requests, so a request runs between two training steps (src/engine/inferenceShare.ts
// lets requests take at most 5% of the time while a training runs, and ONNX Runtime one thread).
// Phases, in rounds: training alone; training while requests loop through the engine; training while
// Predict Mask runs between steps with no turn-taking (how the engine behaved before).
// Prints the wall time per step of each phase and its ratio to the training alone, and the CPU time of the
// engine thread per step: training and requests share that thread, so its CPU time per step is what
// the training waits for, and is less disturbed by other work on the machine than wall time.
// Run: nice -n 10 node --import tsx bench/inferenceDuringTraining.ts   (BENCH_ROUNDS=5, BENCH_STEPS=8;
// on Node 23.9+ the CPU time is the engine thread's alone, on older Nodes the whole process's)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { requireCapability } from '../src/engine/analysis/loadedModel';
import { EngineService } from '../src/engine/service';
import type { EngineProgress } from '../src/shared/engineProtocol';
import type { RequestContext } from '../src/shared/rpc';

const STEPS = Number(process.env.BENCH_STEPS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SKIP = 3; // first steps: graph set-up, not measured
const root = path.join(__dirname, '..');
const starter = path.join(root, 'models', 'starter');
// about 200 tokens each: a selection a person would look at
const LONG = 'The cat sat on the mat because it was warm. 猫坐在垫子上，因为它很暖和。 '.repeat(6);
const TEXT = `${LONG}The capital of France is [MASK]. 巴黎是法国的[MASK]都。`;
const ATTN = LONG;
// the requests' model: the starter (BERT-tiny), or by default a BERT "small" (4 layers, 512 hidden) made
// with one training step, so that a request costs about what a real model's does
const MODEL = process.env.BENCH_MODEL ?? 'small';

const service = new EngineService('auto');
let nextId = 1;
const ctx = (onProgress: (p: EngineProgress) => void = () => {}): RequestContext => ({
  id: nextId++,
  progress: (p) => onProgress(p as EngineProgress),
  cancelled: false,
  onCancel: () => {},
});
const ask = (body: object) => service.handle(body, ctx());
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

// CPU time of this thread (the engine's): Node 23.9+ has it per thread; older Nodes only per process.
const threadCpu = (process as { threadCpuUsage?: () => NodeJS.CpuUsage }).threadCpuUsage;
const cpuMs = () => {
  const u = threadCpu ? threadCpu.call(process) : process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Trains BERT-tiny for STEPS + SKIP steps; the wall and engine-thread CPU ms/step after the first SKIP. */
async function train(extra: object = {}, outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-idt-'))) {
  let start = { wall: 0, cpu: 0 };
  let end = start;
  await service.handle(
    {
      type: 'pretrainBert',
      options: {
        corpus: [path.join(root, 'sample', 'english')],
        outDir,
        preset: 'tiny',
        vocabFile: path.join(starter, 'vocab.txt'),
        steps: STEPS + SKIP,
        batchSize: 16,
        maxSeqLength: 64,
        logEvery: 1,
        checkpointEvery: 100_000,
        seed: 1,
        ...extra,
      },
    },
    ctx((p) => {
      if (p.type !== 'train') return;
      const now = { wall: performance.now(), cpu: cpuMs() };
      if (p.progress.step === SKIP) start = now;
      end = now;
    }),
  );
  if (!('steps' in extra)) fs.rmSync(outDir, { recursive: true, force: true });
  return { wall: (end.wall - start.wall) / STEPS, cpu: (end.cpu - start.cpu) / STEPS };
}

/** Runs `one` in a loop until `done` resolves; returns the latency of each call. */
async function loop(one: () => Promise<unknown>, done: Promise<unknown>): Promise<number[]> {
  let stop = false;
  done.finally(() => {
    stop = true;
  });
  const lat: number[] = [];
  while (!stop) {
    const t0 = performance.now();
    await one();
    lat.push(performance.now() - t0);
  }
  return lat;
}

(async () => {
  const init = (await ask({ type: 'init', backend: 'auto' })) as { backend: string; inference?: string };
  const modelDir =
    MODEL === 'starter' ? starter : fs.mkdtempSync(path.join(os.tmpdir(), 'pl-bench-idt-model-'));
  if (MODEL !== 'starter') await train({ preset: MODEL, steps: 1, batchSize: 2, maxSeqLength: 32 }, modelDir);
  const engine = `training: tfjs ${init.backend}; inference: ${init.inference ?? `tfjs ${init.backend}`}`;
  // idle: what one request costs when no training runs (all threads)
  let k = 0;
  const request = () =>
    k++ % 2 === 0
      ? ask({ type: 'predictMask', modelDir, text: TEXT, topK: 5 })
      : ask({ type: 'attention', modelDir, text: ATTN });
  for (let i = 0; i < 4; i++) await request();
  const idle: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now();
    await request();
    idle.push(performance.now() - t0);
  }

  // the same forward passes called directly, between steps, as the engine did before the turn-taking
  const model = requireCapability(await service.models.get(modelDir), 'predictMask');
  const direct = async () => {
    await new Promise((r) => setImmediate(r));
    await model.predictMasks(TEXT, 5);
  };
  await train(); // warm-up: the first training in a process sets up kernels and caches
  // rounds of the three phases, so that a change of load on the machine hits them alike
  type Phase = { wall: number; cpu: number }[];
  const alone: Phase = [];
  const turns: Phase = [];
  const free: Phase = [];
  const answered = { turns: [] as number[], free: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    alone.push(await train());
    const t = train();
    answered.turns.push(...(await loop(request, t)));
    turns.push(await t);
    const t2 = train();
    answered.free.push(...(await loop(direct, t2)));
    free.push(await t2);
  }
  const f = (x: number) => x.toFixed(1);
  const m = (ph: Phase, k: 'wall' | 'cpu') => mean(ph.map((x) => x[k]));
  const row = (name: string, ph: Phase, lat?: number[]) =>
    console.log(
      `| ${name} | ${f(m(ph, 'wall'))} (${ph.map((x) => f(x.wall)).join(', ')}) | ${(m(ph, 'wall') / m(alone, 'wall')).toFixed(3)} | ${f(m(ph, 'cpu'))} | ${(m(ph, 'cpu') / m(alone, 'cpu')).toFixed(3)} | ${lat ? `${lat.length} | ${f(mean(lat))} ms` : ' | '} |`,
    );
  console.log(
    `BERT-tiny pretraining (seq 64, batch 16) in one engine with Predict Mask / attention requests`,
  );
  console.log(
    `engine: ${engine}; ${os.availableParallelism()} cores; ${ROUNDS} rounds of ${STEPS} steps a phase; node ${process.version}, CPU time ${threadCpu ? 'of the engine thread' : 'of the whole process'}; load average ${os.loadavg()[0].toFixed(1)}`,
  );
  console.log(
    `requests: Predict Mask and attention alternating, ~200 tokens, on ${MODEL === 'starter' ? 'the starter (BERT-tiny)' : `a BERT ${MODEL}`}; one takes ${f(mean(idle))} ms when idle`,
  );
  console.log(
    '| phase | wall ms/step, mean (each round) | wall ratio | engine CPU ms/step | CPU ratio | requests answered | request latency |',
  );
  console.log('|---|---|---|---|---|---|---|');
  row('training alone', alone);
  row('requests in a loop through the engine (taking turns)', turns, answered.turns);
  row('Predict Mask between steps, no turn-taking (before)', free, answered.free);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const perRound = (ph: Phase, k: 'wall' | 'cpu') => median(ph.map((x, i) => x[k] / alone[i][k])).toFixed(3);
  console.log(
    `median of the rounds' ratios (phase / alone in the same round): taking turns wall ${perRound(turns, 'wall')}, CPU ${perRound(turns, 'cpu')}; no turn-taking wall ${perRound(free, 'wall')}, CPU ${perRound(free, 'cpu')}`,
  );
  service.dispose();
  if (modelDir !== starter) fs.rmSync(modelDir, { recursive: true, force: true });
})();
