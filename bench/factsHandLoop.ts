// Issue 11: the hand-written facts MLM loop of test/unit/seq2seqFacts.ts alone, on the sample corpus
// (sample/tasks/seq2seq-facts/corpus.txt), saved to a model folder that bench/factsRecall.ts can ask.
// Varies what differs from `pretrain-lab pretrain bert`: SAL (share of masks on the person or the city;
// 0 = one random word per sentence), STEPS, PB (batch), PLR (lr), H (width).
// Run: SAL=0 STEPS=250 nice node --import tsx bench/factsHandLoop.ts /tmp/out && node --import tsx bench/factsRecall.ts /tmp/out
import * as fs from 'node:fs';
import * as path from 'node:path';
import { backend } from '../test/unit/helpers';
import { pretrainFactsBert } from '../test/unit/seq2seqFacts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
(async () => {
  await backend();
  const out = process.argv[2];
  fs.mkdirSync(out, { recursive: true });
  const corpus = fs.readFileSync(
    path.join(__dirname, '..', 'sample', 'tasks', 'seq2seq-facts', 'corpus.txt'),
    'utf8',
  );
  const t0 = Date.now();
  const r = await pretrainFactsBert(out, corpus, {
    people: 24,
    cities: 4,
    docs: 200,
    hidden: env('H', 64),
    pretrainSteps: env('STEPS', 250),
    pretrainBatch: env('PB', 32),
    pretrainLr: env('PLR', 5e-3),
    salientMasking: env('SAL', 1),
    epochs: 0,
    batchSize: 0,
    lr: 0,
    seed: env('SEED', 5),
  });
  console.log(
    `${((Date.now() - t0) / 1000).toFixed(1)} s; top-1 on masked cities (last 20 steps) ${r.cityAccuracy.toFixed(2)}`,
  );
})();
