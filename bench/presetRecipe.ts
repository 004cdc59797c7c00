// Which recipe a preset should carry (issue 11): trains the same preset on the same text with the
// project's CLI once per recipe (learning rate : initial weights' std), same seed and batches, and prints
// each run's MLM loss and masked accuracy over its last two logged windows, NSP accuracy, the seconds it
// took, and the unigram entropy of the masked tokens (the loss of a frequency-only guess).
// Run: node --import tsx bench/presetRecipe.ts [--preset mini] [--steps 600] [--batch-size 16]
//        [--recipes 1e-3:0.02,1e-3:0.05,2e-3:0.05] [--corpus DIR]... [--vocab vocab.txt]
// The default text is the facts corpus of bench/makeFactsCorpus.ts (the issue's own measurement of the
// tiny preset, docs/benchmarks.md), written to bench/out/facts/facts.txt.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { BERT_RECIPES, isBertPreset } from '../src/shared/configs';
import { type RunMetric, trainWithCli } from './cliTrain';
import { writeFactsCorpus } from './makeFactsCorpus';

const { values: a } = parseArgs({
  options: {
    preset: { type: 'string', default: 'mini' },
    steps: { type: 'string', default: '600' },
    'batch-size': { type: 'string', default: '16' },
    recipes: { type: 'string', default: '1e-3:0.02,1e-3:0.05,2e-3:0.05' },
    corpus: { type: 'string', multiple: true },
    vocab: { type: 'string' },
  },
});
const preset = a.preset!;
if (!isBertPreset(preset)) throw new Error(`--preset must be tiny, mini, small or base, not "${preset}".`);
const steps = Number(a.steps);
const batch = Number(a['batch-size']);
for (const [k, v] of Object.entries({ steps, 'batch-size': batch }))
  if (!Number.isInteger(v) || v <= 0) throw new Error(`--${k} must be a positive integer.`);
const LOG_EVERY = Math.max(1, Math.round(steps / 12));
const recipes = a.recipes!.split(',').map((r) => {
  const [lr, init] = r.split(':').map(Number);
  if (!(lr > 0) || !(init > 0)) throw new Error(`a recipe is lr:init, e.g. 1e-3:0.02, not "${r}".`);
  return { lr, init };
});
const corpus = a.corpus ?? [writeFactsCorpus(path.join(__dirname, 'out', 'facts'))];

function train(lr: number, init: number, out: string): RunMetric[] {
  const extra = ['--lr', String(lr), '--init-range', String(init)];
  return trainWithCli({ corpus, vocab: a.vocab, out, preset, steps, batch, logEvery: LOG_EVERY, extra })
    .metrics;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pretrain-lab-recipe-'));
try {
  const r = BERT_RECIPES[preset];
  console.log(
    `BERT-${preset}, ${steps} steps of ${batch}, seed 1, warm-up ${r.warmupFraction * 100}% of the steps, NSP weight ${r.nspWeight}; text: ${corpus.join(', ')}`,
  );
  console.log(`the preset's recipe today: lr ${r.learningRate}, init ${r.initializerRange}`);
  console.log(
    '| lr | init std | MLM loss, last 2 windows | masked accuracy, last 2 windows | NSP accuracy | seconds |',
  );
  console.log('|---|---|---|---|---|---|');
  let entropy = 0;
  for (const { lr, init } of recipes) {
    const m = train(lr, init, path.join(tmp, `${lr}-${init}`));
    const tail = m.slice(-2);
    const mean = (f: (x: RunMetric) => number) => tail.reduce((s, x) => s + f(x), 0) / tail.length;
    entropy = m[m.length - 1].unigramEntropy;
    console.log(
      `| ${lr} | ${init} | ${mean((x) => x.mlmLoss).toFixed(3)} | ${mean((x) => x.mlmAccuracy).toFixed(3)} | ${mean((x) => x.nspAccuracy).toFixed(3)} | ${m[m.length - 1].elapsedSeconds.toFixed(0)} |`,
    );
  }
  console.log(
    `\nunigram entropy of the masked tokens: ${entropy.toFixed(3)} (a loss near it has not learnt yet)`,
  );
  console.log(
    `node ${process.version}, ${os.availableParallelism()} cores; load (1 min) ${os.loadavg()[0].toFixed(2)}`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
