// BERT pretraining (masked LM + next sentence prediction) as a job kind.
import type { PretrainOptions, TrainProgress } from '../../shared/configs';
import { l10n } from '../l10n';
import type { JobKind } from './job';
import { type StepOut, stepJob } from './stepJob';

export type BertJobOptions = Partial<PretrainOptions> &
  Pick<PretrainOptions, 'corpus' | 'outDir' | 'preset' | 'steps'>;

/** The fields a BERT job adds to its outcome. */
export type BertOut = StepOut;

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
  let saidNotLearnt = false;
  return stepJob({
    kind: 'bert',
    family: `BERT ${options.preset}`,
    title: l10n.t('Pretraining BERT ({0})', options.preset),
    options,
    corpus: corpusLabel,
    request: () => ({ type: 'pretrainBert', options }),
    read: (p) => (p.type === 'train' ? p.progress : undefined),
    metrics: (x) => [
      { id: 'mlm-loss', name: l10n.t('MLM loss'), value: x.mlmLoss, format: 'loss', brief: true },
      { id: 'mlm-acc', name: l10n.t('MLM accuracy'), value: x.mlmAccuracy, format: 'percent' },
      { id: 'nsp-acc', name: l10n.t('NSP accuracy'), value: x.nspAccuracy, format: 'percent' },
      { id: 'tps', name: l10n.t('tokens/s'), value: x.tokensPerSecond, format: 'rate', brief: true },
    ],
    extras: (p) => (p.type === 'train' && p.sample ? { maskingSample: p.sample } : undefined),
    note(p) {
      if (p.type !== 'train') return undefined;
      const note = notLearntNote(p.progress, saidNotLearnt);
      if (note) saidNotLearnt = true;
      return note;
    },
    doneMessage(model, step, last) {
      const acc = last ? l10n.t(', MLM accuracy {0}%', (last.mlmAccuracy * 100).toFixed(1)) : '';
      return l10n.t('Model {0} trained for {1} steps{2}.', model, step, acc);
    },
  });
}
