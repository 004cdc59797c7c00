// The BERT-tiny pretraining step the step benches time and profile (bench/bertStep.ts,
// bench/stepKernels.ts): vocab 8000, hidden 128, 2 layers, 2 heads, FFN 512, seq 64, batch 16, MLM (15%
// of the positions) + NSP, AdamW with decay 0.01 and clipping at 1, fixed synthetic ids.
// BENCH_PRESET=mini (4 layers, hidden 256, 4 heads) and BENCH_BATCH=64 (the starter's batch,
// scripts/train-starter.ts) time other shapes; the PyTorch peer gets the same (peerShapeArgs).
import * as tf from '@tensorflow/tfjs-core';
import { Bert, bertParamShapes } from '../src/engine/models/bert';
import { OrtProducts } from '../src/engine/onnx/ortProducts';
import { FastBertStep, variableValues } from '../src/engine/train/fastBert';
import { Trainer } from '../src/engine/train/trainer';
import { BERT_PRESETS } from '../src/shared/configs';
import type { TorchBertShape } from './stepTiming';

export const V = 8000;
export const T = 64;
export const B = positiveInt('BENCH_BATCH', 16);
export const P = Math.max(1, Math.round(T * 0.15));
export const PRESET = benchPreset();
/** The model the benches train: the preset's sizes with the bench's vocabulary. */
export const CONFIG = { ...BERT_PRESETS[PRESET], vocabSize: V };
/** The sizes in one line, for the benches' titles. */
export const SHAPE = `BERT-${PRESET} (vocab ${V}, hidden ${CONFIG.hiddenSize}, ${CONFIG.numLayers} layers, ${CONFIG.numHeads} heads, FFN ${CONFIG.intermediateSize}, seq ${T}, batch ${B})`;

function positiveInt(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, not "${v}".`);
  return n;
}

function benchPreset(): 'tiny' | 'mini' {
  const v = process.env.BENCH_PRESET ?? 'tiny';
  if (v !== 'tiny' && v !== 'mini') throw new Error(`BENCH_PRESET must be tiny or mini, not "${v}".`);
  return v;
}

/** The same shape for bench/torch_bert.py. */
export const PEER_SHAPE: TorchBertShape = {
  vocab: V,
  hidden: CONFIG.hiddenSize,
  layers: CONFIG.numLayers,
  heads: CONFIG.numHeads,
  seq: T,
  batch: B,
};

/** A new model and trainer (seed 1), the step that trains them on one fixed batch, and its ids and masked positions. */
export function tinyBertStep() {
  const m = new Bert(CONFIG, { seed: 1 });
  const trainer = new Trainer(m, { weightDecay: 0.01, clipNorm: 1 });
  const ids = Int32Array.from({ length: B * T }, (_, i) => 5 + ((i * 7919) % (V - 5)));
  const pos = Int32Array.from({ length: B * P }, (_, i) => i * Math.floor(T / P));
  const labels = Int32Array.from({ length: B * P }, (_, i) => 5 + ((i * 104729) % (V - 5)));
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
          maskedIds: tf.tensor1d(labels, 'int32'),
          maskedWeights: tf.ones([B * P]) as tf.Tensor1D,
          nspLabels: tf.tensor1d(
            Int32Array.from({ length: B }, (_, i) => i % 2),
            'int32',
          ),
        },
        { training: true, seed: 1 },
      );
      return { loss: l.loss, metrics: {} };
    }, 1e-4);
  return { m, trainer, ids, pos, step };
}

/**
 * The same model, batch and AdamW with the hand-written step (design b, src/engine/train/fastBert.ts):
 * values read from the variables, loss and gradients on ONNX Runtime and JavaScript, the update by the
 * trainer's fused AdamW. `threads`: ORT's intra-op threads.
 */
export function tinyBertFastStep(threads: number) {
  const config = CONFIG;
  const m = new Bert(config, { seed: 1 });
  const trainer = new Trainer(m, { weightDecay: 0.01, clipNorm: 1 });
  const products = new OrtProducts(threads);
  const fast = new FastBertStep(config, products, bertParamShapes(config));
  const ids = Int32Array.from({ length: B * T }, (_, i) => 5 + ((i * 7919) % (V - 5)));
  const pos = Int32Array.from({ length: B * P }, (_, i) => i * Math.floor(T / P));
  const labels = Int32Array.from({ length: B * P }, (_, i) => 5 + ((i * 104729) % (V - 5)));
  const batch = {
    batchSize: B,
    seqLength: T,
    inputIds: ids,
    segmentIds: new Int32Array(B * T),
    attentionMask: new Float32Array(B * T).fill(1),
    maskedPositions: pos,
    maskedIds: labels,
    maskedWeights: new Float32Array(B * P).fill(1),
    nspLabels: Int32Array.from({ length: B }, (_, i) => i % 2),
  };
  let seed = 1;
  const add = (k: string, t0: number) =>
    fast.timings?.set(k, (fast.timings.get(k) ?? 0) + performance.now() - t0);
  const step = async () => {
    let t0 = performance.now();
    const values = variableValues(m.params);
    add('reading the variables', t0);
    const r = fast.step(values, batch, true, seed++);
    t0 = performance.now();
    trainer.applyGradients(r.grads, 1e-4, { inPlace: true, sumSquares: r.sumSquares });
    add('AdamW (Trainer.applyGradients)', t0);
    return r.loss;
  };
  const dispose = () => {
    m.dispose();
    trainer.dispose();
    products.dispose();
  };
  return { m, step, dispose, products, fast, trainer };
}
