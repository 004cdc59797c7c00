// The shape shared by the step-based pretraining kinds (BERT, GPT, ELMo): a step budget, progress read
// as steps with the kind's own metrics, and the same sentence when a run is cancelled.
import type { EngineResponses } from '../../shared/engineProtocol';
import type { JobProgress, Metric } from '../../shared/protocol/training';
import { l10n } from '../l10n';
import type { EngineTrainProgress, JobKind, TrainingRequest, TrainingRequestType } from './job';

/** The training requests that answer with the last step trained. */
export type StepRequestType = {
  [T in TrainingRequestType]: EngineResponses[T] extends { step: number } ? T : never;
}[TrainingRequestType];

/** The fields a step-based job adds to its outcome. */
export interface StepOut {
  step: number; // the last step trained (and saved, unless the job failed)
}

/** What a kind's progress report carries, at the least. */
interface StepProgress {
  step: number;
  totalSteps: number;
  etaSeconds?: number;
}

export interface StepJobSpec<T extends StepRequestType, X extends StepProgress> {
  kind: string;
  family: string;
  title: string;
  options: { outDir: string; steps: number };
  corpus: string;
  request(): TrainingRequest<T>;
  /** This kind's progress in an engine report; undefined for a report of another kind. */
  read(p: EngineTrainProgress): X | undefined;
  metrics(x: X): Metric[];
  extras?(p: EngineTrainProgress): JobProgress['extras'];
  note?(p: EngineTrainProgress): string | undefined;
  /** The sentence for a finished run: the model's folder name, the step reached, the last progress. */
  doneMessage(model: string, step: number, last: X | undefined): string;
}

export function stepJob<T extends StepRequestType, X extends StepProgress>(
  spec: StepJobSpec<T, X>,
): JobKind<T, StepOut> {
  let last: X | undefined;
  const { outDir, steps } = spec.options;
  const model = outDir.split(/[\\/]/).pop() ?? outDir;
  return {
    kind: spec.kind,
    family: spec.family,
    title: spec.title,
    outDir,
    corpus: spec.corpus,
    unit: 'step',
    total: steps,
    usesBackend: true,
    request: spec.request,
    progress(p): JobProgress | undefined {
      const x = spec.read(p);
      if (!x) return undefined;
      last = x;
      return {
        unit: 'step',
        done: x.step,
        total: x.totalSteps,
        position: x.step,
        fraction: x.step / Math.max(1, x.totalSteps),
        etaSeconds: x.etaSeconds,
        metrics: spec.metrics(x),
        ...(spec.extras ? { extras: spec.extras(p) } : {}),
      };
    },
    ...(spec.note ? { note: spec.note } : {}),
    result(r) {
      const { status, step } = r as EngineResponses[StepRequestType];
      const message =
        status === 'done'
          ? spec.doneMessage(model, step, last)
          : l10n.t(
              'Training cancelled at step {0}; the checkpoint of that step is kept in {1}.',
              step,
              model,
            );
      return { status, message, out: { step } };
    },
    failed: () => ({ step: last?.step ?? 0 }),
    // the controller makes a finished model active (activation.ts)
    async finish() {},
  };
}
