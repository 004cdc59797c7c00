// Experiment for issue 14's design (a): would routing tfjs' large matrix products through ONNX Runtime
// speed up training? Times one [M, K]·[K, N] product on tfjs-wasm (XNNPACK, 1 thread) and as a one-node
// ORT graph (both operands fed per call, as a kernel override would), for the shapes of a BERT-tiny
// step and of BERT-base, and prints where ORT starts to win. Run: node --import tsx bench/ortMatMul.ts
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { GraphBuilder } from '../src/engine/onnx/graph';
import { loadOrt, OrtSession } from '../src/engine/onnx/runtime';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(reps: number, f: () => void): number {
  for (let i = 0; i < 3; i++) f();
  return median(
    Array.from({ length: reps }, () => {
      const t0 = performance.now();
      f();
      return performance.now() - t0;
    }),
  );
}

// [M, K, N, where it occurs]
const SHAPES: [number, number, number, string][] = [
  [1024, 128, 128, 'tiny: Q/K/V/output projection (B·T = 16·64)'],
  [1024, 128, 512, 'tiny: FFN inner'],
  [1024, 512, 128, 'tiny: FFN output'],
  [160, 128, 8000, 'tiny: MLM decoder (160 masked positions)'],
  [64, 64, 64, 'tiny: one attention head slice'],
  [512, 768, 768, 'base: projection at 512 tokens'],
  [512, 768, 3072, 'base: FFN inner at 512 tokens'],
];

(async () => {
  const info = await initBackend('wasm');
  const ort = loadOrt(process.env.ORT_THREADS ? Number(process.env.ORT_THREADS) : undefined);
  console.log(
    `tfjs ${tf.version_core} ${info.name} (1 thread) vs onnxruntime-node ${ort.version} (${ort.threads} threads)`,
  );
  console.log('| M×K×N | where | tfjs wasm, ms | ORT, ms | tfjs GFLOP/s | ORT GFLOP/s | ORT / tfjs |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [M, K, N, where] of SHAPES) {
    const a = Float32Array.from({ length: M * K }, (_, i) => Math.sin(i));
    const b = Float32Array.from({ length: K * N }, (_, i) => Math.cos(i));
    const ta = tf.tensor2d(a, [M, K]);
    const tb = tf.tensor2d(b, [K, N]);
    const reps = M * K * N > 1e8 ? 7 : 21;
    const tfjsMs = time(reps, () => {
      const c = tf.matMul(ta, tb);
      c.dataSync();
      c.dispose();
    });
    const g = new GraphBuilder();
    g.node('MatMul', [g.input('a', 'float32', [M, K]), g.input('b', 'float32', [K, N])], {}, 'c');
    g.output('c', 'float32', [M, N]);
    const s = new OrtSession(g.serialize('matmul'));
    const ortMs = time(reps, () => {
      s.run(
        {
          a: { data: a, dims: [M, K] },
          b: { data: b, dims: [K, N] },
        },
        ['c'],
      );
    });
    s.dispose();
    tf.dispose([ta, tb]);
    const gf = (ms: number) => ((2 * M * K * N) / ms / 1e6).toFixed(1);
    console.log(
      `| ${M}×${K}×${N} | ${where} | ${tfjsMs.toFixed(2)} | ${ortMs.toFixed(2)} | ${gf(tfjsMs)} | ${gf(ortMs)} | ${(ortMs / tfjsMs).toFixed(2)} |`,
    );
  }
})();
