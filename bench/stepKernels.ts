// Kernel calls of one BERT-tiny pretraining step (vocab 8000, hidden 128, 2 layers, seq 64, batch 16,
// MLM + NSP, AdamW), counted by name with tf.profile after a warm-up step: where the per-call overhead
// of a step goes (docs/benchmarks.md, "Fewer and cheaper kernel calls per step"). The times are the
// profiler's (it waits for each kernel) and only rank the kernels; bench/bertStep.ts times the step.
// Run: node --import tsx bench/stepKernels.ts      (PRETRAIN_LAB_UNFUSED_ADAMW=1: the op-by-op AdamW)
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { Bert } from '../src/engine/models/bert';
import { Trainer } from '../src/engine/train/trainer';
import { BERT_PRESETS } from '../src/shared/configs';

const V = 8000;
const T = 64;
const B = 16;
const P = 10;

(async () => {
  const info = await initBackend();
  const m = new Bert({ ...BERT_PRESETS.tiny, vocabSize: V }, { seed: 1 });
  const trainer = new Trainer(m, { weightDecay: 0.01, clipNorm: 1 });
  const ids = Int32Array.from({ length: B * T }, (_, i) => 5 + ((i * 7919) % (V - 5)));
  const pos = Int32Array.from({ length: B * P }, (_, i) => i * Math.floor(T / P));
  const step = () =>
    trainer.trainStep(() => {
      const l = m.pretrainLosses(
        {
          inputIds: tf.tensor2d(ids, [B, T], 'int32'),
          segmentIds: tf.zeros([B, T], 'int32') as tf.Tensor2D,
          attentionMask: tf.ones([B, T]) as tf.Tensor2D,
        },
        {
          maskedPositions: tf.tensor1d(pos, 'int32'),
          maskedIds: tf.tensor1d(pos, 'int32'),
          maskedWeights: tf.ones([B * P]) as tf.Tensor1D,
          nspLabels: tf.tensor1d(
            Int32Array.from({ length: B }, (_, i) => i % 2),
            'int32',
          ),
        },
        { training: true, seed: 1 },
      );
      return { loss: l.loss, metrics: {} };
    }, 1e-3);
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
