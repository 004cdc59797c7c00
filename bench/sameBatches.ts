// Learning speed on identical batches (issue 11): our data pipeline writes N masked-LM + next-sentence
// batches of the facts corpus (bench/makeFactsCorpus.ts) and the initial weights of a BERT to
// bench/out/same/; our trainer and the PyTorch model of bench/torch_mlm_same.py (same config, same
// initial weights, AdamW with the same schedule, warm-up, clipping and decay groups) train on exactly
// those batches; both curves (MLM loss, masked accuracy per window of k steps), the gap and the 25
// held-out fact questions answered at the end are printed.
// Run: node --import tsx bench/sameBatches.ts [--steps 600] [--every 50] [--lr X] [--init-range X]
//      [--warmup N] [--nsp-weight X] [--dropout X] [--eps X] [--vocab-size N] [--seed N] [--only ours|torch]
//      [--batch-size N] [--max-seq-length N] [--sentence-pairs]
//      [--out DIR] [--packing pairs|contiguous]   pairs: BERT's NSP instances (what training uses); contiguous: the
//      corpus's text cut into full-length sequences, B always the actual next (a plain MLM pipeline)
//      [--corpus FILE_OR_DIR]... [--vocab vocab.txt]   train on this text instead of the facts corpus (no
//      questions then), e.g. the starter's corpus: --corpus /tmp/pretrain-lab-starter/corpus/english --corpus
//      /tmp/pretrain-lab-starter/corpus/chinese --vocab /tmp/pretrain-lab-starter/vocab.txt
// Unset options take the tiny preset's recipe (src/shared/configs/bert.ts), as the CLI does.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/engine/backend';
import { type Batch, countWords, PretrainingData, tokenizeDocument } from '../src/engine/data/batches';
import { emptyStats, readDocuments, resolveCorpus } from '../src/engine/data/corpus';
import { Masker } from '../src/engine/data/mlm';
import { Bert, bertParamShapes, decays } from '../src/engine/models/bert';
import { mlmLoss } from '../src/engine/models/heads/mlm';
import { nspLoss } from '../src/engine/models/heads/nsp';
import { Rng } from '../src/engine/random';
import { BasicTokenizer } from '../src/engine/tokenizer/basic';
import { trainWordPieceVocab } from '../src/engine/tokenizer/trainer';
import { Vocab } from '../src/engine/tokenizer/vocab';
import { WordPieceTokenizer } from '../src/engine/tokenizer/wordpiece';
import { withDefaults } from '../src/engine/train/pretrainBert';
import { learningRateAt } from '../src/engine/train/schedule';
import { Trainer } from '../src/engine/train/trainer';
import { BERT_PRESETS, type BertConfig } from '../src/shared/configs';
import { factQuestions, writeFactsCorpus } from './makeFactsCorpus';
import { peerEnv } from './peer';

