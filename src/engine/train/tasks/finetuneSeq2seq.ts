// Sequence-to-sequence fine-tuning as a task of the training loop (../loop.ts): teacher forcing (the
// decoder reads the gold prefix), token cross-entropy with optional label smoothing, AdamW with warmup
// and linear decay. Each epoch ends with the dev loss and the dev outputs' corpus BLEU, chrF and exact
// match (greedy, or beam with devBeamSize); the best epoch by chrF (then exact match, BLEU, dev loss) is saved as a model folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_SEQ2SEQ,
  type Seq2seqDevMetrics,
  type Seq2seqProgress,
  type Seq2seqSummary,
  type Seq2seqTrainOptions,
  type Seq2seqTrainRequest,
} from '../../../shared/configs/seq2seq';
import { l10n } from '../../../shared/l10nCore';
import { corpusBleu, exactMatch } from '../../analysis/bleu';
import { corpusChrf } from '../../analysis/chrf';
import { rewrite } from '../../analysis/seq2seqDecode';
import { codecs, SEQ2SEQ_FORMAT, type Seq2seqConfigFile, saveSeq2seq } from '../../checkpoint/seq2seq';
import { TaskDataError } from '../../data/tasks/common';
import {
  disposeBatch,
  type EncodedPair,
  encodePairs,
  makeSeq2seqBatch,
  readSeq2seqData,
  type Seq2seqPair,
  type TokenCodec,
} from '../../data/tasks/seq2seq';
import type { Seq2seq } from '../../models/seq2seq';
import { seq2seqDecays } from '../../models/seq2seq';
import { Rng } from '../../random';
import type { LoopTask } from '../loop';
import { claimOutDir } from '../outDir';
import { Trainer } from '../trainer';
import type { PretrainCallbacksOf } from './common';
import { trainEpoch } from './epochs';
import { buildSeq2seq } from './seq2seqBases';

export type Seq2seqCallbacks = PretrainCallbacksOf<Seq2seqProgress>;

export function withSeq2seqDefaults(o: Seq2seqTrainRequest): Seq2seqTrainOptions {
  const d = DEFAULT_SEQ2SEQ;
  return {
    ...o,
    epochs: o.epochs ?? d.epochs,
    batchSize: o.batchSize ?? d.batchSize,
    learningRate: o.learningRate ?? d.learningRate,
    labelSmoothing: o.labelSmoothing ?? d.labelSmoothing,
    freezeEncoder: o.freezeEncoder ?? d.freezeEncoder,
    maxSourceLength: o.maxSourceLength ?? d.maxSourceLength,
    maxTargetLength: o.maxTargetLength ?? d.maxTargetLength,
    devBeamSize: o.devBeamSize ?? d.devBeamSize,
    seed: o.seed ?? d.seed,
  };
}

type Batch = ReturnType<typeof makeSeq2seqBatch>;

function seq2seqTask(
  model: Seq2seq,
  pairs: EncodedPair[],
  o: Seq2seqTrainOptions,
  src: TokenCodec,
  tgt: TokenCodec,
  rng: Rng,
): LoopTask<Batch> {
  async function* batches(): AsyncGenerator<Batch> {
    const order = rng.shuffle(pairs.map((_, i) => i));
    for (let i = 0; i < order.length; i += o.batchSize) {
      const b = makeSeq2seqBatch(
        order.slice(i, i + o.batchSize).map((j) => pairs[j]),
        src,
        tgt,
      );
      try {
        yield b;
      } finally {
        disposeBatch(b);
      }
    }
  }
  return {
    batches: batches(),
    loss(b) {
      const seed = rng.seed();
      return () => {
        const l = model.loss(b, o.labelSmoothing, { training: true, seed });
        return { loss: l.loss, metrics: { correct: l.correct, n: l.tokens } };
      };
    },
    tokens: (b) => b.tokens,
    windowMetrics: (s, steps) => ({ loss: s.loss / steps, tokenAccuracy: s.n ? s.correct / s.n : 0 }),
  };
}

