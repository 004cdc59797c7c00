// The learning check: on facts with one right answer, a tiny BERT learns to fill the masked city.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { BertPredictor } from '../../src/engine/analysis/predictMask';
import { pretrainBert, withDefaults } from '../../src/engine/train/pretrainBert';
import { backend, FACTS, factCorpus, factSentence, tmpDir } from './helpers';

test('a tiny BERT pretrained for a few hundred steps fills held-out fact slots at top-1', async () => {
  await backend();
  const corpus = factCorpus(tmpDir(), 60, 6);
  const out = path.join(tmpDir(), 'facts-model');
  const r = await pretrainBert(
    withDefaults({
      corpus: [corpus],
      outDir: out,
      preset: 'tiny',
      steps: 300,
      batchSize: 16,
      maxSeqLength: 32,
      vocabSize: 200,
      learningRate: 2e-3,
      warmupSteps: 30,
      dropout: 0,
      checkpointEvery: 1000,
      logEvery: 50,
      seed: 7,
    }),
  );
  const lnV = Math.log(r.summary.vocabSize);
  const finalLoss = r.lastProgress!.mlmLoss;
  assert.ok(
    finalLoss < lnV / 3,
    `final MLM loss ${finalLoss.toFixed(3)} should be far below ln(V) = ${lnV.toFixed(3)}`,
  );

  const p = new BertPredictor(out);
  let right = 0;
  let total = 0;
  for (const [country, city] of FACTS) {
    for (const i of [24, 27, 29, 31]) {
      // filler/tail combinations 24..31 never occur in training
      const s = factSentence(country, '[MASK]', i);
      const top = p.predictMasks(s, 1).masks[0].candidates[0].token;
      total++;
      if (top === city) right++;
    }
  }
  p.dispose();
  assert.ok(right / total >= 0.75, `top-1 right on ${right}/${total} held-out sentences`);
});
