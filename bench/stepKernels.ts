// Kernel calls of one BERT-tiny pretraining step (vocab 8000, hidden 128, 2 layers, seq 64, batch 16,
// MLM + NSP, AdamW), counted by name with tf.profile after a warm-up step: where the per-call overhead
// of a step goes (docs/benchmarks.md, "Fewer and cheaper kernel calls per step"). The times are the
// profiler's (it waits for each kernel) and only rank the kernels; bench/bertStep.ts times the step.
// Run: node --import tsx bench/stepKernels.ts      (PRETRAIN_LAB_UNFUSED_ADAMW=1: the op-by-op AdamW)
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { tinyBertStep } from './bertTinyStep';

(async () => {
  const info = await initBackend();
  const { step } = tinyBertStep();
  await step();
  const prof = await tf.profile(async () => {
    await step();
  });
  const by = new Map<string, { n: number; ms: number }>();
  for (const k of prof.kernels) {
    const e = by.get(k.name) ?? { n: 0, ms: 0 };
    e.n++;
    e.ms += Number(k.kernelTimeMs) || 0;
    by.set(k.name, e);
  }
  console.log(`backend ${info.name}, tfjs ${tf.version_core}, node ${process.version}`);
  console.log(
    `${prof.kernels.length} kernel calls in one step\n\n| kernel | calls | profiled ms |\n|---|---|---|`,
  );
  for (const [k, e] of [...by].sort((a, b) => b[1].n - a[1].n))
    console.log(`| ${k} | ${e.n} | ${e.ms.toFixed(1)} |`);
})();
