// Benchmark: the engine's attention computation (every layer and head for one sequence) against
// PyTorch's output_attentions-style forward of the same architecture, tiny and base-size, 32/128/512
// tokens, in one run. Run: node --import tsx bench/attention.ts
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { Bert } from '../src/engine/models/bert';
import { BERT_PRESETS } from '../src/shared/configs';
import { peerBlasLine, peerEnv } from './peer';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  const info = await initBackend();
  const peer = spawnSync('/usr/bin/python3', [path.join(__dirname, 'torch_attention.py'), '2'], {
    encoding: 'utf8',
    env: peerEnv(),
  });
  if (peer.status !== 0) throw new Error(`the PyTorch peer failed: ${peer.stderr.slice(-400)}`);
  const lines = peer.stdout.trim().split('\n');
  const peerConfig = (JSON.parse(lines[0]) as { config: unknown }).config;
  console.log(`PyTorch peer: ${JSON.stringify(peerConfig)}`);
  console.log(peerBlasLine(peerConfig));
  const theirs = new Map(
    lines.slice(1).map((l) => {
      const r = JSON.parse(l) as { model: string; tokens: number; ms: number };
      return [`${r.model}/${r.tokens}`, r.ms];
    }),
  );
  console.log(`| model | tokens | ours (tfjs ${info.name}), ms | PyTorch 2 threads, ms | ratio |`);
  console.log('|---|---|---|---|---|');
  for (const [name, V] of [
    ['tiny', 8000],
    ['base', 30522],
  ] as const) {
    const m = new Bert({ ...BERT_PRESETS[name], vocabSize: V }, { seed: 1 });
    for (const T of [32, 128, 512]) {
      const ids = tf.tensor2d(
        Int32Array.from({ length: T }, (_, i) => 5 + ((i * 7919) % (V - 5))),
        [1, T],
        'int32',
      );
      const run = () => {
        const t0 = performance.now();
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
        return performance.now() - t0;
      };
      run();
      const reps = name === 'base' && T === 512 ? 3 : 7;
      const ms = median(Array.from({ length: reps }, run));
      const p = theirs.get(`${name}/${T}`)!;
      console.log(`| ${name} | ${T} | ${ms.toFixed(1)} | ${p.toFixed(1)} | ${(ms / p).toFixed(2)} |`);
      ids.dispose();
    }
    m.dispose();
  }
})();