/** Teacher-forced dev loss (no smoothing), then decoded outputs scored by BLEU and exact match. */
export async function evaluateSeq2seq(
  model: Seq2seq,
  dev: readonly Seq2seqPair[],
  encoded: readonly EncodedPair[],
  src: TokenCodec,
  tgt: TokenCodec,
  o: {
    batchSize: number;
    beamSize: number;
    maxTargetLength: number;
    maxSourceLength: number;
    shouldStop?(): boolean;
  },
): Promise<Seq2seqDevMetrics> {
  let nll = 0;
  let n = 0;
  for (let i = 0; i < encoded.length; i += o.batchSize) {
    const b = makeSeq2seqBatch(encoded.slice(i, i + o.batchSize), src, tgt);
    const [l, t] = tf.tidy(() => {
      const r = model.loss(b, 0);
      return [tf.mul(r.loss, r.tokens), r.tokens];
    });
    nll += (await l.data())[0];
    n += (await t.data())[0];
    tf.dispose([l, t]);
    disposeBatch(b);
  }
  const outputs: string[] = [];
  for (const p of dev) {
    if (o.shouldStop?.()) break;
    const r = await rewrite(model, src, tgt, p.source, {
      beamSize: o.beamSize,
      maxLength: o.maxTargetLength,
      maxSourceLength: o.maxSourceLength,
    });
    outputs.push(r.text);
  }
  // references as the target tokenizer gives them back, so a lower-casing vocabulary is not penalised
  const refs = dev.slice(0, outputs.length).map((p) => tgt.decode(tgt.encode(p.target)));
  return {
    loss: n ? nll / n : 0,
    bleu: outputs.length ? corpusBleu(outputs, [refs]).score : 0,
    chrf: corpusChrf(outputs, [refs]),
    exactMatch: exactMatch(outputs, refs),
    examples: dev
      .slice(0, 5)
      .map((p, i) => ({ source: p.source, target: p.target, output: outputs[i] ?? '' })),
  };
}

/**
 * Whether an epoch's dev scores beat the best so far: by chrF, then exact match, BLEU and dev loss. Not
 * BLEU first: short outputs have few or no 4-grams, so an early epoch's babble ("rome romees n ann")
 * out-scored later exact answers (BLEU 1.06 against 0) and was the one saved; chrF counts character
 * n-grams and ranks short, long and Chinese outputs alike (Popović 2015).
 */
export function betterDev(a: Seq2seqDevMetrics, b: Seq2seqDevMetrics): boolean {
  const rank = (m: Seq2seqDevMetrics) => [m.chrf, m.exactMatch, m.bleu, -m.loss];
  const [ra, rb] = [rank(a), rank(b)];
  const k = ra.findIndex((x, i) => x !== rb[i]);
  return k >= 0 && ra[k] > rb[k];
}

