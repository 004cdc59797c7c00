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
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { peerBlasLine, peerEnv } from './peer';

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
const PRESETS: Record<string, { hidden: number; layers: number; heads: number }> = {
  tiny: { hidden: 128, layers: 2, heads: 2 },
  mini: { hidden: 256, layers: 4, heads: 4 },
};
for (const [k, v] of Object.entries({ steps, batch, rounds }))
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${k} must be a positive integer.`);
if (!PRESETS[a.preset!]) throw new Error(`--preset must be tiny or mini, not "${a.preset}".`);

interface Metric {
  step: number;
  mlmLoss: number;
  nspLoss: number;
  mlmAccuracy: number;
  tokensPerSecond: number;
  elapsedSeconds: number;
}

function cli(mode: 'keep' | 'flush', out: string): { stepMs: number; tokensPerSecond: number; last: Metric } {
  const args = [
    'bin/pretrain-lab.js',
    'pretrain',
    'bert',
    ...corpus.flatMap((c) => ['--corpus', c]),
    ...(a.vocab ? ['--vocab', a.vocab] : []),
    '--out',
    out,
    '--fresh',
    '--preset',
    a.preset!,
    '--steps',
    String(steps),
    '--batch-size',
    String(batch),
    '--max-seq-length',
    String(SEQ),
    '--seed',
    '1',
    '--log-every',
    '10',
    '--checkpoint-every',
    String(steps * 10),
  ];
  const env = { ...process.env, PRETRAIN_LAB_DENORMALS: mode === 'keep' ? 'keep' : '' };
  const r = spawnSync('node', args, { cwd: root, encoding: 'utf8', env, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`the training (${mode}) failed: ${(r.stderr || r.stdout).slice(-800)}`);
  const lines = fs.readFileSync(path.join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
  const metrics = lines.map((l) => JSON.parse(l) as Metric);
  const last = metrics[metrics.length - 1];
  // the first logged window holds the start-up (vocabulary, graphs); time the steps after it
  const first = metrics[0];
  const stepMs = ((last.elapsedSeconds - first.elapsedSeconds) * 1000) / (last.step - first.step);
  return { stepMs, tokensPerSecond: (batch * SEQ * 1000) / stepMs, last };
}

function peer(): { stepMs: number; config: Record<string, unknown> } {
  const p = PRESETS[a.preset!];
  const r = spawnSync(
    '/usr/bin/python3',
    [
      path.join(__dirname, 'torch_bert.py'),
      '--threads',
      '2',
      '--steps',
      '10',
      '--batch',
      String(batch),
      '--seq',
      String(SEQ),
      '--hidden',
      String(p.hidden),
      '--layers',
      String(p.layers),
      '--heads',
      String(p.heads),
    ],
    { encoding: 'utf8', env: peerEnv() },
  );
  if (r.status !== 0)
    throw new Error(`the PyTorch peer failed (is python3-torch installed?): ${r.stderr.slice(-500)}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pretrain-lab-denormals-'));
try {
  console.log(
    `BERT-${a.preset}, batch ${batch} × ${SEQ} tokens, ${steps} steps of the CLI (the hand-written step on ONNX Runtime), text: ${corpus.join(', ')}`,
  );
  console.log(
    '| round | subnormals kept, ms a step | flushed, ms a step | kept / flushed | flushed tokens/s | MLM loss kept / flushed (last window) | NSP loss kept / flushed |',
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
