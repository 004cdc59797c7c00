// The learning check: on facts with one right answer each ("the capital of france is paris"), a tiny
// BERT learns to fill the masked city in sentences it never saw.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { BertPredictor } from '../../src/engine/analysis/predictMask';
import { pretrainBert, withDefaults } from '../../src/engine/train/pretrainBert';
import { backend, FACTS, factCorpus, factSentence, isHeldOut, tmpDir } from './helpers';

test('a tiny BERT pretrained with the CLI defaults fills held-out fact slots at top-1', async (t) => {
  await backend();
  const corpus = factCorpus(tmpDir(), 80, 5);
  const out = path.join(tmpDir(), 'facts-model');
  // Every CLI default of the tiny preset (its recipe, BERT_RECIPES: lr 2e-3, init 0.05, warm-up 10%, NSP
  // weight 1; batch 16, sequences of 64, dropout 0.1, the CLI's 1,000 steps; the default vocabulary
  // size, which this corpus's 40 words never reach): what `pretrain-lab pretrain bert --corpus DIR` does.
  // Measured: held-out top-1 13/16, final MLM loss 0.653 against a unigram entropy of 3.189 (330 s on a
  // busy machine). Only the seed is chosen (7): it fixes the data, masks and dropout, so each run is the same.
  const r = await pretrainBert(
    withDefaults({
      corpus: [corpus],
      outDir: out,
      checkpointEvery: 10_000,
      logEvery: 50,
      seed: 7,
    }),
  );
  const lnV = Math.log(r.summary.vocabSize);
  const finalLoss = r.lastProgress!.mlmLoss;
  const entropy = r.lastProgress!.unigramEntropy;
  assert.ok(
    entropy !== undefined && entropy > 0,
    'the progress carries the unigram entropy of the masked tokens',
  );
  assert.ok(
    finalLoss < 0.9 * entropy,
    `final MLM loss ${finalLoss.toFixed(3)} is not near the unigram entropy`,
  );
  assert.ok(
    finalLoss < lnV / 4,
    `final MLM loss ${finalLoss.toFixed(3)} should be far below ln(V) = ${lnV.toFixed(3)}`,
  );

  const p = new BertPredictor(out);
  const misses: string[] = [];
  let total = 0;
  FACTS.forEach(([country, city], k) => {
    for (let f = 0; f < 8; f++) {
      if (!isHeldOut(f, k)) continue;
      total++;
      const s = factSentence(f, country, '[MASK]');
      const top = p.predictMasks(s, 1).masks[0].candidates[0].token;
      if (top !== city) misses.push(`${s} → ${top}`);
    }
  });
  p.dispose();
  const right = total - misses.length;
  t.diagnostic(
    `final MLM loss ${finalLoss.toFixed(3)} (ln V = ${lnV.toFixed(3)}, unigram entropy ${entropy.toFixed(3)}); held-out top-1 ${right}/${total}`,
  );
  assert.ok(
    right / total >= 0.75,
    `top-1 right on ${right}/${total} held-out sentences; missed: ${misses.join('; ')}`,
  );
});
