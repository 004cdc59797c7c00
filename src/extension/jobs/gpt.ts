// GPT pretraining (next-token prediction) as a job kind: charts loss, perplexity and the held-out
// perplexity measured at each checkpoint.
import type { GptPretrainOptions } from '../../shared/configs';
import type { Metric } from '../../shared/protocol/training';
import { l10n } from '../l10n';
import type { JobKind } from './job';
import { type StepOut, stepJob } from './stepJob';

export type GptJobOptions = Partial<GptPretrainOptions> &
  Pick<GptPretrainOptions, 'corpus' | 'outDir' | 'preset' | 'steps'>;

/** The fields a GPT job adds to its outcome. */
export type GptOut = StepOut;

export function gptJob(options: GptJobOptions, corpusLabel: string): JobKind<'pretrainGpt', GptOut> {
  return stepJob({
    kind: 'gpt',
    family: `GPT ${options.preset}`,
    title: l10n.t('Pretraining GPT ({0})', options.preset),
    options,
    corpus: corpusLabel,
    request: () => ({ type: 'pretrainGpt', options }),
    read: (p) => (p.type === 'gpt' ? p.progress : undefined),
    metrics(x) {
      const metrics: Metric[] = [
        { id: 'loss', name: l10n.t('loss'), value: x.loss, format: 'loss', brief: true },
        { id: 'perplexity', name: l10n.t('perplexity'), value: x.perplexity, format: 'loss' },
      ];
      if (x.heldOutPerplexity !== undefined)
        metrics.push({
          id: 'held-out-ppl',
          name: l10n.t('held-out perplexity'),
          value: x.heldOutPerplexity,
          format: 'loss',
        });
      metrics.push({
        id: 'tps',
        name: l10n.t('tokens/s'),
        value: x.tokensPerSecond,
        format: 'rate',
        brief: true,
      });
      return metrics;
    },
    doneMessage(model, step, last) {
      const ppl = last?.heldOutPerplexity ?? last?.perplexity;
      const tail =
        ppl !== undefined
          ? `, ${last?.heldOutPerplexity !== undefined ? 'held-out ' : ''}perplexity ${ppl.toFixed(2)}`
          : '';
      return l10n.t('Model {0} trained for {1} steps{2}.', model, step, tail);
    },
  });
}
