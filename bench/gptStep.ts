// Benchmark: our GPT-tiny (GPT_PRESETS.tiny: 2 layers, width 128, 2 heads, 128 positions, pre-LN with a
// final LayerNorm, LM head tied to the token embedding; the pretraining defaults' vocabulary 2,000,
// batch 16 × block 64, dropout 0.1, AdamW with decay on matrices and the token embedding, clipping at
// 1) and the same model in PyTorch (bench/torch_gpt.py, 2 threads) measured in the same run:
// 1. one training step, ms (median, warm-up excluded) and the ratio;
// 2. greedy generation of 100 new tokens after one prompt through our key/value cache
//    (analysis/generate.ts `generate`, models/gpt.ts `decode`) vs a PyTorch `generate`-style loop with
//    a key/value cache, tokens/s. Random weights: speed does not depend on them. The tokenizer is a
//    byte-level BPE of 2,000 tokens trained here on the words of test/fixtures' BERT vocabulary.
// Run: nice -n 10 node --import tsx bench/gptStep.ts   (BENCH_STEPS=N; PRETRAIN_LAB_BACKEND=cpu|wasm;
// PRETRAIN_LAB_ORT_MATMUL=0: without wasm's large matrix products on ONNX Runtime, on by default with auto, src/engine/onnx/ortMatMul.ts)
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { generate } from '../src/engine/analysis/generate';
import { GptLm } from '../src/engine/analysis/gptModel';
import { initBackend } from '../src/engine/backend';
import { Gpt, gptDecays } from '../src/engine/models/gpt';
import { onnxGptTwin } from '../src/engine/onnx/gpt';
import { ortMatMulStats } from '../src/engine/onnx/ortMatMul';
import { PieceCounter, trainBpe } from '../src/engine/tokenizer/bpeTrainer';
import { Trainer } from '../src/engine/train/trainer';
import { DEFAULT_GPT_PRETRAIN as D, GPT_PRESETS } from '../src/shared/configs';
import { peerBlasLine } from './peer';
import { medianStepMs, type PeerResult, runPeer } from './stepTiming';

const V = D.vocabSize; // 2,000
const T = D.blockSize; // 64
const B = D.batchSize; // 16
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const NEW = 100;
const PROMPT = 'The history of the city begins with';
const cfg = { ...GPT_PRESETS.tiny, vocabSize: V };

function tokenizer() {
  const counter = new PieceCounter();
  const words = fs.readFileSync(path.join(__dirname, '../test/fixtures/bert-base-uncased-vocab.txt'), 'utf8');
  counter.add(
    words
      .split('\n')
      .filter((w) => /^[a-z]+$/.test(w))
      .join(' '),
  );
  const tok = trainBpe(counter.counts, { vocabSize: V, minFrequency: 1 });
  if (tok.size !== V) throw new Error(`the bench tokenizer has ${tok.size} tokens, not ${V}`);
  return tok;
}

async function ours() {
  const info = await initBackend();
  const m = new Gpt(cfg, { seed: 1 });
  const trainer = new Trainer(m, { weightDecay: D.weightDecay, clipNorm: D.clipNorm, decays: gptDecays });
  const ids = Int32Array.from({ length: B * T }, (_, i) => 3 + ((i * 7919) % (V - 3)));
  const targets = Int32Array.from({ length: B * T }, (_, i) => 3 + ((i * 104729) % (V - 3)));
  const step = (seed: number) =>
    trainer.trainStep(
      () => ({
        loss: m.loss(tf.tensor2d(ids, [B, T], 'int32'), tf.tensor2d(targets, [B, T], 'int32'), {
          training: true,
          seed,
        }),
        metrics: {},
      }),
      D.learningRate,
    );
  const stepMs = await medianStepMs(step, STEPS);
  const tok = tokenizer();
  const promptTokens = tok.encodeIds(PROMPT).length;
  // generation on tfjs, then (when inference runs there) through ONNX Runtime's decoding step
  const tfjsGen = await generation(new GptLm(m, tok));
  const twin = onnxGptTwin(m);
  const ortGen = twin ? await generation(new GptLm(m, tok, twin)) : undefined;
  twin?.dispose();
  return {
    backend: info.name,
    stepMs,
    tfjsGen,
    ortGen,
    promptTokens,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    parameters: m.parameterCount,
  };
}

/** Greedy generation of NEW tokens after PROMPT, the median of 3 runs after one. */
async function generation(lm: GptLm) {
  const run = async () => {
    const t0 = performance.now();
    let first = 0;
    const r = await generate(
      lm,
      PROMPT,
      { maxNewTokens: NEW, temperature: 0 },
      { onText: () => (first ||= performance.now() - t0) },
    );
    return { s: (performance.now() - t0) / 1000, n: r.tokens.length, first };
  };
  await run();
  const gens = [await run(), await run(), await run()];
  const g = gens.sort((a, b) => a.s - b.s)[1];
  return { tokens: g.n, tokensPerSecond: g.n / g.s, firstTokenMs: g.first };
}

function peer(promptTokens: number, newTokens: number) {
  return runPeer<PeerResult & { genTokensPerSecond: number; peakRssMb: number }>('torch_gpt.py', {
    threads: 2,
    steps: STEPS,
    vocab: V,
    seq: T,
    batch: B,
    hidden: cfg.hiddenSize,
    layers: cfg.numLayers,
    heads: cfg.numHeads,
    positions: cfg.maxPositions,
    prompt: promptTokens,
    new: newTokens,
  });
}

(async () => {
  const us = await ours();
  const them = peer(us.promptTokens, us.tfjsGen.tokens);
  const f = (x: number) => x.toFixed(1);
  console.log(
    `GPT-tiny: vocab ${V}, width ${cfg.hiddenSize}, ${cfg.numLayers} layers, ${cfg.numHeads} heads, ${cfg.maxPositions} positions, ${cfg.norm}-LN, tied LM head; train batch ${B} × ${T}, AdamW`,
  );
  console.log(`| | ours (tfjs ${us.backend}) | ${them.peer}, 2 threads | ratio ours/peer |`);
  console.log('|---|---|---|---|');
  console.log(
    `| train step, ms (median of ${STEPS}) | ${f(us.stepMs)} | ${f(them.stepMs)} | ${(us.stepMs / them.stepMs).toFixed(2)} |`,
  );
  for (const [label, g] of [
    ['tfjs', us.tfjsGen],
    ['ONNX Runtime', us.ortGen],
  ] as const) {
    if (!g) continue;
    console.log(
      `| greedy generation with KV cache on ${label}, tokens/s (${us.promptTokens}-token prompt, ${g.tokens} new, median of 3) | ${f(g.tokensPerSecond)} | ${f(them.genTokensPerSecond)} | ${(g.tokensPerSecond / them.genTokensPerSecond).toFixed(2)} |`,
    );
    console.log(`| first token out of generate() on ${label}, ms | ${f(g.firstTokenMs)} | | |`);
  }
  console.log(`| peak RSS, MB | ${Math.round(us.peakRssMb)} | ${Math.round(them.peakRssMb)} | |`);
  console.log(`| parameters | ${us.parameters} | ${them.parameters} | |`);
  if (us.parameters !== them.parameters) console.log('WARNING: the parameter counts differ');
  console.log(`\nPyTorch peer: ${JSON.stringify(them.config)}`);
  console.log(peerBlasLine(them.config));
  const o = ortMatMulStats();
  const ort = o.installed
    ? `, products ≥ ${o.minWork} on ORT (${o.threads} threads, ${o.ortCalls} calls)`
    : '';
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core}, backend ${us.backend}${ort}`);
})();
