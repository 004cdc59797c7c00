// The shape shared by the epoch-based fine-tuning kinds (classify/tag, seq2seq): a report read as epochs,
// x as epochs as a fraction, and the train loss once the first batch has given one.
import type { JobProgress, Metric } from '../../shared/protocol/training';
import { l10n } from '../l10n';

/** The train-loss metric, when the report has a finite one. */
export function trainLossMetrics(trainLoss: number): Metric[] {
  return Number.isFinite(trainLoss)
    ? [{ id: 'train-loss', name: l10n.t('train loss'), value: trainLoss, format: 'loss', brief: true }]
    : [];
}

/** A report of an epoch-based run as the panel charts it, with the kind's metrics. */
export function epochProgress(
  x: { step: number; totalSteps: number; epoch: number; epochs: number; etaSeconds?: number },
  metrics: Metric[],
): JobProgress {
  const fraction = x.step / Math.max(1, x.totalSteps);
  return {
    unit: 'epoch',
    done: x.epoch,
    total: x.epochs,
    position: fraction * x.epochs,
    fraction,
    etaSeconds: x.etaSeconds,
    metrics,
  };
}
