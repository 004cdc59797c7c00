// GPT pretraining (next-token prediction) as a job kind: charts loss, perplexity and the held-out
// perplexity measured at each checkpoint.
import type { GptPretrainOptions } from '../../shared/configs';
import type { JobProgress, Metric } from '../../shared/protocol/training';
import { l10n } from '../l10n';
import type { JobKind } from './job';

export type GptJobOptions = Partial<GptPretrainOptions> &
  Pick<GptPretrainOptions, 'corpus' | 'outDir' | 'preset' | 'steps'>;

/** The fields a GPT job adds to its outcome. */
export interface GptOut {
  step: number; // the last step trained (and saved, unless the job failed)
}

export function gptJob(options: GptJobOptions, corpusLabel: string): JobKind<'pretrainGpt', GptOut> {
  let last: { step: number; perplexity: number; heldOutPerplexity?: number } | undefined;
  const model = options.outDir.split(/[\\/]/).pop() ?? options.outDir;
  return {
    kind: 'gpt',
    family: `GPT ${options.preset}`,
    title: l10n.t('Pretraining GPT ({0})', options.preset),
    outDir: options.outDir,
    corpus: corpusLabel,
    unit: 'step',
    total: options.steps,
    usesBackend: true,
    request: () => ({ type: 'pretrainGpt', options }),
    progress(p): JobProgress | undefined {
      if (p.type !== 'gpt') return undefined;
      const x = p.progress;
      last = x;
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
      return {
        unit: 'step',
        done: x.step,
        total: x.totalSteps,
        position: x.step,
        fraction: x.step / Math.max(1, x.totalSteps),
        etaSeconds: x.etaSeconds,
        metrics,
      };
    },
    result(r) {
      const ppl = last?.heldOutPerplexity ?? last?.perplexity;
      const tail =
        ppl !== undefined
          ? `, ${last?.heldOutPerplexity !== undefined ? 'held-out ' : ''}perplexity ${ppl.toFixed(2)}`
          : '';
      const message =
        r.status === 'done'
          ? l10n.t('Model {0} trained for {1} steps{2}.', model, r.step, tail)
          : l10n.t(
              'Training cancelled at step {0}; the checkpoint of that step is kept in {1}.',
              r.step,
              model,
            );
      return { status: r.status, message, out: { step: r.step } };
    },
    failed: () => ({ step: last?.step ?? 0 }),
    async finish() {},
  };
}
