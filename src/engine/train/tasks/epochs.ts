// One epoch of a fine-tuning (classification, tagging, pairs, seq2seq): the loop over the epoch's
// batches on the run's warm-up-then-decay schedule, progress about five times an epoch, and no
// checkpoint inside the epoch (the caller saves the best epoch after its dev evaluation).
import { type LoopProgress, type LoopResult, type LoopTask, trainLoop } from '../loop';
import { learningRateAt } from '../schedule';
import type { Trainer } from '../trainer';

export interface EpochPlan {
  trainer: Trainer;
  epoch: number; // 1-based
  epochs: number;
  perEpoch: number; // optimizer steps an epoch
  totalSteps: number; // of the whole run
  learningRate: number; // peak
  warmup: number; // steps
  t0: number; // when the run started (Date.now()), for the time left
  shouldStop?: () => boolean;
}

/** What both fine-tunings report at a step; `progress` for what only one of them shows. */
export interface EpochStep {
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number;
  trainLoss: number;
  learningRate: number;
  etaSeconds: number;
  progress: LoopProgress;
}

export function trainEpoch<B>(
  task: LoopTask<B>,
  e: EpochPlan,
  onStep?: (s: EpochStep) => void,
): Promise<LoopResult> {
  return trainLoop(task, {
    optimizer: e.trainer,
    totalSteps: e.epoch * e.perEpoch,
    learningRate: (s) => learningRateAt(s, e.learningRate, e.warmup, e.totalSteps),
    reportEvery: Math.max(1, Math.floor(e.perEpoch / 5)),
    checkpointEvery: Number.MAX_SAFE_INTEGER,
    checkpoint: () => undefined, // the best epoch is saved by the caller, after its dev evaluation
    shouldStop: e.shouldStop,
    onProgress: (p) =>
      onStep?.({
        epoch: e.epoch,
        epochs: e.epochs,
        step: p.step,
        totalSteps: e.totalSteps,
        trainLoss: p.metrics.loss,
        learningRate: p.learningRate,
        etaSeconds: ((Date.now() - e.t0) / 1000 / Math.max(1, p.step)) * (e.totalSteps - p.step),
        progress: p,
      }),
  });
}
