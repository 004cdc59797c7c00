import * as path from 'node:path';
import { BertPredictor } from './src/engine/analysis/predictMask';
import { pretrainBert, withDefaults } from './src/engine/train/pretrainBert';
import { backend, factCorpus, factSentence, tmpDir } from './test/unit/helpers';
(async () => {
  await backend();
  const corpus = factCorpus(tmpDir(), 60, 6);
  const out = '/tmp/facts-model';
  const r = await pretrainBert(withDefaults({ corpus: [corpus], outDir: out, preset: 'tiny', steps: 600, batchSize: 16, maxSeqLength: 32, vocabSize: 200, learningRate: 2e-3, warmupSteps: 60, dropout: 0, checkpointEvery: 1000, logEvery: 50, seed: 7, resume: false }), { onProgress: (p) => console.log(JSON.stringify(p)) });
  const p = new BertPredictor(out);
  console.log(JSON.stringify(p.predictMasks(factSentence('france', '[MASK]', 24), 5)));
  console.log(JSON.stringify(p.predictMasks(factSentence('france', '[MASK]', 3), 5)));
  console.log(JSON.stringify(p.predictMasks('everyone knows that the capital of [MASK] is paris.', 5)));
})();
