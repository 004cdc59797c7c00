// The transfer check of issue 17, shared by test/unit/seq2seqTransfer.test.ts and its experiments: a
// tiny BERT learns "X lives in Y" facts by masked-LM (one whole-word vocabulary, a plain MLM loop so it
// takes seconds); then seq2seq models learn "where does X live ?" → Y on half of the people, from that
// BERT (BERT→BERT warm start) or from random weights, and answer for the other half.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
// @ts-expect-error: a plain .mjs script (the sample task's generator), no type declarations
import { factsTask } from '../../scripts/make-seq2seq-facts.mjs';
import { saveCheckpoint, writeModelHeader } from '../../src/engine/checkpoint/bert';
import { Bert } from '../../src/engine/models/bert';
import { mlmLoss } from '../../src/engine/models/heads/mlm';
import { SPECIAL_TOKENS, Vocab } from '../../src/engine/tokenizer/vocab';
import { finetuneSeq2seq, withSeq2seqDefaults } from '../../src/engine/train/tasks/finetuneSeq2seq';
import { Trainer } from '../../src/engine/train/trainer';
import type { BertConfig } from '../../src/shared/configs';

export interface FactsSetting {
  people: number;
  cities: number;
  docs: number;
  framings?: number; // how many of the script's 4 framings the corpus uses (its default, 2, unless given)
  hidden: number;
  pretrainSteps: number;
  pretrainBatch: number;
  pretrainLr: number;
  salientMasking?: number; // share of masks on the person or the city instead of any word (0 unless given)
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
}

type Pair = { source: string; target: string };

/** Pretrains the tiny BERT on the task's corpus (each sentence one instance, one word masked: the person or the city with probability salientMasking, else any) and saves it. */
export async function pretrainFactsBert(
  dir: string,
  corpus: string,
  s: FactsSetting,
): Promise<{ cityAccuracy: number }> {
  const sentences = corpus
    .split(/\n+/)
    .flatMap((d) => d.split(/(?<= \.) /))
    .map((x) => x.trim().split(' '))
    .filter((w) => w.length > 1);
  const words = [...new Set(sentences.flat())].sort();
  const vocab = new Vocab([...SPECIAL_TOKENS, ...words]);
  const T = Math.max(...sentences.map((w) => w.length)) + 2;
  const bert = new Bert(tinyConfig(vocab.size, s.hidden), { seed: s.seed });
  const trainer = new Trainer(bert, { weightDecay: 0.01, clipNorm: 1 });
  let r = s.seed * 7919 + 1;
  const rand = () => {
    r = (Math.imul(r, 1103515245) + 12345) >>> 0;
    return r / 4294967296;
  };
  const cities = new Set(sentences.map((w) => w[w.indexOf('in') + 1]));
  const people = new Set(sentences.map((w) => (w[0] === 'the' ? w[3] : w[0] === 'in' ? w[5] : w[0])));
  let hits = 0;
  let cityMasks = 0;
  for (let step = 0; step < s.pretrainSteps; step++) {
    const ids: number[] = [];
    const mask: number[] = [];
    const pos: number[] = [];
    const gold: number[] = [];
    const isCity: boolean[] = [];
    for (let b = 0; b < s.pretrainBatch; b++) {
      const w = sentences[Math.floor(rand() * sentences.length)];
      // salient-span masking (Guu et al. 2020, REALM): the person or the city, else any word
      const salient = w.flatMap((x, i) => (cities.has(x) || people.has(x) ? [i] : []));
      const mode = s.salientMasking ?? 0;
      const m =
        1 + (rand() < mode ? salient[Math.floor(rand() * salient.length)] : Math.floor(rand() * w.length)); // [CLS] is 0
      const row = [vocab.clsId, ...w.map((x) => vocab.id(x)), vocab.sepId];
      gold.push(row[m]);
      isCity.push(cities.has(w[m - 1]));
      row[m] = vocab.maskId;
      pos.push(b * T + m);
      while (row.length < T) row.push(vocab.padId);
      ids.push(...row);
      mask.push(...row.map((x) => (x === vocab.padId ? 0 : 1)));
    }
    const late = step >= s.pretrainSteps - 20; // the last steps' accuracy on masked cities
    const lr = s.pretrainLr * Math.min(1, (step + 1) / 20) * (1 - step / s.pretrainSteps);
    const res = await trainer.trainStep(() => {
      const inputs = {
        inputIds: tf.tensor2d(ids, [s.pretrainBatch, T], 'int32'),
        segmentIds: tf.zeros([s.pretrainBatch, T], 'int32') as tf.Tensor2D,
        attentionMask: tf.tensor2d(mask, [s.pretrainBatch, T]),
      };
      const { hidden } = bert.forward(inputs);
      const logits = bert.mlmLogits(hidden, tf.tensor1d(pos, 'int32'));
      const cityW = tf.tensor1d(isCity.map((c) => (c ? 1 : 0)));
      const l = mlmLoss(logits, tf.tensor1d(gold, 'int32'), tf.ones([s.pretrainBatch]) as tf.Tensor1D);
      const c = mlmLoss(logits, tf.tensor1d(gold, 'int32'), cityW as tf.Tensor1D);
      return { loss: l.loss, metrics: { cityHits: c.correct } };
    }, lr);
    if (late) {
      hits += res.metrics.cityHits;
      cityMasks += isCity.filter(Boolean).length;
    }
  }
  trainer.dispose();
  saveBert(dir, bert, vocab);
  bert.dispose();
  return { cityAccuracy: cityMasks ? hits / cityMasks : 0 };
}