export async function finetuneSeq2seq(
  o: Seq2seqTrainOptions,
  cb: Seq2seqCallbacks = {},
): Promise<Seq2seqSummary> {
  const t0 = Date.now();
  const log = (m: string) => cb.onLog?.(m);
  for (const [what, dir] of [
    ['encoder', o.encoder],
    ['decoder', o.decoder],
  ] as const)
    if (dir !== 'random' && path.resolve(dir) === path.resolve(o.outDir))
      throw new Error(
        what === 'encoder'
          ? l10n.t("The output folder is the encoder's base model; choose another folder with --out.")
          : l10n.t("The output folder is the decoder's base model; choose another folder with --out."),
      );
  const rng = new Rng(o.seed);
  let train = readSeq2seqData(o.train);
  let dev: Seq2seqPair[];
  if (o.dev) dev = readSeq2seqData(o.dev);
  else {
    if (train.length < 2)
      throw new TaskDataError(l10n.t('{0} has only one pair; give more, or a --dev file.', o.train));
    const shuffled = rng.shuffle([...train]);
    const k = Math.max(1, Math.round(train.length * 0.1));
    dev = shuffled.slice(0, k);
    train = shuffled.slice(k);
    log(l10n.t('No dev file: {0} of {1} pairs are held out for dev.', k, k + train.length));
  }
  const claim = claimOutDir('seq2seq', o.outDir, log);
  let built: ReturnType<typeof buildSeq2seq>;
  try {
    built = buildSeq2seq({ encoder: o.encoder, decoder: o.decoder, tokenizer: o.tokenizer, seed: o.seed });
  } catch (e) {
    claim.release(); // nothing was written: the folder is given back
    throw e;
  }
  const { model } = built;
  let trainer: Trainer | undefined;
  try {
    for (const m of built.notices) log(m);
    const { src, tgt } = codecs(built.tokenizers);
    const maxSource = Math.min(o.maxSourceLength, model.config.encoder.maxPositions);
    const maxTarget = Math.min(o.maxTargetLength, model.config.decoder.maxPositions);
    const tr = encodePairs(train, src, tgt, maxSource, maxTarget);
    const dv = encodePairs(dev, src, tgt, maxSource, maxTarget);
    if (tr.cut + dv.cut)
      log(
        l10n.t(
          '{0} pairs longer than {1} source or {2} target tokens were cut.',
          tr.cut + dv.cut,
          maxSource,
          maxTarget,
        ),
      );
    const trainable = model.trainable(o.freezeEncoder);
    const trainedParameters = [...trainable.values()].reduce((s, p) => s + p.size, 0);
    log(
      l10n.t(
        '{0} training and {1} dev pairs; training {2} of {3} parameters.',
        train.length,
        dev.length,
        trainedParameters.toLocaleString('en'),
        model.parameterCount.toLocaleString('en'),
      ),
    );
    trainer = new Trainer({ params: trainable }, { weightDecay: 0.01, clipNorm: 1, decays: seq2seqDecays });
    // dev outputs stop a little past the longest reference: an untrained decoder that never says EOS
    // would otherwise run to maxTarget on every pair (each step re-reads the whole prefix)
    const devDecodeLength = Math.min(maxTarget, Math.max(...dv.pairs.map((p) => p.tgt.length)) + 8);
    const perEpoch = Math.ceil(tr.pairs.length / o.batchSize);
    const totalSteps = perEpoch * o.epochs;
    const warmup = Math.floor(totalSteps * 0.1);
    const config: Seq2seqConfigFile = {
      format: SEQ2SEQ_FORMAT,
      formatVersion: 1,
      model: model.config,
      source: built.source,
      target: built.target,
      warmStart: {
        encoder: o.encoder === 'random' ? 'random' : path.resolve(o.encoder),
        decoder: o.decoder === 'random' ? 'random' : path.resolve(o.decoder),
        decoderFrom: built.decoderFrom,
      },
      maxSourceLength: maxSource,
      maxTargetLength: maxTarget,
      createdAt: new Date().toISOString(),
      epochs: 0,
      bestEpoch: 0,
      steps: 0,
      seconds: 0,
    };
    claim.clearForFresh();
    const metricsFile = path.join(claim.dir, 'metrics.jsonl');
    let best: Seq2seqDevMetrics | undefined;
    let status: Seq2seqSummary['status'] = 'done';
    let epochsDone = 0;
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const plan = { trainer, epoch, epochs: o.epochs, perEpoch, totalSteps, warmup, t0 };
      const task = seq2seqTask(model, tr.pairs, o, src, tgt, rng);
      const e = { ...plan, learningRate: o.learningRate, shouldStop: cb.shouldStop };
      const r = await trainEpoch(task, e, ({ progress: p, ...s }) =>
        cb.onProgress?.({ ...s, tokensPerSecond: p.tokensPerSecond }),
      );
      if (r.status === 'cancelled') status = 'cancelled';
      const devMetrics = await evaluateSeq2seq(model, dev, dv.pairs, src, tgt, {
        batchSize: Math.max(o.batchSize, 32),
        beamSize: o.devBeamSize,
        maxTargetLength: devDecodeLength,
        maxSourceLength: maxSource,
        shouldStop: cb.shouldStop,
      });
      if (status === 'done') epochsDone = epoch;
      const elapsed = (Date.now() - t0) / 1000;
      fs.appendFileSync(
        metricsFile,
        `${JSON.stringify({ epoch, step: trainer.step, trainLoss: r.last?.metrics.loss, dev: devMetrics })}\n`,
      );
      cb.onProgress?.({
        epoch,
        epochs: o.epochs,
        step: trainer.step,
        totalSteps,
        trainLoss: r.last?.metrics.loss ?? Number.NaN,
        learningRate: r.last?.learningRate ?? 0,
        tokensPerSecond: r.last?.tokensPerSecond ?? 0,
        etaSeconds: (elapsed / epoch) * (o.epochs - epoch),
        dev: devMetrics,
      });
      if (!best || betterDev(devMetrics, best)) {
        best = devMetrics;
        const { examples: _, ...scores } = devMetrics;
        Object.assign(config, {
          bestEpoch: epoch,
          epochs: epoch,
          steps: trainer.step,
          seconds: elapsed,
          dev: scores,
        });
        saveSeq2seq(claim.dir, model, config, built.tokenizers);
      }
      if (status === 'cancelled') break;
    }
    return {
      dir: claim.dir,
      warmStart: config.warmStart,
      bestEpoch: config.bestEpoch,
      epochsDone,
      dev: best,
      seconds: (Date.now() - t0) / 1000,
      status,
    };
  } finally {
    trainer?.dispose();
    model.dispose();
    claim.release();
  }
}
