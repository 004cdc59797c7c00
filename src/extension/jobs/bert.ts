// BERT pretraining (masked LM + next sentence prediction) as a job kind.
import type { PretrainOptions, TrainProgress } from '../../shared/configs';
import type { JobProgress } from '../../shared/protocol/training';
import { l10n } from '../l10n';
import type { JobKind } from './job';

export type BertJobOptions = Partial<PretrainOptions> &
  Pick<PretrainOptions, 'corpus' | 'outDir' | 'preset' | 'steps'>;

/** The fields a BERT job adds to its outcome. */
export interface BertOut {
  step: number; // the last step trained (and saved, unless the job failed)
}

/**
 * A sentence for the log when the MLM loss is still within 10% of the unigram entropy (the loss of a
 * guess by token frequency alone): once past a fifth of the budget, and again at the last step.
 */
export function notLearntNote(x: TrainProgress, alreadySaid: boolean): string | undefined {
  const h = x.unigramEntropy;
  if (h === undefined || !(x.mlmLoss > 0.9 * h)) return undefined;
  const last = x.step >= x.totalSteps;
  if (last ? false : alreadySaid || x.step < Math.max(20, 0.2 * x.totalSteps)) return undefined;
  const when = last ? `After all ${x.step} steps` : `At step ${x.step} of ${x.totalSteps}`;
  return `${when} the MLM loss ${x.mlmLoss.toFixed(2)} is still within 10% of ${h.toFixed(2)}, the loss of guessing by word frequency alone: the model has probably not learnt from context yet${last ? '; train it for more steps (it resumes) before trusting its predictions' : ''}.`;
}

export function bertJob(options: BertJobOptions, corpusLabel: string): JobKind<'pretrainBert', BertOut> {
  let last: { step: number; mlmAccuracy: number } | undefined;
  let saidNotLearnt = false;
  const model = options.outDir.split(/[\\/]/).pop() ?? options.outDir;
  return {
    kind: 'bert',
    family: `BERT ${options.preset}`,
    title: l10n.t('Pretraining BERT ({0})', options.preset),
    outDir: options.outDir,
    corpus: corpusLabel,
    unit: 'step',
    total: options.steps,
    usesBackend: true,
    request: () => ({ type: 'pretrainBert', options }),
    progress(p): JobProgress | undefined {
      if (p.type !== 'train') return undefined;
      const x = p.progress;
      last = x;
      return {
        unit: 'step',
        done: x.step,
        total: x.totalSteps,
        position: x.step,
        fraction: x.step / Math.max(1, x.totalSteps),
        etaSeconds: x.etaSeconds,
        metrics: [
          { id: 'mlm-loss', name: l10n.t('MLM loss'), value: x.mlmLoss, format: 'loss', brief: true },
          { id: 'mlm-acc', name: l10n.t('MLM accuracy'), value: x.mlmAccuracy, format: 'percent' },
          { id: 'nsp-acc', name: l10n.t('NSP accuracy'), value: x.nspAccuracy, format: 'percent' },
          { id: 'tps', name: l10n.t('tokens/s'), value: x.tokensPerSecond, format: 'rate', brief: true },
        ],
        extras: p.sample ? { maskingSample: p.sample } : undefined,
      };
    },
    note(p) {
      if (p.type !== 'train') return undefined;
      const note = notLearntNote(p.progress, saidNotLearnt);
      if (note) saidNotLearnt = true;
      return note;
    },
    result(r) {
      const acc = last ? l10n.t(', MLM accuracy {0}%', (last.mlmAccuracy * 100).toFixed(1)) : '';
      const message =
        r.status === 'done'
          ? l10n.t('Model {0} trained for {1} steps{2}.', model, r.step, acc)
          : l10n.t(
              'Training cancelled at step {0}; the checkpoint of that step is kept in {1}.',
              r.step,
              model,
            );
      return { status: r.status, message, out: { step: r.step } };
    },
    failed: () => ({ step: last?.step ?? 0 }),
    // the controller makes a finished model active (activation.ts)
    async finish() {},
  };
}
