// BERT pretraining (masked LM + next sentence prediction) as a job kind.
import type { PretrainOptions } from '../../shared/configs';
import type { JobProgress } from '../../shared/protocol/training';
import type { JobKind } from './job';

export type BertJobOptions = Partial<PretrainOptions> &
  Pick<PretrainOptions, 'corpus' | 'outDir' | 'preset' | 'steps'>;

/** The fields a BERT job adds to its outcome. */
export interface BertOut {
  step: number; // the last step trained (and saved, unless the job failed)
}

export function bertJob(options: BertJobOptions, corpusLabel: string): JobKind<'pretrainBert', BertOut> {
  let last: { step: number; mlmAccuracy: number } | undefined;
  const model = options.outDir.split(/[\\/]/).pop() ?? options.outDir;
  return {
    kind: 'bert',
    family: `BERT ${options.preset}`,
    title: `Pretraining BERT (${options.preset})`,
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
          { id: 'mlm-loss', name: 'MLM loss', value: x.mlmLoss, format: 'loss', brief: true },
          { id: 'mlm-acc', name: 'MLM accuracy', value: x.mlmAccuracy, format: 'percent' },
          { id: 'nsp-acc', name: 'NSP accuracy', value: x.nspAccuracy, format: 'percent' },
          { id: 'tps', name: 'tokens/s', value: x.tokensPerSecond, format: 'rate', brief: true },
        ],
        extras: p.sample ? { maskingSample: p.sample } : undefined,
      };
    },
    result(r) {
      const acc = last ? `, MLM accuracy ${(last.mlmAccuracy * 100).toFixed(1)}%` : '';
      const message =
        r.status === 'done'
          ? `Model ${model} trained for ${r.step} steps${acc}.`
          : `Training cancelled at step ${r.step}; the checkpoint of that step is kept in ${model}.`;
      return { status: r.status, message, out: { step: r.step } };
    },
    failed: () => ({ step: last?.step ?? 0 }),
    // the controller makes a finished model active (activation.ts)
    async finish() {},
  };
}
