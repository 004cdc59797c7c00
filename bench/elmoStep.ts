// Benchmark: our ELMo biLM (ELMO_PRESETS.tiny: word embedding 32, 2 LSTMP layers of cell 64 per
// direction with a residual between them, cell clip 3, shared full softmax; the pretraining defaults'
// batch 16 × 24 tokens, a 10,000-word vocabulary = the default --max-vocab, dropout 0.1, AdamW,
// clipping at 1) and the same model in PyTorch (bench/torch_elmo.py, 2 threads, op for op; plus, for
// reference, a variant on torch.nn.LSTM(proj_size) which has no cell clip and two biases) in the same
// run: ms per training step (median, warm-up excluded) and the ratio.
// Then the CLI as a user runs it (bin/pretrain-lab.js, the built dist/cli.js): a tiny ELMo pretrained
// for a few steps on a generated English + Chinese corpus, and `pretrain-lab embed --input` over 1,000
// lines (--json to a file), timed whole and against a 1-line run (process start + model load), in lines/s.
// Run: nice -n 10 node --import tsx bench/elmoStep.ts   (BENCH_STEPS=N; PRETRAIN_LAB_BACKEND=cpu|wasm)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { Elmo, elmoDecays } from '../src/engine/models/elmo';
import { countParams } from '../src/engine/models/params';
import { Rng } from '../src/engine/random';
import { Trainer } from '../src/engine/train/trainer';
import { DEFAULT_ELMO_PRETRAIN as D, ELMO_PRESETS } from '../src/shared/configs';
import { peerBlasLine } from './peer';
import { medianStepMs, runPeer } from './stepTiming';

const V = D.maxVocab; // 10,000
const T = D.seqLength; // 24
const B = D.batchSize; // 16
const STEPS = Number(process.env.BENCH_STEPS ?? 10);
const LINES = 1000;
const cfg = { ...ELMO_PRESETS.tiny, vocabSize: V };
const root = path.join(__dirname, '..');

async function ours() {
  const info = await initBackend();
  const m = new Elmo(cfg, { seed: 1 });
  const trainer = new Trainer(m, { weightDecay: D.weightDecay, clipNorm: D.clipNorm, decays: elmoDecays });
  const ids = Int32Array.from({ length: B * (T + 1) }, (_, i) => 2 + ((i * 7919) % (V - 2)));
  const step = (seed: number) =>
    trainer.trainStep(
      () => ({
        loss: m.lmLosses(tf.tensor2d(ids, [B, T + 1], 'int32'), { training: true, seed }).loss,
        metrics: {},
      }),
      D.learningRate,
    );
  const stepMs = await medianStepMs(step, STEPS);
  const r = { backend: info.name, stepMs, parameters: countParams(m.params) };
  trainer.dispose();
  m.dispose();
  return r;
}

function peer(variant: 'same' | 'nn') {
  const { embedDim: embed, hiddenSize: hidden, numLayers: layers } = cfg;
  return runPeer('torch_elmo.py', {
    threads: 2,
    steps: STEPS,
    vocab: V,
    embed,
    hidden,
    layers,
    seq: T,
    batch: B,
    variant,
  });
}

/** Lines of 8–20 words drawn (Zipf-like) from 3,000 English words, every fourth line Chinese characters. */
function makeLines(n: number, rng: Rng, words: string[], hanzi: string[]): string[] {
  const pick = (xs: string[]) => xs[Math.floor(xs.length * rng.next() ** 2)];
  return Array.from({ length: n }, (_, i) => {
    const k = rng.int(8, 20);
    if (i % 4 === 3) return Array.from({ length: k }, () => pick(hanzi)).join('');
    return Array.from({ length: k }, () => pick(words)).join(' ');
  });
}

/** Seconds for one run of bin/pretrain-lab.js; its standard output goes to `stdout` (a file) or is dropped. */
function cli(args: string[], stdout?: string): number {
  const fd = stdout ? fs.openSync(stdout, 'w') : 'ignore';
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [path.join(root, 'bin/pretrain-lab.js'), ...args], {
    stdio: ['ignore', fd, 'pipe'],
    encoding: 'utf8',
  });
  const s = (performance.now() - t0) / 1000;
  if (typeof fd === 'number') fs.closeSync(fd);
  if (r.status !== 0) throw new Error(`pretrain-lab ${args.join(' ')} failed: ${r.stderr.slice(-800)}`);
  return s;
}

