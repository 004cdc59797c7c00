// Issue 11: where the pipeline's masks fall on sample/tasks/seq2seq-facts/corpus.txt with --sentence-pairs
// (T=32, batch 16, seed 5): how the predictions of a pair split between A and B, the share of labels that
// are a city, and how often the person of a masked city is visible (three tokens before it in both
// framings). PAIR=1: BERT's 15% chosen over the whole pair (the product before the fix); default: the
// product's choice, 15% of each sentence (src/engine/data/mlm.ts maskEachSegment).
// Run: [PAIR=1] node --import tsx bench/factsMaskSplit.ts [batches]
import * as path from 'node:path';
import { countWords, PretrainingData } from '../src/engine/data/batches';
import { emptyStats } from '../src/engine/data/corpus';
import { type MaskedSequence, Masker } from '../src/engine/data/mlm';
import { Rng } from '../src/engine/random';
import { BasicTokenizer } from '../src/engine/tokenizer/basic';
import { trainWordPieceVocab } from '../src/engine/tokenizer/trainer';
import { WordPieceTokenizer } from '../src/engine/tokenizer/wordpiece';

class PairMasker extends Masker {
  override maskEachSegment(ids: readonly number[], rng: Rng): MaskedSequence {
    return this.mask(ids, rng);
  }
}

(async () => {
  const corpus = [path.join(__dirname, '..', 'sample', 'tasks', 'seq2seq-facts', 'corpus.txt')];
  const basic = new BasicTokenizer({ lowercase: true });
  const counts = await countWords(corpus, (s) => basic.tokenize(s), emptyStats());
  const vocab = trainWordPieceVocab(counts, { vocabSize: 8000, minFrequency: 2 });
  const tok = new WordPieceTokenizer(vocab, { lowercase: true });
  const mo = { maskProb: 0.15, maxPredictions: 10, wholeWordMask: false };
  const masker = process.env.PAIR === '1' ? new PairMasker(vocab, mo) : new Masker(vocab, mo);
  const [B, T, P] = [16, 32, 10];
  const opts = {
    maxSeqLength: T,
    shortSeqProb: 0.1,
    batchSize: B,
    maxPredictionsPerSeq: P,
    sentencePairs: true,
  };
  const data = new PretrainingData(corpus, tok, masker, opts, new Rng(5));
  const cities = new Set(['paris', 'rome', 'berlin', 'madrid']);
  const split = new Map<string, number>();
  let [labels, city, nameVisible, steps] = [0, 0, 0, 0];
  const max = Number(process.argv[2] ?? 300);
  for await (const b of data.batches()) {
    if (steps++ >= max) break;
    for (let r = 0; r < B; r++) {
      const row = Array.from(b.inputIds.slice(r * T, (r + 1) * T));
      const sep = row.indexOf(vocab.sepId);
      const orig = row.slice();
      const pos: number[] = [];
      for (let k = 0; k < P; k++) {
        if (b.maskedWeights[r * P + k] !== 1) continue;
        const p = b.maskedPositions[r * P + k] - r * T;
        pos.push(p);
        orig[p] = b.maskedIds[r * P + k];
      }
      const inA = pos.filter((p) => p < sep).length;
      const key = `${inA} in A, ${pos.length - inA} in B`;
      split.set(key, (split.get(key) ?? 0) + 1);
      for (const p of pos) {
        labels++;
        if (!cities.has(vocab.token(orig[p]))) continue;
        city++;
        if (row[p - 3] === orig[p - 3]) nameVisible++;
      }
    }
  }
  const rows = [...split.values()].reduce((a, c) => a + c, 0);
  const shares = [...split].sort().map(([k, v]) => `${k}: ${((100 * v) / rows).toFixed(0)}%`);
  console.log(
    `${process.env.PAIR === '1' ? 'over the pair' : 'each sentence'}, ${max} batches: ${shares.join(', ')}`,
  );
  console.log(
    `labels ${labels}, city ${((100 * city) / labels).toFixed(1)}%, person visible at ${((100 * nameVisible) / city).toFixed(0)}% of masked cities`,
  );
})();
