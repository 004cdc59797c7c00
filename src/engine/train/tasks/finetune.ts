// Fine-tuning as a task of the training loop (../loop.ts): a base (a pretrained BERT, one with fresh
// weights, or word2vec vectors as frozen features: finetuneBase.ts) and a head for classification,
// sentence pairs or tagging, trained with every layer, with the lowest N layers frozen, or feature-based
// (the whole encoder frozen). Each epoch ends with the dev metrics; the best epoch is saved as a
// `finetuned` model folder (../../checkpoint/finetuned.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_FINETUNE,
  type EvalMetrics,
  type FinetuneOptions,
  type FinetuneProgress,
  type FinetuneRequestOptions,
  type FinetuneSummary,
} from '../../../shared/finetune';
import { l10n } from '../../../shared/l10nCore';
import { classificationMetrics, entityScores, isChunkScheme } from '../../analysis/metrics';
import { FINETUNED_FORMAT, type FinetunedConfig, saveFinetuned } from '../../checkpoint/finetuned';
import { type EncodedExample, makeBatch, type TaskBatch } from '../../data/tasks/encode';
import { decays } from '../../models/bert';
import { TaskModel } from '../../models/taskModel';
import { Rng } from '../../random';
import type { LoopTask } from '../loop';
import { Trainer } from '../trainer';
import type { PretrainCallbacksOf } from './common';
import { trainEpoch } from './epochs';
import { openTaskBase, randomPreset } from './finetuneBase';
import { baseDefaults, mixReporter } from './finetuneBaseOptions';
import { loadTaskData, type TaskData } from './finetuneData';

export type FinetuneCallbacks = PretrainCallbacksOf<FinetuneProgress>;

export interface FinetuneResult {
  status: 'done' | 'cancelled';
  epochsDone: number;
  summary: FinetuneSummary;
}

export function withFinetuneDefaults(o: FinetuneRequestOptions): FinetuneOptions {
  return {
    ...o,
    epochs: o.epochs ?? DEFAULT_FINETUNE.epochs,
    learningRate: o.learningRate ?? DEFAULT_FINETUNE.learningRate,
    batchSize: o.batchSize ?? DEFAULT_FINETUNE.batchSize,
    freeze: o.freeze ?? DEFAULT_FINETUNE.freeze,
    seed: o.seed ?? DEFAULT_FINETUNE.seed,
    defaulted: { freeze: o.freeze === undefined, learningRate: o.learningRate === undefined },
  };
}

export { loadTaskData, type TaskData } from './finetuneData';

/** Dev loss and metrics: per example for classification, per word (and entity) for tagging. */
export async function evaluate(
  model: TaskModel,
  examples: readonly EncodedExample[],
  batchSize: number,
): Promise<EvalMetrics> {
  const gold: number[] = [];
  const pred: number[] = [];
  const goldSeqs: string[][] = [];
  const predSeqs: string[][] = [];
  let nll = 0;
  const L = model.labels;
  for (let i = 0; i < examples.length; i += batchSize) {
    const part = examples.slice(i, i + batchSize);
    const b = makeBatch(part);
    const lp = tf.tidy(() => tf.logSoftmax(model.logits(b, { training: false, encoderTraining: false })));
    const data = (await lp.data()) as Float32Array;
    lp.dispose();
    const K = L.length;
    const rows: number[] = [];
    for (let r = 0; r < b.labels.length; r++) {
      let best = 0;
      for (let k = 1; k < K; k++) if (data[r * K + k] > data[r * K + best]) best = k;
      nll -= data[r * K + b.labels[r]];
      gold.push(b.labels[r]);
      pred.push(best);
      rows.push(best);
    }
    if (model.task === 'tag') {
      let r = 0;
      for (const e of part) {
        const n = e.tags?.length ?? 0;
        goldSeqs.push((e.tags ?? []).map((t) => L[t]));
        predSeqs.push(rows.slice(r, r + n).map((t) => L[t]));
        r += n;
      }
    }
  }
  const m = classificationMetrics(gold, pred, L, gold.length ? nll / gold.length : 0);
  if (model.task === 'tag' && isChunkScheme(L)) m.entity = entityScores(goldSeqs, predSeqs);
  return m;
}

