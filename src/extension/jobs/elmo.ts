// ELMo pretraining (forward + backward LSTM language models) as a job kind: the training panel charts
// both directions' perplexity.
import type { ElmoPretrainOptions } from '../../shared/configs';
import type { JobProgress } from '../../shared/protocol/training';
import { l10n } from '../l10n';
import type { JobKind } from './job';

export type ElmoJobOptions = Partial<ElmoPretrainOptions> &
  Pick<ElmoPretrainOptions, 'corpus' | 'outDir' | 'preset' | 'steps'>;

export interface ElmoOut {
  step: number; // the last step trained (and saved, unless the job failed)
}

export function elmoJob(options: ElmoJobOptions, corpusLabel: string): JobKind<'pretrainElmo', ElmoOut> {
  let last: { step: number; forwardPerplexity: number; backwardPerplexity: number } | undefined;
  const model = options.outDir.split(/[\\/]/).pop() ?? options.outDir;
  return {
    kind: 'elmo',
    family: `ELMo ${options.preset}`,
    title: l10n.t('Pretraining ELMo ({0})', options.preset),
    outDir: options.outDir,
    corpus: corpusLabel,
    unit: 'step',
    total: options.steps,
    usesBackend: true,
    request: () => ({ type: 'pretrainElmo', options }),
    progress(p): JobProgress | undefined {
      if (p.type !== 'elmo') return undefined;
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
      };
    },
    result(r) {
      const ppl = last
        ? `, perplexity ${last.forwardPerplexity.toFixed(1)} forward and ${last.backwardPerplexity.toFixed(1)} backward`
        : '';
      const message =
        r.status === 'done'
          ? l10n.t('ELMo {0} trained for {1} steps{2}.', model, r.step, ppl)
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