/** A BERT model folder (config, vocab, checkpoint) from a model in memory. */
export function saveBert(dir: string, bert: Bert, vocab: Vocab): string {
  writeModelHeader(
    dir,
    {
      format: 'pretrain-lab/bert',
      formatVersion: 1,
      modelType: 'bert',
      bert: bert.config,
      tokenizer: { lowercase: true },
      createdAt: '',
    },
    vocab,
  );
  saveCheckpoint(dir, [...bert.params.keys()], {
    weights: bert.params,
    state: { step: 1, totalSteps: 1, rngState: 1, options: {}, finished: true, savedAt: '' },
  });
  return dir;
}

/** An untrained tiny BERT whose vocabulary is the given words (whole words, lower case). */
export function randomBert(dir: string, words: readonly string[], seed = 3, hidden = 32): string {
  const vocab = new Vocab([...SPECIAL_TOKENS, ...words]);
  const bert = new Bert(tinyConfig(vocab.size, hidden), { seed });
  saveBert(dir, bert, vocab);
  bert.dispose();
  return dir;
}

export function tinyConfig(vocabSize: number, hidden: number): BertConfig {
  return {
    vocabSize,
    hiddenSize: hidden,
    numLayers: 2,
    numHeads: 2,
    intermediateSize: 2 * hidden,
    maxPositions: 32,
    typeVocabSize: 2,
    dropout: 0,
    layerNormEps: 1e-12,
    initializerRange: 0.05,
  };
}

export interface TransferResult {
  cityAccuracy: number; // the BERT's top-1 on masked cities, its last 20 steps
  random: number[]; // dev exact match per epoch, random init
  warm: number[]; // dev exact match per epoch, BERT→BERT
  chrf: { random: number; warm: number }; // dev chrF at the last epoch
  trainPeople: number;
  devPeople: number;
}

export async function transferRun(root: string, s: FactsSetting): Promise<TransferResult> {
  const t = factsTask({
    people: s.people,
    cities: s.cities,
    docs: s.docs,
    framings: s.framings,
    seed: s.seed,
  }) as {
    corpus: string;
    train: Pair[];
    dev: Pair[];
  };
  const jsonl = (ps: Pair[]) => `${ps.map((p) => JSON.stringify(p)).join('\n')}\n`;
  fs.writeFileSync(path.join(root, 'train.jsonl'), jsonl(t.train));
  fs.writeFileSync(path.join(root, 'dev.jsonl'), jsonl(t.dev));
  const bert = path.join(root, 'bert');
  const { cityAccuracy } = await pretrainFactsBert(bert, t.corpus, s);
  const curves: number[][] = [];
  const chrf: number[] = [];
  for (const base of ['random', bert]) {
    const out = path.join(root, base === 'random' ? 'random' : 'warm');
    await finetuneSeq2seq(
      withSeq2seqDefaults({
        encoder: base,
        decoder: base,
        tokenizer: bert,
        train: path.join(root, 'train.jsonl'),
        dev: path.join(root, 'dev.jsonl'),
        outDir: out,
        epochs: s.epochs,
        batchSize: s.batchSize,
        learningRate: s.lr,
        labelSmoothing: 0,
        maxTargetLength: 4,
        seed: s.seed,
      }),
    );
    const epochs = fs
      .readFileSync(path.join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).dev as { exactMatch: number; chrf: number });
    curves.push(epochs.map((d) => d.exactMatch));
    chrf.push(epochs[epochs.length - 1].chrf);
  }
  return {
    cityAccuracy,
    random: curves[0],
    warm: curves[1],
    chrf: { random: chrf[0], warm: chrf[1] },
    trainPeople: t.train.length,
    devPeople: t.dev.length,
  };
}