function embedBench() {
  if (!fs.existsSync(path.join(root, 'dist/cli.js')))
    throw new Error('dist/cli.js is missing; build the CLI first: node scripts/build.mjs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-elmo-'));
  try {
    const fixture = (f: string) => fs.readFileSync(path.join(root, 'test/fixtures', f), 'utf8').split('\n');
    const words = fixture('bert-base-uncased-vocab.txt')
      .filter((w) => /^[a-z]{2,}$/.test(w))
      .slice(0, 3000);
    const hanzi = fixture('bert-base-chinese-vocab.txt')
      .filter((w) => /^\p{Script=Han}$/u.test(w))
      .slice(0, 1500);
    const rng = new Rng(3);
    const corpus = path.join(dir, 'corpus.txt');
    fs.writeFileSync(corpus, `${makeLines(3000, rng, words, hanzi).join('\n')}\n`);
    const input = path.join(dir, 'lines.txt');
    const lines = makeLines(LINES, rng, words, hanzi);
    fs.writeFileSync(input, `${lines.join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'one.txt'), `${lines[0]}\n`);
    const model = path.join(dir, 'elmo');
    const trainS = cli(['pretrain', 'elmo', '--corpus', corpus, '--out', model, '--steps', '5', '--fresh']);
    const out = path.join(dir, 'out.jsonl');
    // the JSON lines go to a file, as a script would keep them
    const run = (file: string) =>
      cli(['embed', '--model', model, '--json', '--input', path.join(dir, file)], out);
    const oneS = run('one.txt');
    const allS = run('lines.txt');
    const outMb = fs.statSync(out).size / 1e6;
    const json = fs.readFileSync(out, 'utf8').trim().split('\n');
    const outLines = json.length;
    const tokens = json.reduce((s, l) => s + (JSON.parse(l) as { tokens: unknown[] }).tokens.length, 0);
    return { trainS, oneS, allS, outLines, outMb, tokens };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  const us = await ours();
  const same = peer('same');
  const nn = peer('nn');
  const f = (x: number) => x.toFixed(1);
  console.log(
    `ELMo tiny biLM: vocab ${V}, embed ${cfg.embedDim}, ${cfg.numLayers} LSTMP layers of cell ${cfg.hiddenSize} per direction, residual, cell clip ${cfg.cellClip}, full softmax; batch ${B} × ${T}, AdamW`,
  );
  console.log(`| | ours (tfjs ${us.backend}) | ${same.peer}, 2 threads | ratio ours/peer |`);
  console.log('|---|---|---|---|');
  console.log(
    `| train step, ms (median of ${STEPS}), same computation | ${f(us.stepMs)} | ${f(same.stepMs)} | ${(us.stepMs / same.stepMs).toFixed(2)} |`,
  );
  console.log(
    `| train step, ms, peer on torch.nn.LSTM(proj_size) (no cell clip, 2 biases) | | ${f(nn.stepMs)} | ${(us.stepMs / nn.stepMs).toFixed(2)} |`,
  );
  console.log(`| parameters | ${us.parameters} | ${same.parameters} (nn.LSTM: ${nn.parameters}) | |`);
  if (us.parameters !== same.parameters) console.log('WARNING: the parameter counts differ');
  console.log(`\nPyTorch peer: ${JSON.stringify(same.config)}`);
  console.log(peerBlasLine(same.config));
  console.log(`ours: node ${process.version}, tfjs ${tf.version_core}, backend ${us.backend}`);
  const e = embedBench();
  console.log(
    `\npretrain-lab pretrain elmo --steps 5 (tiny): ${f(e.trainS)} s; embed --json --input, ${LINES} lines (${e.tokens} tokens, ${e.outLines} JSON lines, ${e.outMb.toFixed(1)} MB): ${f(e.allS)} s whole = ${Math.round(LINES / e.allS)} lines/s; 1 line: ${f(e.oneS)} s (start + load); without it ${Math.round((LINES - 1) / (e.allS - e.oneS))} lines/s`,
  );
})();
