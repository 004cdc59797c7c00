// Benchmark: fine-tuning BERT-tiny (the bundled starter) as a POS tagger on sample/tasks/pos, ours
// (train/tasks/finetune.ts) and the same model and recipe in PyTorch (bench/torch_finetune.py: the
// same encoded sentences in the same order, batch 16, AdamW with clipping, dropout 0.1) in the same
// run, as examples/s and their ratio; then `predict --input` on 1,000 lines, in seconds.
// Run: node --import tsx bench/finetune.ts   (PRETRAIN_LAB_BACKEND=cpu|wasm to pick our backend)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { loadModelFolder } from '../src/engine/checkpoint/bert';
import { main } from '../src/engine/cli/main';
import { Rng } from '../src/engine/random';
import { WordPieceTokenizer } from '../src/engine/tokenizer/wordpiece';
import { finetune, loadTaskData, withFinetuneDefaults } from '../src/engine/train/tasks/finetune';
import { peerBlasLine, peerEnv } from './peer';

const ROOT = path.join(__dirname, '..');
const BASE = path.join(ROOT, 'models', 'starter');
const TRAIN = path.join(ROOT, 'sample', 'tasks', 'pos', 'train.conll');
const DEV = path.join(ROOT, 'sample', 'tasks', 'pos', 'dev.conll');
const EPOCHS = Number(process.env.BENCH_EPOCHS ?? 2);
const BATCH = 16;
const LR = 5e-5;
const SEED = 42;

async function ours(out: string) {
  const info = await initBackend();
  // steady-state throughput: from the first progress report of each epoch to its last, so loading,
  // the first (compiling) steps, dev evaluation and saving are left out
  const marks: { t: number; step: number; epoch: number }[] = [];
  const r = await finetune(
    withFinetuneDefaults({
      task: 'tag',
      baseDir: BASE,
      train: TRAIN,
      dev: DEV,
      outDir: out,
      epochs: EPOCHS,
      learningRate: LR,
      batchSize: BATCH,
      seed: SEED,
    }),
    {
      onProgress: (p) => {
        if (!p.dev) marks.push({ t: performance.now(), step: p.step, epoch: p.epoch });
      },
    },
  );
  let steps = 0;
  let ms = 0;
  for (let e = 1; e <= EPOCHS; e++) {
    const m = marks.filter((x) => x.epoch === e);
    if (m.length < 2) continue;
    steps += m[m.length - 1].step - m[0].step;
    ms += m[m.length - 1].t - m[0].t;
  }
  return {
    backend: info.name,
    examplesPerSecond: (steps * BATCH * 1000) / ms,
    steps,
    devAccuracy: r.summary.dev.accuracy,
    parameters: r.summary.totalParameters,
  };
}

/** The encoded training set as the peer reads it: the same pieces, first-piece positions and tags. */
function exportData(file: string) {
  const base = loadModelFolder(BASE);
  for (const t of base.weights.values()) t.dispose();
  const tok = new WordPieceTokenizer(base.vocab, base.config.tokenizer);
  const o = withFinetuneDefaults({ task: 'tag', baseDir: BASE, train: TRAIN, dev: DEV, outDir: '' });
  const d = loadTaskData({ ...o, maxSeqLength: 128 }, tok, new Rng(SEED));
  const examples = d.train.map((e) => ({ ids: e.ids, firsts: e.firsts, tags: e.tags }));
  fs.writeFileSync(file, JSON.stringify({ labels: d.labels, examples }));
  return { examples: examples.length, labels: d.labels.length };
}

function peer(data: string, threads: number) {
  const r = spawnSync(
    '/usr/bin/python3',
    [
      path.join(__dirname, 'torch_finetune.py'),
      '--data',
      data,
      '--base',
      BASE,
      '--threads',
      String(threads),
      '--epochs',
      String(EPOCHS),
      '--batch',
      String(BATCH),
      '--lr',
      String(LR),
    ],
    { encoding: 'utf8', env: peerEnv() },
  );
  if (r.status !== 0)
    throw new Error(`the PyTorch peer failed (is python3-torch installed?): ${r.stderr.slice(-800)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as {
    peer: string;
    examplesPerSecond: number;
    steps: number;
    parameters: number;
    config: Record<string, unknown>;
  };
}

/** `predict --model DIR --input FILE` on 1,000 POS sentences, in process (model loading included). */
async function predictSeconds(model: string, dir: string) {
  const sentences = fs
    .readFileSync(DEV, 'utf8')
    .trim()
    .split(/\n\s*\n/)
    .map((s) =>
      s
        .split('\n')
        .map((l) => l.split(/[\t ]+/)[0])
        .join(' '),
    );
  const lines = Array.from({ length: 1000 }, (_, i) => sentences[i % sentences.length]);
  const input = path.join(dir, 'input.txt');
  fs.writeFileSync(input, `${lines.join('\n')}\n`);
  let outLines = 0;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((c: string) => {
    outLines += String(c).split('\n').length - 1;
    return true;
  }) as typeof process.stdout.write;
  const t0 = performance.now();
  try {
    await main(['predict', '--model', model, '--input', input]);
  } finally {
    process.stdout.write = write;
  }
  const seconds = (performance.now() - t0) / 1000;
  if (outLines !== 1000) throw new Error(`predict printed ${outLines} lines for 1,000 inputs.`);
  return { seconds, words: lines.reduce((s, l) => s + l.split(' ').length, 0) };
}

(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-ft-'));
  const data = path.join(dir, 'pos.json');
  const shape = exportData(data);
  const out = path.join(dir, 'pos-tagger');
  const us = await ours(out);
  const them = peer(data, 2);
  const p = await predictSeconds(out, dir);
  const f = (x: number) => x.toFixed(1);
  console.log(
    `Fine-tuning BERT-tiny (models/starter: hidden 128, 2 layers, vocab 8000) as a POS tagger: ${shape.examples} sentences, ${shape.labels} tags, batch ${BATCH}, lr ${LR}, ${EPOCHS} epochs, all layers trained`,
  );
  console.log(`| | ours (tfjs ${us.backend}) | ${them.peer}, 2 threads | ratio ours/peer |`);
  console.log('|---|---|---|---|');
  console.log(
    `| training examples/s (over ${us.steps} / ${them.steps} steps) | ${f(us.examplesPerSecond)} | ${f(them.examplesPerSecond)} | ${(us.examplesPerSecond / them.examplesPerSecond).toFixed(2)} |`,
  );
  console.log(`| parameters | ${us.parameters} | ${them.parameters} | |`);
  console.log(
    `\npredict --input, 1,000 lines (${p.words} words), one JSON per line, model loading included: ${p.seconds.toFixed(2)} s (${Math.round(1000 / p.seconds)} lines/s); ours, dev token accuracy after ${EPOCHS} epochs ${us.devAccuracy.toFixed(3)}`,
  );
  console.log(`\nPyTorch peer: ${JSON.stringify(them.config)}`);
  console.log(peerBlasLine(them.config));
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core}, backend ${us.backend}`);
  fs.rmSync(dir, { recursive: true, force: true });
})();
