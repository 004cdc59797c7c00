// Benchmark: our BERT-tiny pretraining step (vocab 8000, hidden 128, 2 layers, 2 heads, FFN 512,
// seq 64, batch 16, MLM + NSP, AdamW) and the same model in PyTorch (bench/torch_bert.py, 2 threads)
// measured in the same run; prints ms/step, tokens/s, one-sentence forward and their ratios.
// Run: npm run bench            (PRETRAIN_LAB_BACKEND=cpu|wasm to pick our backend)
// Design (a) of issue 14 (src/engine/onnx/ortMatMul.ts): PRETRAIN_LAB_ORT_MATMUL=1 runs ours with the ORT
// matrix products; BENCH_ORT_MATMUL=16,20:1 times our step without them and right after with them from
// 2^16 and 2^20 multiply-adds (`:1` = one ORT thread, `:2:spin` = spinning threads), BENCH_ROUNDS times
// (default 2), each row with the peer's ratio (BENCH_ORT_MATMUL=1: the default threshold only).
// BENCH_FAST=compare times the tfjs step, the hand-written step of design (b) (src/engine/train/fastBert.ts)
// with 1 and 2 ORT threads, and the peer, BENCH_ROUNDS times.
// BENCH_DECODER=compare times the hand-written step with the MLM decoder split, then as one ORT graph.
// BENCH_ADAMW=compare times our step with the op-by-op AdamW (PRETRAIN_LAB_UNFUSED_ADAMW=1) and right after
// with the fused one (src/engine/train/fusedAdamW.ts), BENCH_ROUNDS times, each with the peer's ratio.
// BENCH_BATCH=64 and BENCH_PRESET=mini time the starter's batch and the next preset, the peer on the same shape.
import * as os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import {
  DEFAULT_MIN_WORK,
  installOrtMatMul,
  ortMatMulStats,
  uninstallOrtMatMul,
} from '../src/engine/onnx/ortMatMul';
import { B, P, PEER_SHAPE, SHAPE, T, tinyBertFastStep, tinyBertStep } from './bertTinyStep';
import { peerBlasLine } from './peer';
import { torchBertPeer } from './stepTiming';

const STEPS = Number(process.env.BENCH_STEPS ?? 10);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function ours(variant?: () => void) {
  const info = await initBackend();
  variant?.();
  const { m, trainer, ids, pos, step } = tinyBertStep();
  for (let i = 0; i < 3; i++) await step();
  const calls0 = ortMatMulStats().ortCalls;
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  const one = tf.tensor2d(ids.slice(0, T), [1, T], 'int32');
  const ortPerStep = (ortMatMulStats().ortCalls - calls0) / STEPS; // products of a step, not the forwards'
  const fw: number[] = [];
  for (let i = 0; i < 23; i++) {
    const t0 = performance.now();
    tf.tidy(() => {
      const { hidden } = m.forward({
        inputIds: one,
        segmentIds: tf.zeros([1, T], 'int32') as tf.Tensor2D,
        attentionMask: tf.ones([1, T]) as tf.Tensor2D,
      });
      m.mlmLogits(hidden, tf.tensor1d(pos.slice(0, P), 'int32')).dataSync();
    });
    if (i >= 3) fw.push(performance.now() - t0);
  }
  const stepMs = median(times);
  const parameters = m.parameterCount; // before dispose, which empties the model
  m.dispose();
  trainer.dispose();
  return {
    ortPerStep,
    backend: info.name,
    stepMs,
    tokensPerSecond: (B * T * 1000) / stepMs,
    forwardMs: median(fw),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    parameters,
  };
}

function peer(threads: number) {
  return torchBertPeer(PEER_SHAPE, threads, STEPS);
}

/**
 * BENCH_ORT_MATMUL: for each threshold 2^k (k[:ORT threads[:spin]]), our step without the ORT products
 * and right after it with them, then the ratios to the PyTorch peer measured at the start of the round.
 */
