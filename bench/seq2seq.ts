// Benchmark: the seq2seq model (models/seq2seq.ts, a BERT-tiny-shaped encoder and BERT decoder: hidden
// 128, 2+2 layers, 2 heads, vocabulary 8,000 as the starter's) — one training step (teacher-forced
// cross-entropy with label smoothing 0.1, AdamW, clipping at 1, dropout 0.1) on batches of 32 pairs
// of 32 source and 32 target tokens, ours and the same model in PyTorch (bench/torch_seq2seq.py: the
// same batches, structure and parameter count) in the same run, as ms/step and their ratio; then
// generation with beam 4 and greedy (analysis/seq2seqDecode.ts: no key/value cache, each step re-reads
// the prefix) for 32 tokens, as output tokens/s. Random weights: speed does not depend on them, and an
// untrained decoder never says EOS, so every run is the full 32 tokens.
// Run: nice node --import tsx bench/seq2seq.ts   (PRETRAIN_LAB_BACKEND=cpu|wasm to pick our backend)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { rewrite } from '../src/engine/analysis/seq2seqDecode';
import { initBackend } from '../src/engine/backend';
import { type EncodedPair, makeSeq2seqBatch, type TokenCodec } from '../src/engine/data/tasks/seq2seq';
import { Seq2seq, seq2seqDecays } from '../src/engine/models/seq2seq';
import { decoderConfigFromBert } from '../src/engine/models/seq2seqWarmStart';
import { type OnnxSeq2seq, onnxSeq2seqTwin } from '../src/engine/onnx/seq2seq';
import { Rng } from '../src/engine/random';
import { Trainer } from '../src/engine/train/trainer';
import { BERT_PRESETS } from '../src/shared/configs';
import { peerBlasLine, peerEnv } from './peer';

const V = 8000;
const BATCH = 32;
const SRC = 32; // [CLS] + 30 + [SEP]
const TGT = 31; // target tokens; the decoder reads BOS + 31 and predicts 31 + EOS
const STEPS = Number(process.env.BENCH_STEPS ?? 20);
const WARMUP = 3;
const LR = 5e-4;
const SMOOTHING = 0.1;
const GEN_TOKENS = 32;
const codec: TokenCodec = { size: V, bos: 2, eos: 3, pad: 0, encode: () => [], decode: () => '' };

function makeBatches(n: number): EncodedPair[][] {
  const rng = new Rng(7);
  const id = () => 5 + Math.floor(rng.next() * (V - 5));
  return Array.from({ length: n }, () =>
    Array.from({ length: BATCH }, () => ({
      src: [2, ...Array.from({ length: SRC - 2 }, id), 3],
      tgt: Array.from({ length: TGT }, id),
    })),
  );
}

async function ours(model: Seq2seq, batches: EncodedPair[][]) {
  const trainer = new Trainer(model, { weightDecay: 0.01, clipNorm: 1, decays: seq2seqDecays });
  const times: number[] = [];
  for (let s = 0; s < WARMUP + STEPS; s++) {
    const b = makeSeq2seqBatch(batches[s % batches.length], codec, codec);
    const t0 = performance.now();
    await trainer.trainStep(() => {
      const l = model.loss(b, SMOOTHING, { training: true, seed: s });
      return { loss: l.loss, metrics: {} };
    }, LR);
    if (s >= WARMUP) times.push(performance.now() - t0);
    tf.dispose([b.srcIds, b.srcMask, b.tgtIn, b.tgtOut, b.tgtMask]);
  }
  trainer.dispose();
  return times.reduce((a, b) => a + b, 0) / times.length;
}

/** Output tokens/s of `rewrite` with the given beam over 3 sources (decoding steps counted, not guessed). */
async function generation(model: Seq2seq, batches: EncodedPair[][], beamSize: number, onnx?: OnnxSeq2seq) {
  let steps = 0;
  let ms = 0;
  for (let i = 0; i < 3; i++) {
    const ids = batches[0][i].src.slice(1, -1);
    const src: TokenCodec = { ...codec, encode: () => ids };
    const t0 = performance.now();
    await rewrite(model, src, codec, 'x', {
      beamSize,
      maxLength: GEN_TOKENS,
      maxSourceLength: SRC,
      onnx,
      shouldStop: () => {
        steps++; // asked once per decoding step
        return false;
      },
    });
    ms += performance.now() - t0;
  }
  return (steps * 1000) / ms;
}

