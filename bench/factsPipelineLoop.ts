// Issue 11: the hand loop of bench/factsPackedLoop.ts (its model, trainer and schedule) fed with the
// real pretraining pipeline's batches (PretrainingData, masks and all; the NSP labels unused), to tell
// whether what `pretrain bert` feeds or how it trains keeps the facts at chance.
// Run: STEPS=1000 H=128 PLR=2e-3 INIT=0.02 SP=1 T=32 nice node --import tsx bench/factsPipelineLoop.ts /tmp/out
//   && node --import tsx bench/factsRecall.ts /tmp/out   (SP=1: --sentence-pairs; SEG=0: all segment ids 0)
// Bisection switches, each changes one thing in the pipeline's batches. MASK=bert (default): the
// product's masking (with SP=1, 15% of each sentence, mlm.ts maskEachSegment); MASK=pair: 15% of the
// pair's tokens as one choice (the product before the fix); MASK=all: as pair, always [MASK];
// MASK=one: one [MASK] per segment, as the hand loop; MASK=one8: one per segment, 80/10/10.
// NORAND=1: drop the random-next instances (B is always the actual next sentence).
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { countWords, PretrainingData } from '../src/engine/data/batches';
import { emptyStats } from '../src/engine/data/corpus';
import { type MaskedSequence, Masker } from '../src/engine/data/mlm';
import type { PairInstance } from '../src/engine/data/nsp';
import { Bert } from '../src/engine/models/bert';
import { mlmLoss } from '../src/engine/models/heads/mlm';
import { Rng } from '../src/engine/random';
import { BasicTokenizer } from '../src/engine/tokenizer/basic';
import { trainWordPieceVocab } from '../src/engine/tokenizer/trainer';
import type { Vocab } from '../src/engine/tokenizer/vocab';
import { WordPieceTokenizer } from '../src/engine/tokenizer/wordpiece';
import { Trainer } from '../src/engine/train/trainer';
import type { MaskTreatment } from '../src/shared/configs';
import { backend } from '../test/unit/helpers';
import { saveBert, tinyConfig } from '../test/unit/seq2seqFacts';

const env = (k: string, d: number) => Number(process.env[k] ?? d);

/** The pipeline's masker with MASK=all|one|one8 (see the head of this file); default: unchanged. */
class BisectMasker extends Masker {
  constructor(
    private readonly v: Vocab,
    private readonly mode: string,
  ) {
    super(v, { maskProb: 0.15, maxPredictions: 10, wholeWordMask: false });
  }
  override maskEachSegment(ids: readonly number[], rng: Rng): MaskedSequence {
    return this.mode === 'bert' ? super.maskEachSegment(ids, rng) : this.mask(ids, rng);
  }
  override mask(ids: readonly number[], rng: Rng): MaskedSequence {
    if (this.mode === 'all') {
      const m = super.mask(ids, rng);
      for (const p of m.positions) m.inputIds[p] = this.v.maskId;
      return { ...m, treatments: m.positions.map(() => 'mask') };
    }
    if (this.mode !== 'one' && this.mode !== 'one8') return super.mask(ids, rng);
    const inputIds = ids.slice();
    const positions: number[] = [];
    const treatments: MaskTreatment[] = [];
    let start = -1;
    for (let i = 0; i <= ids.length; i++) {
      if (i < ids.length && !this.v.specialIds.has(ids[i])) continue;
      if (start >= 0 && i - start > 1) {
        const p = rng.int(start + 1, i - 1);
        const r = this.mode === 'one' ? 0 : rng.next();
        if (r < 0.8) inputIds[p] = this.v.maskId;
        else if (r >= 0.9) inputIds[p] = rng.int(5, this.v.size - 1);
        positions.push(p);
        treatments.push(r < 0.8 ? 'mask' : r < 0.9 ? 'keep' : 'random');
      }
      start = i;
    }
    return { inputIds, positions, labels: positions.map((p) => ids[p]), treatments };
  }
}

async function* pipelineBatches(data: PretrainingData, B: number, T: number, P: number) {
  if (env('NORAND', 0) !== 1) return yield* data.batches();
  let rows: PairInstance[] = [];
  for await (const inst of data.instances()) {
    if (inst.isRandomNext) continue;
    rows.push(inst);
    if (rows.length === B) {
      yield data.pack(rows, B, T, P);
      rows = [];
    }
  }
}
(async () => {
  await backend();
  const out = process.argv[2];
  const corpus = [path.join(__dirname, '..', 'sample', 'tasks', 'seq2seq-facts', 'corpus.txt')];
  const [steps, lr, H, T] = [env('STEPS', 1000), env('PLR', 2e-3), env('H', 128), env('T', 32)];
  const basic = new BasicTokenizer({ lowercase: true });
  const counts = await countWords(corpus, (s) => basic.tokenize(s), emptyStats());
  const vocab = trainWordPieceVocab(counts, { vocabSize: 8000, minFrequency: 2 });
  const tok = new WordPieceTokenizer(vocab, { lowercase: true });
  const masker = new BisectMasker(vocab, process.env.MASK ?? 'bert');
  const B = env('PB', 16);
  const opts = {
    maxSeqLength: T,
    shortSeqProb: 0.1,
    batchSize: B,
    maxPredictionsPerSeq: 10,
    sentencePairs: env('SP', 1) === 1,
  };
  const data = new PretrainingData(corpus, tok, masker, opts, new Rng(env('SEED', 5)));
  const bert = new Bert(
    {
      ...tinyConfig(vocab.size, H),
      maxPositions: 512,
      intermediateSize: 4 * H,
      initializerRange: env('INIT', 0.02),
    },
    { seed: env('SEED', 5) },
  );
  const trainer = new Trainer(bert, { weightDecay: 0.01, clipNorm: 1 });
  const t0 = Date.now();
  let step = 0;
  for await (const b of pipelineBatches(data, B, T, opts.maxPredictionsPerSeq)) {
    if (step >= steps) break;
    const rate = lr * Math.min(1, (step + 1) / 20) * (1 - step / steps);
    const segs = env('SEG', 1) === 1 ? b.segmentIds : new Int32Array(b.segmentIds.length);
    await trainer.trainStep(() => {
      const { hidden } = bert.forward({
        inputIds: tf.tensor2d(b.inputIds, [B, T], 'int32'),
        segmentIds: tf.tensor2d(segs, [B, T], 'int32'),
        attentionMask: tf.tensor2d(b.attentionMask, [B, T]),
      });
      const logits = bert.mlmLogits(hidden, tf.tensor1d(b.maskedPositions, 'int32'));
      const l = mlmLoss(logits, tf.tensor1d(b.maskedIds, 'int32'), tf.tensor1d(b.maskedWeights));
      return { loss: l.loss, metrics: {} };
    }, rate);
    step++;
  }
  trainer.dispose();
  saveBert(out, bert, vocab);
  bert.dispose();
  console.log(
    `pipeline batches, SP=${opts.sentencePairs} SEG=${env('SEG', 1)} MASK=${process.env.MASK ?? 'bert'} NORAND=${env('NORAND', 0)} seed=${env('SEED', 5)} steps=${steps} lr=${lr} H=${H} T=${T}: ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
})();