async function compareOrt(spec: string) {
  const variants = spec === '1' ? [String(Math.log2(DEFAULT_MIN_WORK))] : spec.split(',');
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  console.log(`${SHAPE} step, MLM + NSP, ms, median of ${STEPS}; peer: PyTorch 2 threads`);
  console.log(
    '| round | ORT products from | ORT threads | products on ORT per step | without | with | with / without | peer | without / peer | with / peer | load (1 min) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  let config: unknown;
  await ours(uninstallOrtMatMul); // warms the JIT and the wasm heap: the first variant is not favoured
  for (let r = 1; r <= rounds; r++) {
    const them = peer(2);
    config = them.config;
    for (const v of variants) {
      const [k, threads, spin] = v.split(':');
      const without = await ours(uninstallOrtMatMul);
      const withOrt = await ours(() => {
        const why = installOrtMatMul({
          minWork: 2 ** Number(k),
          threads: threads ? Number(threads) : undefined,
          spin: spin === 'spin',
        });
        if (why) throw new Error(`ONNX Runtime did not load: ${why}`);
      });
      const n = ortMatMulStats().threads;
      const f = (x: number) => x.toFixed(1);
      const q = (x: number, y: number) => (x / y).toFixed(2);
      console.log(
        `| ${r} | 2^${k} | ${n}${spin ? ' (spinning)' : ''} | ${withOrt.ortPerStep} | ${f(without.stepMs)} | ${f(withOrt.stepMs)} | ${q(withOrt.stepMs, without.stepMs)} | ${f(them.stepMs)} | ${q(without.stepMs, them.stepMs)} | ${q(withOrt.stepMs, them.stepMs)} | ${os.loadavg()[0].toFixed(2)} |`,
      );
    }
  }
  uninstallOrtMatMul();
  console.log(`\nPyTorch peer: ${JSON.stringify(config)}`);
  console.log(peerBlasLine(config));
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core}, wasm + onnxruntime products`);
}

/** BENCH_ADAMW=compare: our step with the op-by-op AdamW, then with the fused one, against the peer. */
async function compareAdamW() {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const unfused = (on: boolean) => () => {
    if (on) process.env.PRETRAIN_LAB_UNFUSED_ADAMW = '1';
    else delete process.env.PRETRAIN_LAB_UNFUSED_ADAMW;
  };
  console.log(`${SHAPE} step, MLM + NSP, ms, median of ${STEPS}; peer: PyTorch 2 threads`);
  console.log(
    '| round | op-by-op AdamW | fused AdamW | fused / op-by-op | peer | op-by-op / peer | fused / peer | load (1 min) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  let config: unknown;
  let backend = '';
  await ours(unfused(true)); // warms the JIT and the wasm heap: the first variant is not favoured
  for (let r = 1; r <= rounds; r++) {
    const them = peer(2);
    config = them.config;
    const a = await ours(unfused(true));
    const b = await ours(unfused(false));
    backend = b.backend;
    const f = (x: number) => x.toFixed(1);
    const q = (x: number, y: number) => (x / y).toFixed(2);
    console.log(
      `| ${r} | ${f(a.stepMs)} | ${f(b.stepMs)} | ${q(b.stepMs, a.stepMs)} | ${f(them.stepMs)} | ${q(a.stepMs, them.stepMs)} | ${q(b.stepMs, them.stepMs)} | ${os.loadavg()[0].toFixed(2)} |`,
    );
  }
  console.log(`\nPyTorch peer: ${JSON.stringify(config)}`);
  console.log(peerBlasLine(config));
  const o = ortMatMulStats();
  const ort = o.installed ? `, products ≥ ${o.minWork} on ORT (${o.threads} threads)` : '';
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core}, backend ${backend}${ort}`);
}

/**
 * BENCH_DECODER=compare: the hand-written step (2 ORT threads) with the MLM decoder split (a product,
 * the softmax cross-entropy pass, two products: PRETRAIN_LAB_MLM_DECODER=split), then as one ORT graph
 * (the default), against the peer, BENCH_ROUNDS times; then where the fused step's time goes.
 */
async function compareDecoder() {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const split = (on: boolean) => {
    if (on) process.env.PRETRAIN_LAB_MLM_DECODER = 'split';
    else delete process.env.PRETRAIN_LAB_MLM_DECODER;
  };
  console.log(
    `${SHAPE} step, MLM + NSP, AdamW, hand-written step, 2 ORT threads, ms, median of ${STEPS}; peer: PyTorch 2 threads`,
  );
  console.log(
    '| round | decoder split | decoder one ORT graph | one graph / split | peer | split / peer | one graph / peer | load (1 min) |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  let config: unknown;
  split(true);
  await oursFast(2); // warms the JIT: the first variant is not favoured
  for (let r = 1; r <= rounds; r++) {
    const them = peer(2);
    config = them.config;
    split(true);
    const a = await oursFast(2);
    split(false);
    const b = await oursFast(2);
    const f = (x: number) => x.toFixed(1);
    const q = (x: number, y: number) => (x / y).toFixed(2);
    console.log(
      `| ${r} | ${f(a)} | ${f(b)} | ${q(b, a)} | ${f(them.stepMs)} | ${q(a, them.stepMs)} | ${q(b, them.stepMs)} | ${os.loadavg()[0].toFixed(2)} |`,
    );
  }
  await printParts('One-graph decoder');
  console.log(`\nPyTorch peer: ${JSON.stringify(config)}`);
  console.log(peerBlasLine(config));
  console.log(
    `ours: node ${process.version}, onnxruntime-node ${require('onnxruntime-node/package.json').version}`,
  );
}

/** Where the hand-written step's time goes (2 ORT threads), as a table of parts. */
async function printParts(label: string) {
  const { step, fast, dispose } = tinyBertFastStep(2);
  for (let i = 0; i < 3; i++) await step();
  fast.timings = new Map();
  const t0 = performance.now();
  for (let i = 0; i < STEPS; i++) await step();
  const total = (performance.now() - t0) / STEPS;
  dispose();
  console.log(`\n${label}, 2 ORT threads, mean of ${STEPS} steps: ${total.toFixed(1)} ms a step`);
  console.log('| part | ms a step |\n|---|---|');
  for (const [k, v] of [...fast.timings].sort((a, b) => b[1] - a[1]))
    console.log(`| ${k} | ${(v / STEPS).toFixed(1)} |`);
}

/** Median ms of the hand-written step (design b) with `threads` ORT threads. */
async function oursFast(threads: number) {
  await initBackend();
  const { step, dispose } = tinyBertFastStep(threads);
  for (let i = 0; i < 3; i++) await step();
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await step();
    times.push(performance.now() - t0);
  }
  dispose();
  return median(times);
}