function peer(data: string) {
  const r = spawnSync(
    '/usr/bin/python3',
    [path.join(__dirname, 'torch_seq2seq.py'), '--data', data, '--threads', '2', '--steps', String(STEPS)],
    { encoding: 'utf8', env: peerEnv() },
  );
  if (r.status !== 0)
    throw new Error(`the PyTorch peer failed (is python3-torch installed?): ${r.stderr.slice(-800)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    peer: string;
    msPerStep: number;
    steps: number;
    parameters: number;
    config: Record<string, unknown>;
  };
}

(async () => {
  const info = await initBackend();
  const enc = { ...BERT_PRESETS.tiny, vocabSize: V };
  const model = new Seq2seq({ encoder: enc, decoder: decoderConfigFromBert(enc) }, { seed: 1 });
  const batches = makeBatches(4);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-s2s-'));
  const data = path.join(dir, 'batches.json');
  fs.writeFileSync(
    data,
    JSON.stringify({
      config: {
        hidden: enc.hiddenSize,
        vocab: V,
        layers: enc.numLayers,
        heads: enc.numHeads,
        inner: enc.intermediateSize,
        positions: enc.maxPositions,
        dropout: enc.dropout,
      },
      lr: LR,
      labelSmoothing: SMOOTHING,
      batches: batches.map((bs) => ({
        src: bs.map((p) => p.src),
        tgtIn: bs.map((p) => [codec.bos, ...p.tgt]),
        tgtOut: bs.map((p) => [...p.tgt, codec.eos]),
      })),
    }),
  );
  const ms = await ours(model, batches);
  const them = peer(data);
  const beam4 = await generation(model, batches, 4);
  const greedy = await generation(model, batches, 1);
  // the same on ONNX Runtime (Rewrite Selection's path when inference runs there)
  const twin = onnxSeq2seqTwin(model);
  const ort = twin && {
    beam4: await generation(model, batches, 4, twin),
    greedy: await generation(model, batches, 1, twin),
  };
  twin?.dispose();
  const parameters = model.parameterCount;
  model.dispose();
  console.log(
    `Seq2seq training step: encoder BERT-tiny shape (hidden ${enc.hiddenSize}, ${enc.numLayers} layers, ${enc.numHeads} heads, vocab ${V}) + BERT decoder (${enc.numLayers} layers, cross-attention), batch ${BATCH} × ${SRC} source / ${TGT + 1} target tokens, label smoothing ${SMOOTHING}, dropout ${enc.dropout}, AdamW`,
  );
  console.log(`| | ours (tfjs ${info.name}) | ${them.peer}, 2 threads | ratio ours/peer |`);
  console.log('|---|---|---|---|');
  console.log(
    `| ms per training step (mean of ${STEPS} after ${WARMUP}) | ${ms.toFixed(1)} | ${them.msPerStep.toFixed(1)} | ${(ms / them.msPerStep).toFixed(2)} |`,
  );
  console.log(`| parameters | ${parameters} | ${them.parameters} | |`);
  console.log(
    `\nGeneration (ours), ${GEN_TOKENS} tokens from a ${SRC}-token source, no key/value cache: beam 4 ${beam4.toFixed(1)} tokens/s, greedy ${greedy.toFixed(1)} tokens/s on tfjs${ort ? `; on ONNX Runtime beam 4 ${ort.beam4.toFixed(1)} tokens/s, greedy ${ort.greedy.toFixed(1)} tokens/s` : ''}`,
  );
  console.log(`\nPyTorch peer: ${JSON.stringify(them.config)}`);
  console.log(peerBlasLine(them.config));
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core}, backend ${info.name}`);
  fs.rmSync(dir, { recursive: true, force: true });
})();
