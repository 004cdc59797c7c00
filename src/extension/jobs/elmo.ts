// ELMo pretraining (forward + backward LSTM language models) as a job kind: the training panel charts
// both directions' perplexity.
import type { ElmoPretrainOptions } from '../../shared/configs';
import { l10n } from '../l10n';
import type { JobKind } from './job';
import { type StepOut, stepJob } from './stepJob';

export type ElmoJobOptions = Partial<ElmoPretrainOptions> &
  Pick<ElmoPretrainOptions, 'corpus' | 'outDir' | 'preset' | 'steps'>;

export type ElmoOut = StepOut;

export function elmoJob(options: ElmoJobOptions, corpusLabel: string): JobKind<'pretrainElmo', ElmoOut> {
  return stepJob({
    kind: 'elmo',
    family: `ELMo ${options.preset}`,
    title: l10n.t('Pretraining ELMo ({0})', options.preset),
    options,
    corpus: corpusLabel,
    request: () => ({ type: 'pretrainElmo', options }),
    read: (p) => (p.type === 'elmo' ? p.progress : undefined),
    metrics: (x) => [
      {
        id: 'fwd-ppl',
        name: l10n.t('forward perplexity'),
        value: x.forwardPerplexity,
        format: 'loss',
        brief: true,
      },
      {
        id: 'bwd-ppl',
        name: l10n.t('backward perplexity'),
        value: x.backwardPerplexity,
        format: 'loss',
        brief: true,
      },
      { id: 'loss', name: l10n.t('loss'), value: x.loss, format: 'loss' },
      { id: 'tps', name: l10n.t('tokens/s'), value: x.tokensPerSecond, format: 'rate' },
    ],
    doneMessage(model, step, last) {
      const ppl = last
        ? `, perplexity ${last.forwardPerplexity.toFixed(1)} forward and ${last.backwardPerplexity.toFixed(1)} backward`
        : '';
      return l10n.t('ELMo {0} trained for {1} steps{2}.', model, step, ppl);
    },
  });
}