/** BENCH_FAST=compare: the tfjs step (backend default: ORT products with auto), the hand-written step (design b) with 1 and 2 ORT threads, and the peer. */
async function compareFast() {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  console.log(`${SHAPE} step, MLM + NSP, AdamW, ms, median of ${STEPS}; peer: PyTorch 2 threads`);
  console.log(
    '| round | tfjs step | design (b), ORT 1 thread | design (b), ORT 2 threads | peer | tfjs / peer | (b) 1 thread / peer | (b) 2 threads / peer | load (1 min) |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  let config: unknown;
  let backend = '';
  await oursFast(2); // warms the JIT
  for (let r = 1; r <= rounds; r++) {
    const them = peer(2);
    config = them.config;
    const a = await ours();
    backend = a.backend;
    const b1 = await oursFast(1);
    const b2 = await oursFast(2);
    const f = (x: number) => x.toFixed(1);
    const q = (x: number) => (x / them.stepMs).toFixed(2);
    console.log(
      `| ${r} | ${f(a.stepMs)} | ${f(b1)} | ${f(b2)} | ${f(them.stepMs)} | ${q(a.stepMs)} | ${q(b1)} | ${q(b2)} | ${os.loadavg()[0].toFixed(2)} |`,
    );
  }
  await printParts('Design (b)');
  console.log(`\nPyTorch peer: ${JSON.stringify(config)}`);
  console.log(peerBlasLine(config));
  const o = ortMatMulStats();
  const ort = o.installed ? `, products ≥ ${o.minWork} on ORT (${o.threads} threads)` : '';
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core}, tfjs step on ${backend}${ort}`);
}

(async () => {
  if (process.env.BENCH_FAST === 'compare') return compareFast();
  if (process.env.BENCH_ORT_MATMUL) return compareOrt(process.env.BENCH_ORT_MATMUL);
  if (process.env.BENCH_ADAMW === 'compare') return compareAdamW();
  if (process.env.BENCH_DECODER === 'compare') return compareDecoder();
  const us = await ours();
  const them = peer(2);
  const f = (x: number) => x.toFixed(1);
  console.log(`${SHAPE} pretraining step, MLM + NSP`);
  console.log(`| | ours (tfjs ${us.backend}) | ${them.peer}, 2 threads | ratio ours/peer |`);
  console.log('|---|---|---|---|');
  console.log(
    `| train step, ms (median of ${STEPS}) | ${f(us.stepMs)} | ${f(them.stepMs)} | ${(us.stepMs / them.stepMs).toFixed(2)} |`,
  );
  console.log(
    `| tokens/s | ${Math.round(us.tokensPerSecond)} | ${Math.round(them.tokensPerSecond)} | ${(us.tokensPerSecond / them.tokensPerSecond).toFixed(2)} |`,
  );
  console.log(
    `| forward, one ${T}-token sentence, ms | ${f(us.forwardMs)} | ${f(them.forwardMs)} | ${(us.forwardMs / them.forwardMs).toFixed(2)} |`,
  );
  console.log(
    `| peak RSS, MB | ${Math.round(us.peakRssMb)} | ${Math.round(them.peakRssMb)} | ${(us.peakRssMb / them.peakRssMb).toFixed(2)} |`,
  );
  console.log(`| parameters | ${us.parameters} | ${them.parameters} | |`);
  // a slow peer shows here: threads, BLAS library, OpenMP settings
  console.log(`\nPyTorch peer: ${JSON.stringify(them.config)}`);
  console.log(peerBlasLine(them.config));
  const o = ortMatMulStats(); // PRETRAIN_LAB_ORT_MATMUL=1
  const ort = o.installed ? `, products ≥ ${o.minWork} on ORT (${o.threads} threads)` : '';
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core}, backend ${us.backend}${ort}`);
})();