/** The number the best epoch is chosen by: entity F1 for chunk tags, else accuracy. */
export function headline(m: EvalMetrics): number {
  return m.entity?.f1 ?? m.accuracy;
}

function fineTuneTask(
  model: TaskModel,
  examples: EncodedExample[],
  batchSize: number,
  rng: Rng,
  encoderTraining: boolean,
): LoopTask<TaskBatch> {
  async function* batches(): AsyncGenerator<TaskBatch> {
    const order = rng.shuffle(examples.map((_, i) => i));
    for (let i = 0; i < order.length; i += batchSize)
      yield makeBatch(order.slice(i, i + batchSize).map((j) => examples[j]));
  }
  return {
    batches: batches(),
    loss(b) {
      const seed = rng.seed();
      return () => {
        const l = model.loss(b, { training: true, encoderTraining, seed });
        return { loss: l.loss, metrics: { correct: l.correct } };
      };
    },
    tokens: (b) => b.tokens,
    stepMetrics: (b, r) => ({
      loss: r.loss,
      correct: r.metrics.correct,
      n: b.labels.length,
      examples: b.B,
      tokens: b.tokens,
    }),
    // examplesPerToken turns the loop's tokens per second into examples per second
    windowMetrics: (s, steps) => ({
      loss: s.loss / steps,
      accuracy: s.n ? s.correct / s.n : 0,
      examplesPerToken: s.tokens ? s.examples / s.tokens : 0,
    }),
  };
}

function checkOutDir(outDir: string, baseDir: string): void {
  if (baseDir && path.resolve(outDir) === path.resolve(baseDir))
    throw new Error(l10n.t('The output folder is the base model; choose another folder with --out.'));
  if (!fs.existsSync(outDir) || fs.readdirSync(outDir).every((f) => f.startsWith('.'))) return;
  const cfg = path.join(outDir, 'config.json');
  const isFinetuned = fs.existsSync(cfg) && fs.readFileSync(cfg, 'utf8').includes(FINETUNED_FORMAT);
  if (!isFinetuned)
    throw new Error(
      l10n.t(
        'The output folder {0} is not empty and holds no fine-tuned model; choose a new or empty folder.',
        outDir,
      ),
    );
}

