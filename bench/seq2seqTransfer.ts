// The experiments behind test/unit/seq2seqTransfer.test.ts: the facts transfer run (test/unit/
// seq2seqFacts.ts) for several seeds and settings, printing the BERT's accuracy on masked cities and
// the dev exact match per epoch (and the last epoch's chrF) of random init and of the BERT→BERT warm start.
// Run: SEEDS=2,4,5 SAL=1 FR=2 STEPS=250 EPOCHS=10 nice node --import tsx bench/seq2seqTransfer.ts
//   (SAL: share of salient-span masks, FR: framings, STEPS/PB/PLR/H: pretraining steps, batch, lr,
//   width; EPOCHS/BS/LR: fine-tuning; PEOPLE/CITIES/DOCS: the task)
import { backend, tmpDir } from '../test/unit/helpers';
import { transferRun } from '../test/unit/seq2seqFacts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
(async () => {
  await backend();
  for (const seed of (process.env.SEEDS ?? '5').split(',').map(Number)) {
    const t0 = Date.now();
    const r = await transferRun(tmpDir(), {
      people: env('PEOPLE', 24),
      cities: env('CITIES', 4),
      docs: env('DOCS', 60),
      framings: env('FR', 2),
      hidden: env('H', 64),
      pretrainSteps: env('STEPS', 250),
      pretrainBatch: env('PB', 32),
      pretrainLr: env('PLR', 5e-3),
      salientMasking: env('SAL', 1),
      epochs: env('EPOCHS', 10),
      batchSize: env('BS', 4),
      lr: env('LR', 3e-3),
      seed,
    });
    const f = (a: number[]) => a.map((x) => x.toFixed(2)).join(' ');
    console.log(
      `seed ${seed}: ${((Date.now() - t0) / 1000).toFixed(1)} s, BERT top-1 on masked cities ${r.cityAccuracy.toFixed(2)}, ${r.trainPeople} train / ${r.devPeople} dev people\n  random ${f(r.random)} (last chrF ${r.chrf.random.toFixed(1)})\n  warm   ${f(r.warm)} (last chrF ${r.chrf.warm.toFixed(1)})`,
    );
  }
})();
