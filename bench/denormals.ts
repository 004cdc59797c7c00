// Subnormal floats and the training step (src/engine/onnx/runtime.ts flushDenormals): trains the same
// BERT on the same text twice with the project's CLI, once with ONNX Runtime keeping subnormal floats
// (PRETRAIN_LAB_DENORMALS=keep) and once flushing them to zero (the default), each in its own process
// (ORT sets the flag once per process), and prints both runs' speed, their ratio, and their losses (the
// flush must not change what is learnt). The PyTorch peer (bench/torch_bert.py, 2 threads) times the
// same model and batch shape on its fixed synthetic batch, for scale.
// Run: node --import tsx bench/denormals.ts [--steps 60] [--preset tiny|mini] [--batch-size 64]
//        [--rounds 1] [--corpus DIR]... [--vocab vocab.txt]
// The default text is the bundled sample (sample/english, sample/chinese); the starter's is
// --corpus /tmp/pretrain-lab-starter/train --vocab /tmp/pretrain-lab-starter/vocab.txt.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BERT_PRESETS, isBertPreset } from '../src/shared/configs';
import { type RunMetric, trainWithCli } from './cliTrain';
import { peerBlasLine } from './peer';
import { torchBertPeer } from './stepTiming';

const { values: a } = parseArgs({
  options: {
    steps: { type: 'string', default: '60' },
    preset: { type: 'string', default: 'tiny' },
    'batch-size': { type: 'string', default: '64' },
    rounds: { type: 'string', default: '1' },
    corpus: { type: 'string', multiple: true },
    vocab: { type: 'string' },
  },
});
const root = path.resolve(__dirname, '..');
const steps = Number(a.steps);
const batch = Number(a['batch-size']);
const rounds = Number(a.rounds);
const corpus = a.corpus ?? [path.join(root, 'sample', 'english'), path.join(root, 'sample', 'chinese')];
const SEQ = 64;
const LOG_EVERY = 10;
for (const [k, v] of Object.entries({ steps, 'batch-size': batch, rounds }))
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k} must be a positive integer.`);
if (steps < 2 * LOG_EVERY)
  throw new Error(`--steps must be at least ${2 * LOG_EVERY}: the first ${LOG_EVERY} are not timed.`);
const preset = a.preset!;
if (!isBertPreset(preset)) throw new Error(`--preset must be tiny, mini, small or base, not "${preset}".`);

function cli(
  mode: 'keep' | 'flush',
  out: string,
): { stepMs: number; tokensPerSecond: number; last: RunMetric } {
  const { metrics, output } = trainWithCli({
    corpus,
    vocab: a.vocab,
    out,
    preset,
    steps,
    batch,
    logEvery: LOG_EVERY,
    extra: ['--max-seq-length', String(SEQ)],
    env: { PRETRAIN_LAB_DENORMALS: mode === 'keep' ? 'keep' : '' },
  });
  if (!/Each step runs the hand-written BERT step on ONNX Runtime/.test(output))
    throw new Error(
      `the training (${mode}) did not run the hand-written step on ONNX Runtime: ${output.slice(-400)}`,
    );
  const last = metrics[metrics.length - 1];
  // the first logged window holds the start-up (vocabulary, graphs); time the steps after it
  const timed = metrics.slice(1);
  const first = metrics[0];
  const stepMs = ((last.elapsedSeconds - first.elapsedSeconds) * 1000) / (last.step - first.step);
  const tokensPerSecond = timed.reduce((sum, m) => sum + m.tokensPerSecond, 0) / timed.length;
  return { stepMs, tokensPerSecond, last };
}

function peer() {
  const c = BERT_PRESETS[preset as keyof typeof BERT_PRESETS];
  const shape = {
    vocab: 8000,
    hidden: c.hiddenSize,
    layers: c.numLayers,
    heads: c.numHeads,
    seq: SEQ,
    batch,
  };
  return torchBertPeer(shape, 2, 10);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pretrain-lab-denormals-'));
try {
  console.log(
    `BERT-${preset}, batch ${batch} × ${SEQ} tokens, ${steps} steps of the CLI (the hand-written step on ONNX Runtime), text: ${corpus.join(', ')}`,
  );
  console.log(
    '| round | subnormals kept, ms a step | flushed, ms a step | kept / flushed | flushed, tokens/s (real tokens, not padding) | MLM loss kept / flushed (last window) | NSP loss kept / flushed |',
  );
  console.log('|---|---|---|---|---|---|---|');
  const ratios: number[] = [];
  for (let k = 1; k <= rounds; k++) {
    const keep = cli('keep', path.join(tmp, `keep${k}`));
    const flush = cli('flush', path.join(tmp, `flush${k}`));
    ratios.push(keep.stepMs / flush.stepMs);
    console.log(
      `| ${k} | ${keep.stepMs.toFixed(0)} | ${flush.stepMs.toFixed(0)} | ${(keep.stepMs / flush.stepMs).toFixed(2)} | ${Math.round(flush.tokensPerSecond)} | ${keep.last.mlmLoss.toFixed(4)} / ${flush.last.mlmLoss.toFixed(4)} | ${keep.last.nspLoss.toFixed(4)} / ${flush.last.nspLoss.toFixed(4)} |`,
    );
  }
  const them = peer();
  console.log(
    `\nPyTorch peer, same model and batch shape on its fixed synthetic batch: ${them.stepMs.toFixed(0)} ms a step`,
  );
  console.log(`PyTorch peer: ${JSON.stringify(them.config)}`);
  console.log(peerBlasLine(them.config));
  console.log(
    `ours: node ${process.version}, ${os.availableParallelism()} cores; load (1 min) ${os.loadavg()[0].toFixed(2)}`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
