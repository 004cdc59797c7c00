// The training loop, for every model: it knows batches, a loss, the optimizer and a schedule, and
// reports through callbacks; what a batch holds, what the loss computes, which metrics are kept and how
// a checkpoint is written belong to the task (tasks/pretrainBert.ts and those to come).

import { l10n } from '../../shared/l10nCore';
import { type LossFn, NonFiniteLossError, type StepResult, type Trainer } from './trainer';

export interface LoopProgress {
  step: number; // optimizer steps done
  totalSteps: number; // the step budget
  metrics: Record<string, number>; // over the steps since the last report, as the task summarises them
  learningRate: number; // at the last step
  tokensPerSecond: number; // since the last report
  etaSeconds: number;
  elapsedSeconds: number; // since this run (not the whole training) started
}

export interface LoopTask<Batch> {
  /** The training data; the loop takes one batch per step and closes the iterator when it ends. */
  batches: AsyncIterator<Batch>;
  /**
   * The loss of one batch, as a function the optimizer differentiates. Called once per step right after
   * the batch arrives, so the task may draw that step's random numbers (e.g. a dropout seed) here.
   */
  loss(batch: Batch): LossFn;
  /**
   * One whole step of a task that computes its own gradients (the hand-written BERT step, fastBert.ts)
   * and applies them with the optimizer; when given, the loop calls it instead of loss() and trainStep.
   */
  step?(batch: Batch, learningRate: number): StepResult;
  /** Tokens in a batch, for tokens per second. */
  tokens(batch: Batch): number;
  /** Numbers to add up over a reporting window; the optimizer's metrics and the loss unless given. */
  stepMetrics?(batch: Batch, r: StepResult): Record<string, number>;
  /** The window's sums as the metrics to report; the mean per step unless given. */
  windowMetrics?(sums: Record<string, number>, steps: number): Record<string, number>;
}

export interface LoopOptions {
  optimizer: Trainer; // AdamW with global-norm clipping (its clipNorm); its step counts what is done
  totalSteps: number; // stop when the optimizer has taken this many steps
  learningRate: (step: number) => number; // a pure schedule of the 0-based step (schedule.ts)
  reportEvery: number; // report every N steps, and at the last
  checkpointEvery: number; // save every N steps, and always when the loop ends
  checkpoint(finished: boolean): void | Promise<void>; // finished: the budget was reached
  onProgress?(p: LoopProgress): void;
  shouldStop?(): boolean; // asked between steps (cancel, Ctrl-C)
}

export interface LoopResult {
  status: 'done' | 'cancelled';
  step: number; // optimizer steps done
  savedStep?: number; // the step of the last checkpoint written
  last?: LoopProgress;
}

const mean = (sums: Record<string, number>, steps: number): Record<string, number> =>
  Object.fromEntries(Object.entries(sums).map(([k, v]) => [k, v / steps]));

/**
 * Runs steps until the budget is reached, the data ends or shouldStop says so, then writes a last
 * checkpoint. A loss or gradient that is not finite stops training with one sentence naming the step
 * and the checkpoint kept; the weights of the failed step are not changed.
 */
export async function trainLoop<Batch>(task: LoopTask<Batch>, o: LoopOptions): Promise<LoopResult> {
  const opt = o.optimizer;
  const t0 = Date.now();
  let windowStart = t0;
  let windowTokens = 0;
  let windowSteps = 0;
  let sums: Record<string, number> = {};
  let status: LoopResult['status'] = 'done';
  let savedStep: number | undefined;
  let last: LoopProgress | undefined;
  const save = async (finished: boolean) => {
    await o.checkpoint(finished);
    savedStep = opt.step;
  };
  try {
    while (opt.step < o.totalSteps) {
      // a macrotask between steps, so that a worker sees the cancel message that arrived meanwhile
      await new Promise((r) => setImmediate(r));
      if (o.shouldStop?.()) {
        status = 'cancelled';
        break;
      }
      const next = await task.batches.next();
      if (next.done) break;
      const batch = next.value;
      const lr = o.learningRate(opt.step);
      const r = task.step ? task.step(batch, lr) : await opt.trainStep(task.loss(batch), lr);
      const add = task.stepMetrics?.(batch, r) ?? { loss: r.loss, ...r.metrics };
      for (const [k, v] of Object.entries(add)) sums[k] = (sums[k] ?? 0) + v;
      windowSteps++;
      windowTokens += task.tokens(batch);
      if (opt.step % o.reportEvery === 0 || opt.step === o.totalSteps) {
        const now = Date.now();
        const perStep = (now - windowStart) / 1000 / windowSteps;
        last = {
          step: opt.step,
          totalSteps: o.totalSteps,
          metrics: (task.windowMetrics ?? mean)(sums, windowSteps),
          learningRate: lr,
          tokensPerSecond: (windowTokens * 1000) / Math.max(1, now - windowStart),
          etaSeconds: perStep * (o.totalSteps - opt.step),
          elapsedSeconds: (now - t0) / 1000,
        };
        o.onProgress?.(last);
        sums = {};
        windowSteps = 0;
        windowStart = now;
        windowTokens = 0;
      }
      if (opt.step % o.checkpointEvery === 0 && opt.step < o.totalSteps) await save(false);
    }
    await save(opt.step >= o.totalSteps); // finished only when the budget was reached, not when data ran out
  } catch (e) {
    if (e instanceof NonFiniteLossError) {
      const kept =
        savedStep !== undefined
          ? l10n.t('the checkpoint of step {0} is kept', savedStep)
          : l10n.t('no checkpoint had been written yet');
      throw new Error(
        l10n.t('Training stopped: {0}; {1}. Lower the learning rate and resume.', e.message, kept),
      );
    }
    throw e;
  } finally {
    await task.batches.return?.(undefined);
  }
  return { status, step: opt.step, savedStep, last };
}
