// What every pretraining task (BERT, GPT, ELMo) does around its own data, model and loss: find the
// corpus files, fill in default options, restore an optimizer and random state on resume, and run the
// loop with a checkpoint writer (trainer_state.json) and metrics.jsonl kept beside the model.
import type * as tf from '@tensorflow/tfjs-core';
import { l10n } from '../../../shared/l10nCore';
import {
  appendMetrics,
  type CheckpointOf,
  keepMetricsUpTo,
  type TrainerStateOf,
} from '../../checkpoint/modelFolder';
import { resolveCorpus } from '../../data/corpus';
import type { Rng } from '../../random';
import { type LoopProgress, type LoopTask, trainLoop } from '../loop';
import type { ExistingModel } from '../outDir';
import { learningRateAt } from '../schedule';
import type { Trainer } from '../trainer';

/** How a pretraining reports to its caller (the worker, the CLI). */
export interface PretrainCallbacksOf<Progress> {
  onProgress?(p: Progress): void;
  onLog?(message: string): void;
  shouldStop?(): boolean; // asked between steps (cancel, Ctrl-C)
}

export interface PretrainResultOf<Summary, Progress> {
  status: 'done' | 'cancelled';
  step: number; // of the last checkpoint written
  summary: Summary;
  lastProgress?: Progress;
  replaced?: ExistingModel; // the model a fresh training replaced in its folder
}

/** The corpus files to read; says which were not found, and refuses a corpus with none. */
export function corpusFiles(corpus: string[], log: (m: string) => void): string[] {
  const { files, missing } = resolveCorpus(corpus);
  if (files.length === 0) {
    const what = corpus.length ? corpus.join(', ') : '(nothing given)';
    throw new Error(
      l10n.t('No corpus files found at {0}; give text files, a folder or a glob with --corpus.', what),
    );
  }
  if (missing.length) log(l10n.t('Not found, ignored: {0}', missing.join(', ')));
  return files;
}

/** The options with `defaults` filled in for what the caller left undefined. */
export function withDefaultsOf<O>(defaults: object, given: object): O {
  const set = Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined));
  return { ...defaults, ...set } as O;
}

/** Refuses options that must be positive numbers; `names` says each as a person names it. */
export function checkPositive<O>(o: O, names: Iterable<[keyof O, string]>): void {
  for (const [k, name] of names) {
    const x = o[k];
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0)
      throw new Error(l10n.t('{0} must be a positive number, got {1}.', name, x));
  }
}

/** A resumed trainer: the saved Adam moments and step count. */
export function restoreTrainer(
  trainer: Trainer,
  saved: {
    optimizer?: { m: Map<string, tf.Tensor>; v: Map<string, tf.Tensor> };
    state?: { step: number };
  },
): void {
  if (saved.optimizer) {
    for (const [n, t] of saved.optimizer.m) trainer.m.get(n)?.assign(t);
    for (const [n, t] of saved.optimizer.v) trainer.v.get(n)?.assign(t);
  }
  trainer.step = saved.state?.step ?? 0;
}

/**
 * What a resumed run does once its model is back: the random state as saved, metrics.jsonl cut at
 * the checkpoint's step (the steps after it are done again), and a line saying so.
 */
export function continueRun(
  dir: string,
  step: number,
  state: { rngState: number } | undefined,
  rng: Rng,
  log: (m: string) => void,
): void {
  if (state) rng.restore(state.rngState);
  keepMetricsUpTo(dir, step);
  log(l10n.t('Resuming {0} from step {1}.', dir, step));
}

/** The options every pretraining has for its loop. */
export interface LoopSettings {
  steps: number;
  learningRate: number;
  warmupSteps: number;
  logEvery: number;
  checkpointEvery: number;
  preset: string;
}

export interface PretrainRun<Batch, Progress extends object> {
  dir: string;
  task: LoopTask<Batch>;
  o: LoopSettings;
  preset: string | undefined; // the model's own (a resumed model keeps it), else o.preset
  model: { params: Map<string, tf.Variable> };
  trainer: Trainer;
  rng: Rng;
  /** Writes checkpoint/ (the family's save, which adds its header checksums). */
  save(names: string[], c: CheckpointOf<TrainerStateOf<Progress>>): void;
  /** The loop's report in the family's progress shape (metrics.jsonl, the panel, the CLI). */
  progress(p: LoopProgress): Progress;
  onProgress?(p: Progress): void;
  shouldStop?(): boolean;
  /** Before each checkpoint: the last progress to store with it (e.g. with a held-out score added). */
  beforeSave?(last: Progress | undefined): Progress | undefined;
  afterSave?(): void;
}

export interface PretrainRunResult<Progress> {
  status: 'done' | 'cancelled';
  lastGood?: TrainerStateOf<Progress>; // the state of the last checkpoint written
  lastProgress?: Progress;
}

/** Runs the loop to o.steps (or on from a resumed step), with checkpoints and metrics.jsonl. */
export async function runPretraining<Batch, Progress extends object>(
  r: PretrainRun<Batch, Progress>,
): Promise<PretrainRunResult<Progress>> {
  const { o, trainer, model } = r;
  const names = [...model.params.keys()];
  const totalSteps = Math.max(o.steps, trainer.step);
  let lastGood: TrainerStateOf<Progress> | undefined;
  let lastProgress: Progress | undefined;
  const save = (finished: boolean) => {
    if (r.beforeSave) lastProgress = r.beforeSave(lastProgress);
    const state: TrainerStateOf<Progress> = {
      step: trainer.step,
      totalSteps,
      rngState: r.rng.snapshot,
      options: { ...o, preset: r.preset ?? o.preset }, // a resumed model keeps its own preset
      lastMetrics: lastProgress,
      finished,
      savedAt: new Date().toISOString(),
    };
    r.save(names, { weights: model.params, m: trainer.m, v: trainer.v, state });
    lastGood = state;
    r.afterSave?.();
  };
  const res = await trainLoop(r.task, {
    optimizer: trainer,
    totalSteps,
    learningRate: (step) => learningRateAt(step, o.learningRate, o.warmupSteps, totalSteps),
    reportEvery: o.logEvery,
    checkpointEvery: o.checkpointEvery,
    checkpoint: save,
    shouldStop: r.shouldStop,
    onProgress: (p) => {
      lastProgress = r.progress(p);
      appendMetrics(r.dir, lastProgress);
      r.onProgress?.(lastProgress);
    },
  });
  return { status: res.status, lastGood, lastProgress };
}