const { values: a } = parseArgs({
  options: {
    steps: { type: 'string', default: '600' },
    every: { type: 'string', default: '50' },
    lr: { type: 'string' },
    'init-range': { type: 'string' },
    warmup: { type: 'string' },
    'nsp-weight': { type: 'string' },
    dropout: { type: 'string' },
    eps: { type: 'string', default: '1e-6' },
    'vocab-size': { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    packing: { type: 'string', default: 'pairs' },
    out: { type: 'string' },
    threads: { type: 'string', default: '2' },
    'batch-size': { type: 'string' },
    'max-seq-length': { type: 'string' },
    'sentence-pairs': { type: 'boolean' },
    corpus: { type: 'string', multiple: true },
    vocab: { type: 'string' },
  },
});
const num = (k: keyof typeof a) => (a[k] === undefined ? undefined : Number(a[k]));

const OUT = a.out ?? path.join(__dirname, 'out', 'same'); // batches, init weights, meta
const steps = num('steps')!;
const every = num('every')!;
// the recipe a CLI run of the tiny preset with this step budget gets, overridden by the flags given
const o = withDefaults({
  corpus: [],
  outDir: OUT,
  preset: 'tiny',
  steps,
  learningRate: num('lr'),
  initializerRange: num('init-range'),
  warmupSteps: num('warmup'),
  nspWeight: num('nsp-weight'),
  dropout: num('dropout'),
  vocabSize: num('vocab-size'),
  seed: num('seed'),
  batchSize: num('batch-size'),
  maxSeqLength: num('max-seq-length'),
  sentencePairs: a['sentence-pairs'],
});
const base = BERT_PRESETS[o.preset];
const recipe = {
  steps,
  every,
  learningRate: o.learningRate,
  warmupSteps: o.warmupSteps,
  initializerRange: o.initializerRange ?? base.initializerRange,
  nspWeight: o.nspWeight,
  dropout: o.dropout ?? base.dropout,
  weightDecay: o.weightDecay,
  clipNorm: o.clipNorm,
  epsilon: num('eps')!,
  batchSize: o.batchSize,
  seqLength: o.maxSeqLength,
  maxPredictions: o.maxPredictionsPerSeq,
  seed: o.seed,
  packing: a.packing,
  sentencePairs: o.sentencePairs === true,
};

interface Curve {
  step: number;
  mlmLoss: number;
  mlmAccuracy: number;
  nspLoss: number;
}
interface SideResult {
  curve: Curve[];
  answered: number;
  answers: string[];
  seconds: number;
}

/** Writes the corpus, the batches, the initial weights and the questions; returns the BERT config. */
async function writeInputs(): Promise<{ config: BertConfig; labelEntropy: number }> {
  fs.mkdirSync(OUT, { recursive: true });
  const corpus = a.corpus ? resolveCorpus(a.corpus).files : [writeFactsCorpus(path.join(OUT, 'facts'))];
  const basic = new BasicTokenizer({ lowercase: true });
  const vocab = a.vocab
    ? Vocab.parse(fs.readFileSync(a.vocab, 'utf8'), a.vocab)
    : trainWordPieceVocab(await countWords(corpus, (s) => basic.tokenize(s), emptyStats()), {
        vocabSize: o.vocabSize,
        minFrequency: o.minFrequency,
      });
  const tok = new WordPieceTokenizer(vocab, { lowercase: true });
  const masker = new Masker(vocab, {
    maskProb: o.maskProb,
    maxPredictions: o.maxPredictionsPerSeq,
    wholeWordMask: o.wholeWordMask,
  });
  const rng = new Rng(o.seed);
  const data = new PretrainingData(corpus, tok, masker, o, rng);
  const bin = fs.openSync(path.join(OUT, 'batches.bin'), 'w');
  const labelCounts = new Map<number, number>();
  let labels = 0;
  let tokens = 0;
  let n = 0;
  const batches = a.packing === 'contiguous' ? contiguous(data, tok, corpus, rng) : data.batches();
  for await (const b of batches) {
    tokens += b.numTokens;
    for (const arr of batchArrays(b))
      fs.writeSync(bin, new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    b.maskedIds.forEach((id, i) => {
      if (b.maskedWeights[i] === 0) return;
      labelCounts.set(id, (labelCounts.get(id) ?? 0) + 1);
      labels++;
    });
    if (++n === steps) break;
  }
  fs.closeSync(bin);
  let labelEntropy = 0;
  for (const c of labelCounts.values()) labelEntropy -= (c / labels) * Math.log(c / labels);

  const config: BertConfig = {
    ...base,
    vocabSize: vocab.size,
    dropout: recipe.dropout,
    initializerRange: recipe.initializerRange,
  };
  const m = new Bert(config, { seed: o.seed });
  const init = fs.openSync(path.join(OUT, 'init.bin'), 'w');
  const shapes = bertParamShapes(config);
  for (const [name] of shapes) fs.writeSync(init, new Uint8Array(m.params.get(name)!.dataSync().buffer));
  fs.closeSync(init);
  m.dispose();

  const questions = (a.corpus ? [] : factQuestions()).map((q) => {
    const ids = [vocab.clsId, ...tok.ids(q.text), vocab.sepId];
    return {
      text: q.text,
      answer: q.answer,
      ids,
      maskAt: ids.indexOf(vocab.maskId),
      answerId: vocab.id(q.answer),
    };
  });
  const meta = { recipe, config, shapes, questions, tokens: vocab.size, labelEntropy };
  fs.writeFileSync(path.join(OUT, 'meta.json'), JSON.stringify(meta));
  console.log(
    `corpus ${corpus.length > 2 ? `${corpus.length} files` : corpus.join(', ')}; vocabulary ${vocab.size}; ${n} batches of ${o.batchSize}×${o.maxSeqLength} (${a.packing}): ${(tokens / n).toFixed(0)} tokens and ${(labels / n).toFixed(1)} predictions a batch; unigram entropy of the masked tokens ${labelEntropy.toFixed(3)} nats`,
  );
  return { config, labelEntropy };
}

/** Plain MLM packing: the corpus's sentences in order, cut into full sequences, B the actual next. */
async function* contiguous(
  data: PretrainingData,
  tok: WordPieceTokenizer,
  corpus: string[],
  rng: Rng,
): AsyncGenerator<Batch> {
  const { batchSize: B, maxSeqLength: T, maxPredictionsPerSeq: P } = o;
  const stream: number[] = [];
  for await (const doc of readDocuments(corpus, emptyStats()))
    for (const s of tokenizeDocument(doc, tok)) stream.push(...s);
  const L = T - 3;
  for (;;) {
    const starts = rng.shuffle(Array.from({ length: Math.floor(stream.length / L) }, (_, i) => i * L));
    for (let i = 0; i + B <= starts.length; i += B) {
      const rows = starts.slice(i, i + B).map((s) => {
        const cut = rng.int(1, L - 1);
        return {
          tokensA: stream.slice(s, s + cut),
          tokensB: stream.slice(s + cut, s + L),
          isRandomNext: false,
        };
      });
      yield data.pack(rows, B, T, P);
    }
  }
}

/** The arrays of a batch in file order (torch_mlm_same.py reads them in the same order). */
function batchArrays(b: Batch): (Int32Array | Float32Array)[] {
  return [
    b.inputIds,
    b.segmentIds,
    b.attentionMask,
    b.maskedPositions,
    b.maskedIds,
    b.maskedWeights,
    b.nspLabels,
  ];
}

function readBatch(buf: Buffer, k: number, B: number, T: number, P: number) {
  const per = 4 * (3 * B * T + 3 * B * P + B);
  let off = k * per;
  const take = <A extends Int32Array | Float32Array>(Ctor: { new (b: ArrayBuffer): A }, n: number): A => {
    const out = new Ctor(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + 4 * n) as ArrayBuffer);
    off += 4 * n;
    return out;
  };
  return {
    inputIds: take(Int32Array, B * T),
    segmentIds: take(Int32Array, B * T),
    attentionMask: take(Float32Array, B * T),
    maskedPositions: take(Int32Array, B * P),
    maskedIds: take(Int32Array, B * P),
    maskedWeights: take(Float32Array, B * P),
    nspLabels: take(Int32Array, B),
  };
}

async function ours(config: BertConfig): Promise<SideResult> {
  const { batchSize: B, seqLength: T, maxPredictions: P } = recipe;
  const buf = fs.readFileSync(path.join(OUT, 'batches.bin'));
  const initBuf = fs.readFileSync(path.join(OUT, 'init.bin'));
  const weights = new Map<string, tf.Tensor>();
  let off = 0;
  for (const [name, shape] of bertParamShapes(config)) {
    const size = shape.reduce((x, y) => x * y, 1);
    const arr = new Float32Array(
      initBuf.buffer.slice(initBuf.byteOffset + off, initBuf.byteOffset + off + 4 * size),
    );
    weights.set(name, tf.tensor(arr, shape));
    off += 4 * size;
  }
  const m = new Bert(config, { weights });
  for (const t of weights.values()) t.dispose();
  const trainer = new Trainer(m, {
    weightDecay: recipe.weightDecay,
    clipNorm: recipe.clipNorm,
    epsilon: recipe.epsilon,
    decays,
  });
  const curve: Curve[] = [];
  let sums = { mlm: 0, nsp: 0, correct: 0, n: 0, steps: 0 };
  const t0 = Date.now();
  for (let k = 0; k < steps; k++) {
    const b = readBatch(buf, k, B, T, P);
    const r = await trainer.trainStep(
      () => {
        const inputs = {
          inputIds: tf.tensor2d(b.inputIds, [B, T], 'int32'),
          segmentIds: tf.tensor2d(b.segmentIds, [B, T], 'int32'),
          attentionMask: tf.tensor2d(b.attentionMask, [B, T], 'float32'),
        };
        const { hidden } = m.forward(inputs, { training: recipe.dropout > 0, seed: k + 1 });
        const mlm = mlmLoss(
          m.mlmLogits(hidden, tf.tensor1d(b.maskedPositions, 'int32')),
          tf.tensor1d(b.maskedIds, 'int32'),
          tf.tensor1d(b.maskedWeights, 'float32'),
        );
        const nsp = nspLoss(m.nspLogits(hidden), tf.tensor1d(b.nspLabels, 'int32'));
        const loss = recipe.nspWeight > 0 ? tf.add(mlm.loss, tf.mul(nsp.loss, recipe.nspWeight)) : mlm.loss;
        return { loss: loss as tf.Scalar, metrics: { mlm: mlm.loss, nsp: nsp.loss, correct: mlm.correct } };
      },
      learningRateAt(k, recipe.learningRate, recipe.warmupSteps, steps),
    );
    sums.mlm += r.metrics.mlm;
    sums.nsp += r.metrics.nsp;
    sums.correct += r.metrics.correct;
    sums.n += b.maskedWeights.reduce((x, y) => x + y, 0);
    sums.steps++;
    if ((k + 1) % every === 0) {
      curve.push({
        step: k + 1,
        mlmLoss: sums.mlm / sums.steps,
        mlmAccuracy: sums.correct / sums.n,
        nspLoss: sums.nsp / sums.steps,
      });
      sums = { mlm: 0, nsp: 0, correct: 0, n: 0, steps: 0 };
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  const meta = JSON.parse(fs.readFileSync(path.join(OUT, 'meta.json'), 'utf8')) as {
    questions: { ids: number[]; maskAt: number; answerId: number }[];
  };
  const answers: string[] = [];
  let answered = 0;
  for (const q of meta.questions) {
    const top = tf.tidy(() => {
      const L = q.ids.length;
      const { hidden } = m.forward({
        inputIds: tf.tensor2d(q.ids, [1, L], 'int32'),
        segmentIds: tf.zeros([1, L], 'int32') as tf.Tensor2D,
        attentionMask: tf.ones([1, L]) as tf.Tensor2D,
      });
      return tf.argMax(m.mlmLogits(hidden, tf.tensor1d([q.maskAt], 'int32')), -1).dataSync()[0];
    });
    answers.push(String(top));
    if (top === q.answerId) answered++;
  }
  m.dispose();
  trainer.dispose();
  return { curve, answered, answers, seconds };
}

function torchSide(): SideResult & { config: string[] } {
  const r = spawnSync(
    '/usr/bin/python3',
    [path.join(__dirname, 'torch_mlm_same.py'), '--dir', OUT, '--threads', String(a.threads)],
    { encoding: 'utf8', env: peerEnv(), maxBuffer: 64 << 20 },
  );
  if (r.status !== 0)
    throw new Error(`The PyTorch side failed (is python3-torch installed?): ${r.stderr.slice(-800)}`);
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines.pop()!) as SideResult & { config: string[] };
}

(async () => {
  const backend = await initBackend();
  const { config, labelEntropy } = await writeInputs();
  console.log(`recipe: ${JSON.stringify(recipe)}`);
  const us = a.only === 'torch' ? undefined : await ours(config);
  const them = a.only === 'ours' ? undefined : torchSide();
  if (them) console.log(them.config.join('\n'));
  const f = (x: number | undefined, d = 3) => (x === undefined ? '–' : x.toFixed(d));
  console.log(
    `\n| step | ours MLM loss | PyTorch MLM loss | ours masked acc | PyTorch masked acc | gap (PyTorch − ours) |`,
  );
  console.log('|---|---|---|---|---|---|');
  const rows = (us ?? them)!.curve.length;
  for (let i = 0; i < rows; i++) {
    const x = us?.curve[i];
    const y = them?.curve[i];
    const gap = x && y ? y.mlmAccuracy - x.mlmAccuracy : undefined;
    console.log(
      `| ${(x ?? y)!.step} | ${f(x?.mlmLoss)} | ${f(y?.mlmLoss)} | ${f(x?.mlmAccuracy)} | ${f(y?.mlmAccuracy)} | ${f(gap)} |`,
    );
  }
  console.log(
    `\nunigram entropy of the masked tokens ${labelEntropy.toFixed(3)}; facts answered (of 25): ours ${us?.answered ?? '–'}, PyTorch ${them?.answered ?? '–'}; seconds: ours ${f(us?.seconds, 0)} (tfjs ${backend.name}), PyTorch ${f(them?.seconds, 0)}`,
  );
})();
