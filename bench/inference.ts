// Benchmark: one BERT forward that returns every layer's attention (Show Attention's pass), tiny and
// base-size, at 32/128/512 tokens: tfjs on our training backend, ONNX Runtime (src/engine/onnx/), and
// PyTorch (bench/torch_attention.py, 2 threads, OMP_WAIT_POLICY=PASSIVE) in the same run, each with its
// configuration printed. Also ORT's Predict Mask pass (logits at one position, no attention fetched)
// and the time to build and load the ONNX graph. Run: node --import tsx bench/inference.ts
// (BENCH_SIZES=tiny to skip base; ORT_THREADS=1 for one ORT thread).
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { Bert } from '../src/engine/models/bert';
import { OnnxBert } from '../src/engine/onnx/bert';
import { loadOrt } from '../src/engine/onnx/runtime';
import { BERT_PRESETS } from '../src/shared/configs';
import { peerBlasLine, peerEnv } from './peer';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const SIZES = (process.env.BENCH_SIZES ?? 'tiny,base').split(',');

function time(reps: number, f: () => void): number {
  f(); // warm-up: XNNPACK packs weights, ORT allocates its arena
  return median(
    Array.from({ length: reps }, () => {
      const t0 = performance.now();
      f();
      return performance.now() - t0;
    }),
  );
}

(async () => {
  const info = await initBackend('wasm');
  const ort = loadOrt(process.env.ORT_THREADS ? Number(process.env.ORT_THREADS) : undefined);
  const peer = spawnSync(
    '/usr/bin/python3',
    [path.join(__dirname, 'torch_attention.py'), '2', SIZES.join(',')],
    {
      encoding: 'utf8',
      env: peerEnv(),
    },
  );
  if (peer.status !== 0) throw new Error(`the PyTorch peer failed: ${peer.stderr.slice(-400)}`);
  const lines = peer.stdout.trim().split('\n');
  const theirs = new Map(
    lines.slice(1).map((l) => {
      const r = JSON.parse(l) as { model: string; tokens: number; ms: number };
      return [`${r.model}/${r.tokens}`, r.ms];
    }),
  );
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core} on ${info.name} (1 thread, SIMD)`);
  console.log(`onnxruntime-node ${ort.version}, ${ort.threads} intra-op thread(s), graph opt level all`);
  const peerConfig = (JSON.parse(lines[0]) as { config: unknown }).config;
  console.log(`PyTorch peer: ${JSON.stringify(peerConfig)}`);
  console.log(peerBlasLine(peerConfig));
  console.log('');
  console.log(
    '| model | tokens | tfjs wasm, ms | ORT, ms | PyTorch, ms | ORT / PyTorch | tfjs / PyTorch | ORT Predict Mask pass, ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  const notes: string[] = [];
  for (const name of SIZES as ('tiny' | 'base')[]) {
    const V = name === 'tiny' ? 8000 : 30522;
    const m = new Bert({ ...BERT_PRESETS[name], vocabSize: V }, { seed: 1 });
    const t0 = performance.now();
    const onnx = new OnnxBert(m);
    notes.push(`${name}: ONNX graph built and loaded in ${(performance.now() - t0).toFixed(0)} ms`);
    for (const T of [32, 128, 512]) {
      const idList = Array.from({ length: T }, (_, i) => 5 + ((i * 7919) % (V - 5)));
      const ids = tf.tensor2d(idList, [1, T], 'int32');
      const reps = name === 'base' && T === 512 ? 3 : 7;
      const tfjsMs = time(reps, () => {
        const data = tf.tidy(() =>
          tf.concat(
            m.forward(
              {
                inputIds: ids,
                segmentIds: tf.zeros([1, T], 'int32') as tf.Tensor2D,
                attentionMask: tf.ones([1, T]) as tf.Tensor2D,
              },
              { returnAttention: true },
            ).attentions!,
            0,
          ),
        );
        data.dataSync();
        data.dispose();
      });
      const segs = new Array(T).fill(0);
      const ortMs = time(reps, () => onnx.attend(idList, segs));
      const i32 = Int32Array.from(idList);
      const ones = new Float32Array(T).fill(1);
      const maskMs = time(reps, () => onnx.logits(i32, ones, 1, [T >> 1]));
      const p = theirs.get(`${name}/${T}`)!;
      console.log(
        `| ${name} | ${T} | ${tfjsMs.toFixed(1)} | ${ortMs.toFixed(1)} | ${p.toFixed(1)} | ${(ortMs / p).toFixed(2)} | ${(tfjsMs / p).toFixed(2)} | ${maskMs.toFixed(1)} |`,
      );
      ids.dispose();
    }
    onnx.dispose();
    m.dispose();
  }
  console.log('');
  for (const n of notes) console.log(n);
})();
