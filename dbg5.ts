import { BertPredictor } from './src/engine/analysis/predictMask';
import { pretrainBert, withDefaults } from './src/engine/train/pretrainBert';
import { backend, FACTS, tmpDir, writeCorpus } from './test/unit/helpers';
const T1 = ['the capital of {c} is {x}.', '{x} is the largest city of {c}.', 'many people in {c} live in {x}.', 'the government of {c} sits in {x}.', 'i flew to {x} when i visited {c}.', 'in {c} the main city is {x}.'];
const HELD = ['everyone knows that the capital of {c} is {x}.', 'we visited {c} and stayed in {x}.'];
(async () => {
  await backend();
  const lr = Number(process.argv[2]), steps = Number(process.argv[3]);
  const docs: string[] = [];
  for (let d = 0; d < 80; d++) { const [c, x] = FACTS[d % FACTS.length]; const l: string[] = []; for (let j = 0; j < 4; j++) l.push(T1[(d + j * 2 + (d >> 3)) % T1.length].replace('{c}', c).replace('{x}', x)); docs.push(l.join(' ')); }
  const corpus = writeCorpus(tmpDir(), { 'f.txt': docs.join('\n\n') });
  const out = tmpDir() + '/m';
  await pretrainBert(withDefaults({ corpus: [corpus], outDir: out, preset: 'tiny', steps, batchSize: 16, maxSeqLength: 32, vocabSize: 200, learningRate: lr, warmupSteps: Math.round(steps / 10), dropout: 0, checkpointEvery: 10000, logEvery: 100, seed: 7 }), { onProgress: (p) => console.log(p.step, p.mlmLoss.toFixed(3), p.mlmAccuracy.toFixed(3), (p.elapsedSeconds).toFixed(0)) });
  const p = new BertPredictor(out);
  let right = 0, total = 0;
  for (const [c, x] of FACTS) for (const h of HELD) { total++; const top = p.predictMasks(h.replace('{c}', c).replace('{x}', '[MASK]'), 1).masks[0].candidates[0].token; if (top === x) right++; }
  console.log('right', right, total);
})();