export async function finetune(o: FinetuneOptions, cb: FinetuneCallbacks = {}): Promise<FinetuneResult> {
  const t0 = Date.now();
  const log = (m: string) => cb.onLog?.(m);
  if (!randomPreset(o.baseDir)) checkOutDir(o.outDir, o.baseDir);
  else checkOutDir(o.outDir, '');
  const base = openTaskBase(o.baseDir, o.fromScratch ?? false, o.seed, o);
  const bertCfg = base.encoder.config;
  const maxPositions = base.encoder.maxLength;
  const maxSeqLength = o.maxSeqLength ?? Math.min(DEFAULT_FINETUNE.maxSeqLength, maxPositions);
  const tok = base.tok;
  const rng = new Rng(o.seed);
  let data: TaskData;
  let model: TaskModel;
  try {
    if (o.maxSeqLength !== undefined && o.maxSeqLength > maxPositions)
      throw new Error(
        l10n.t(
          "--max-seq-length {0} exceeds the base's {1} positions; use at most that.",
          o.maxSeqLength,
          maxPositions,
        ),
      );
    data = loadTaskData({ ...o, maxSeqLength }, tok, rng);
    model = new TaskModel(o.task, base.encoder, data.labels, { seed: o.seed });
  } catch (e) {
    base.encoder.dispose();
    throw e;
  }
  log(l10n.t('Base: {0}.', base.label));
  for (const n of data.notices) log(n);
  // word2vec features are frozen by nature, ELMo is feature-based; a random encoder is saved even when
  // frozen (it exists nowhere else)
  const { freeze, learningRate, notes } = baseDefaults(base, o);
  for (const n of notes) log(n);
  const frozenAll = freeze === 'all';
  const reportMix = mixReporter(model, cb);
  let trainer: Trainer | undefined;
  try {
    const trainable = model.trainable(freeze);
    const trainedParameters = [...trainable.values()].reduce((s, p) => s + p.size, 0);
    log(
      l10n.t(
        '{0} training and {1} dev examples, {2} labels; training {3} of {4} parameters.',
        data.train.length,
        data.dev.length,
        data.labels.length,
        trainedParameters.toLocaleString('en'),
        model.parameterCount.toLocaleString('en'),
      ),
    );
    trainer = new Trainer({ params: trainable }, { weightDecay: 0.01, clipNorm: 1, decays });
    const perEpoch = Math.ceil(data.train.length / o.batchSize);
    const totalSteps = perEpoch * o.epochs;
    const warmup = Math.floor(totalSteps * 0.1);
    const config: FinetunedConfig = {
      format: FINETUNED_FORMAT,
      formatVersion: 1,
      task: o.task,
      labels: data.labels,
      base: base.ref,
      init: base.init,
      freeze,
      encoder: frozenAll && base.init !== 'random' ? 'base' : 'saved',
      bert: bertCfg as FinetunedConfig['bert'],
      baseKind: base.kind,
      ...(base.kind === 'gpt' ? { lmWeight: o.lmWeight ?? 0.5 } : {}),
      tokenizer: base.tokenizer,
      maxSeqLength,
      createdAt: new Date().toISOString(),
      trainedParameters,
      totalParameters: model.parameterCount,
      bestEpoch: 0,
      epochs: 0,
      seconds: 0,
    };
    let best: EvalMetrics | undefined;
    let status: FinetuneResult['status'] = 'done';
    let epochsDone = 0;
    const metricsFile = path.join(o.outDir, 'metrics.jsonl');
    fs.mkdirSync(o.outDir, { recursive: true });
    fs.rmSync(metricsFile, { force: true });
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const plan = { trainer, epoch, epochs: o.epochs, perEpoch, totalSteps, learningRate, warmup, t0 };
      const task = fineTuneTask(model, data.train, o.batchSize, rng, !frozenAll);
      const r = await trainEpoch(task, { ...plan, shouldStop: cb.shouldStop }, ({ progress: p, ...s }) =>
        cb.onProgress?.({
          ...s,
          examplesPerSecond: p.tokensPerSecond * p.metrics.examplesPerToken,
          mix: reportMix(p.step),
        }),
      );
      if (r.status === 'cancelled') status = 'cancelled';
      const dev = await evaluate(model, data.dev, Math.max(o.batchSize, 32));
      if (status === 'done') epochsDone = epoch;
      const elapsed = (Date.now() - t0) / 1000;
      fs.appendFileSync(metricsFile, `${JSON.stringify({ epoch, step: trainer.step, dev })}\n`);
      cb.onProgress?.({
        epoch,
        epochs: o.epochs,
        step: trainer.step,
        totalSteps,
        trainLoss: r.last?.metrics.loss ?? Number.NaN,
        learningRate: r.last?.learningRate ?? 0,
        examplesPerSecond: (data.train.length * epoch) / Math.max(1e-3, elapsed),
        etaSeconds: (elapsed / epoch) * (o.epochs - epoch),
        dev,
        mix: model.mix(),
      });
      if (!best || headline(dev) > headline(best)) {
        best = dev;
        Object.assign(config, { bestEpoch: epoch, dev, epochs: epoch, seconds: elapsed });
        const mix = model.mix();
        if (mix) config.scalarMix = mix;
        saveFinetuned(o.outDir, model, config, base.saveVocab);
      }
      if (status === 'cancelled') break;
    }
    return {
      status,
      epochsDone,
      summary: {
        dir: path.resolve(o.outDir),
        task: o.task,
        labels: data.labels,
        base: config.base.dir,
        freeze,
        trainedParameters,
        totalParameters: model.parameterCount,
        bestEpoch: config.bestEpoch,
        dev: best!,
        seconds: (Date.now() - t0) / 1000,
        baseKind: base.kind,
        scalarMix: config.scalarMix,
      },
    };
  } finally {
    trainer?.dispose();
    model.dispose();
  }
}
