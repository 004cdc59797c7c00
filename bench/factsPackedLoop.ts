// Issue 11: is it the packing? The plain facts MLM loop of test/unit/seq2seqFacts.ts (one [MASK] per
// sentence, any word, no NSP, no dropout), but each instance holds K consecutive sentences of one
// document of sample/tasks/seq2seq-facts/corpus.txt, as the pretraining pipeline packs them. K=1 is the
// hand loop; K=4 is about what `pretrain bert` feeds. PB instances per step (masks per step = PB·K).
// Run: K=4 PB=8 STEPS=250 nice node --import tsx bench/factsPackedLoop.ts /tmp/out && node --import tsx bench/factsRecall.ts /tmp/out
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { Bert } from '../src/engine/models/bert';
import { mlmLoss } from '../src/engine/models/heads/mlm';
import { SPECIAL_TOKENS, Vocab } from '../src/engine/tokenizer/vocab';
import { Trainer } from '../src/engine/train/trainer';
import { backend } from '../test/unit/helpers';
import { saveBert, tinyConfig } from '../test/unit/seq2seqFacts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);
(async () => {
  await backend();
  const out = process.argv[2];
  const [K, PB, steps, lr, H] = [
    env('K', 4),
    env('PB', 8),
    env('STEPS', 250),
    env('PLR', 5e-3),
    env('H', 64),
  ];
  const text = fs.readFileSync(
    path.join(__dirname, '..', 'sample', 'tasks', 'seq2seq-facts', 'corpus.txt'),
    'utf8',
  );
  const docs = text
    .split(/\n\s*\n/)
    .map((d) =>
      d
        .trim()
        .split(/(?<= \.) /)
        .map((s) => s.trim().split(' ')),
    )
    .filter((d) => d.length >= K);
  const words = [...new Set(docs.flat(2))].sort();
  const vocab = new Vocab([...SPECIAL_TOKENS, ...words]);
  const T =
    2 +
    Math.max(
      ...docs.flatMap((d) => d.slice(0, d.length - K + 1).map((_, i) => d.slice(i, i + K).flat().length)),
    );
  const bert = new Bert(
    {
      ...tinyConfig(vocab.size, H),
      maxPositions: env('MAXPOS', Math.max(32, T)),
      intermediateSize: env('FFN', 2 * H),
      initializerRange: env('INIT', 0.05),
    },
    { seed: env('SEED', 5) },
  );
  const trainer = new Trainer(bert, { weightDecay: 0.01, clipNorm: 1 });
  let r = 12345;
  const rand = () => {
    r = (Math.imul(r, 1103515245) + 12345) >>> 0;
    return r / 4294967296;
  };
  const t0 = Date.now();
  for (let step = 0; step < steps; step++) {
    const ids: number[] = [];
    const mask: number[] = [];
    const pos: number[] = [];
    const gold: number[] = [];
    for (let b = 0; b < PB; b++) {
      const d = docs[Math.floor(rand() * docs.length)];
      const start = Math.floor(rand() * (d.length - K + 1));
      const row = [vocab.clsId];
      const masked: number[] = [];
      for (const s of d.slice(start, start + K)) {
        masked.push(row.length + Math.floor(rand() * s.length)); // one word of each sentence
        row.push(...s.map((w) => vocab.id(w)));
      }
      row.push(vocab.sepId);
      for (const m of masked) {
        gold.push(row[m]);
        pos.push(b * T + m);
        row[m] = vocab.maskId;
      }
      while (row.length < T) row.push(vocab.padId);
      ids.push(...row);
      mask.push(...row.map((x) => (x === vocab.padId ? 0 : 1)));
    }
    const rate = lr * Math.min(1, (step + 1) / 20) * (1 - step / steps);
    await trainer.trainStep(() => {
      const { hidden } = bert.forward({
        inputIds: tf.tensor2d(ids, [PB, T], 'int32'),
        segmentIds: tf.zeros([PB, T], 'int32') as tf.Tensor2D,
        attentionMask: tf.tensor2d(mask, [PB, T]),
      });
      const logits = bert.mlmLogits(hidden, tf.tensor1d(pos, 'int32'));
      const l = mlmLoss(logits, tf.tensor1d(gold, 'int32'), tf.ones([gold.length]) as tf.Tensor1D);
      return { loss: l.loss, metrics: {} };
    }, rate);
  }
  trainer.dispose();
  fs.mkdirSync(out, { recursive: true });
  saveBert(out, bert, vocab);
  bert.dispose();
  console.log(
    `K=${K} PB=${PB} steps=${steps} lr=${lr} H=${H} T=${T}: ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
})();
