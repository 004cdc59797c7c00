// Issue 11: prints batches of the real BERT pretraining pipeline for a corpus, decoded back to tokens
// (input, label at each masked position, segment ids, attention mask) and checks them: the label is the
// original token at every masked position, masked positions per sequence, share of [PAD], NSP balance.
// Run: node --import tsx bench/dumpBertBatches.ts <corpus> [--batches N] [--show N] [--max-seq-length T] [--sentence-pairs]
import { parseArgs } from 'node:util';
import { countWords, PretrainingData } from '../src/engine/data/batches';
import { emptyStats } from '../src/engine/data/corpus';
import { Masker } from '../src/engine/data/mlm';
import { Rng } from '../src/engine/random';
import { BasicTokenizer } from '../src/engine/tokenizer/basic';
import { trainWordPieceVocab } from '../src/engine/tokenizer/trainer';
import { WordPieceTokenizer } from '../src/engine/tokenizer/wordpiece';
import { withDefaults } from '../src/engine/train/pretrainBert';

const { values: a, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    batches: { type: 'string', default: '50' },
    show: { type: 'string', default: '3' },
    'max-seq-length': { type: 'string' },
    'sentence-pairs': { type: 'boolean' },
  },
});
const o = withDefaults({
  corpus: positionals,
  outDir: '/tmp/unused',
  maxSeqLength: a['max-seq-length'] ? Number(a['max-seq-length']) : undefined,
  sentencePairs: a['sentence-pairs'],
});

async function main() {
  const basic = new BasicTokenizer({ lowercase: o.lowercase });
  const counts = await countWords(positionals, (s) => basic.tokenize(s), emptyStats());
  const vocab = trainWordPieceVocab(counts, { vocabSize: o.vocabSize, minFrequency: o.minFrequency });
  const tok = new WordPieceTokenizer(vocab, { lowercase: o.lowercase });
  const masker = new Masker(vocab, {
    maskProb: o.maskProb,
    maxPredictions: o.maxPredictionsPerSeq,
    wholeWordMask: o.wholeWordMask,
  });
  const data = new PretrainingData(positionals, tok, masker, o, new Rng(o.seed));
  const { batchSize: B, maxSeqLength: T, maxPredictionsPerSeq: P } = o;
  let n = 0;
  let real = 0;
  let masked = 0;
  let bad = 0;
  let rnd = 0;
  let seqs = 0;
  const lens: number[] = [];
  const labelCounts = new Map<string, number>();
  const show = Number(a.show);
  for await (const b of data.batches()) {
    for (let r = 0; r < B; r++) {
      seqs++;
      let len = 0;
      for (let t = 0; t < T; t++) len += b.attentionMask[r * T + t];
      lens.push(len);
      real += len;
      rnd += b.nspLabels[r];
      const posLabel = new Map<number, string>();
      for (let k = 0; k < P; k++) {
        if (b.maskedWeights[r * P + k] === 0) continue;
        masked++;
        const t = b.maskedPositions[r * P + k] - r * T;
        if (t < 0 || t >= len) bad++;
        const lab = vocab.token(b.maskedIds[r * P + k]);
        labelCounts.set(lab, (labelCounts.get(lab) ?? 0) + 1);
        posLabel.set(t, lab);
      }
      if (n === 0 && r < show) {
        const toks: string[] = [];
        for (let t = 0; t < len; t++) {
          const w = vocab.token(b.inputIds[r * T + t]);
          const lab = posLabel.get(t);
          toks.push(`${w}${lab !== undefined ? `{${lab}}` : ''}${b.segmentIds[r * T + t] ? "'" : ''}`);
        }
        console.log(`row ${r} nsp=${b.nspLabels[r]} len=${len} masks=${posLabel.size}: ${toks.join(' ')}`);
      }
    }
    if (++n >= Number(a.batches)) break;
  }
  lens.sort((x, y) => x - y);
  console.log(
    `vocab ${vocab.size}; ${seqs} sequences of T=${T}: mean length ${(real / seqs).toFixed(1)} (median ${lens[lens.length >> 1]}), [PAD] share ${(1 - real / (seqs * T)).toFixed(3)}, masked per sequence ${(masked / seqs).toFixed(2)}, masked share of real tokens ${(masked / real).toFixed(3)}, positions outside the sequence ${bad}, random-next ${(rnd / seqs).toFixed(2)}`,
  );
  const top = [...labelCounts].sort((x, y) => y[1] - x[1]).slice(0, 15);
  console.log(`most frequent labels: ${top.map(([w, c]) => `${w}:${c}`).join(' ')}`);
}
void main();
