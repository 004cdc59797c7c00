// Fine-tuning as a job kind: progress by epoch (x is epochs as a fraction), the train loss as it
// goes and the dev metrics once per epoch; the controller makes the new model active for its task. The
// Fine-tune panel (`runs`, when given) shows the run's epochs, confusion matrix and per-label scores as
// each epoch ends, and the saved folder's once the run is over.
import * as path from 'node:path';
import type { FinetuneProgress, FinetuneRequestOptions } from '../../shared/finetune';
import { TASK_LABELS } from '../../shared/finetune';
import type { RunView } from '../../shared/protocol/finetune';
import type { JobProgress } from '../../shared/protocol/training';
import { LiveRun, readRun } from '../finetuneRuns';
import { l10n } from '../l10n';
import { epochProgress, trainLossMetrics } from './epochProgress';
import type { JobKind } from './job';

/** The fields a fine-tune job adds to its outcome. */
export interface FinetuneOut {
  epochsDone: number;
  devAccuracy?: number; // of the best epoch
}

/** A fine-tune report as the panel charts it: dev metrics only on the report that ends an epoch. */
export function finetuneProgress(x: FinetuneProgress): JobProgress {
  const metrics = trainLossMetrics(x.trainLoss);
  metrics.push({
    id: 'eps',
    name: l10n.t('examples/s'),
    value: x.examplesPerSecond,
    format: 'rate',
    brief: true,
  });
  // an ELMo base: the scalar mix as it trains (softmax weight per layer, and γ)
  x.mix?.weights.forEach((w, j) => {
    metrics.push({ id: `mix-${j}`, name: l10n.t('mix weight of layer {0}', j), value: w, format: 'percent' });
  });
  if (x.mix) metrics.push({ id: 'mix-gamma', name: l10n.t('mix γ'), value: x.mix.gamma, format: 'loss' });
  const d = x.dev;
  if (d) {
    metrics.push(
      { id: 'dev-loss', name: l10n.t('dev loss'), value: d.loss, format: 'loss' },
      { id: 'dev-acc', name: l10n.t('dev accuracy'), value: d.accuracy, format: 'percent', brief: true },
      { id: 'dev-macro-f1', name: l10n.t('dev macro-F1'), value: d.macroF1, format: 'percent' },
    );
    if (d.entity)
      metrics.push({
        id: 'dev-entity-f1',
        name: l10n.t('dev entity F1'),
        value: d.entity.f1,
        format: 'percent',
      });
  }
  return epochProgress(x, metrics);
}

export function finetuneJob(
  options: FinetuneRequestOptions,
  trainLabel: string,
  runs?: { showRuns(runs: RunView[]): void },
): JobKind<'finetune', FinetuneOut> {
  let epochsDone = 0;
  const model = path.basename(options.outDir);
  const live = new LiveRun(
    options.outDir,
    TASK_LABELS[options.task],
    path.basename(options.baseDir),
    options.freeze,
  );
  const how =
    options.freeze === 'all'
      ? 'frozen'
      : options.freeze && options.freeze !== 'none'
        ? `lowest ${options.freeze} frozen`
        : 'fine-tuned';
  return {
    kind: 'finetune',
    family: `${TASK_LABELS[options.task]} (${how})`,
    title: l10n.t('Fine-tuning {0} for {1}', path.basename(options.baseDir), TASK_LABELS[options.task]),
    outDir: options.outDir,
    corpus: trainLabel,
    unit: 'epoch',
    total: options.epochs ?? 3,
    usesBackend: true,
    request: () => ({ type: 'finetune', options }),
    progress(p) {
      if (p.type !== 'finetune') return undefined;
      if (p.progress.dev) epochsDone = p.progress.epoch;
      return finetuneProgress(p.progress);
    },
    onProgress(p) {
      if (p.type === 'finetune' && live.add(p.progress)) runs?.showRuns([live.view()]);
    },
    note(p) {
      if (p.type !== 'finetune' || !p.progress.dev) return undefined;
      const d = p.progress.dev;
      return `epoch ${p.progress.epoch}: dev accuracy ${(d.accuracy * 100).toFixed(1)}%, macro-F1 ${(d.macroF1 * 100).toFixed(1)}%${d.entity ? `, entity F1 ${(d.entity.f1 * 100).toFixed(1)}%` : ''}`;
    },
    result(r) {
      const s = r.summary;
      const message =
        r.status === 'done'
          ? l10n.t(
              'Model {0} fine-tuned: best dev accuracy {1}% at epoch {2}, {3} parameters trained in {4} s.',
              model,
              (s.dev.accuracy * 100).toFixed(1),
              s.bestEpoch,
              s.trainedParameters.toLocaleString('en'),
              Math.round(s.seconds),
            )
          : l10n.t('Fine-tuning cancelled; the best epoch so far ({0}) is kept in {1}.', s.bestEpoch, model);
      return { status: r.status, message, out: { epochsDone: r.epochsDone, devAccuracy: s.dev.accuracy } };
    },
    failed: () => ({ epochsDone }),
    // the controller makes a finished model active (activation.ts)
    async finish() {
      const saved = readRun(options.outDir);
      if (runs && !('problem' in saved)) runs.showRuns([saved]);
    },
  };
}
