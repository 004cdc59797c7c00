// What a kind of training job tells the job controller. A kind is one small object per run: the engine
// request to send, how its engine progress reads as a generic JobProgress, and what to do once the
// outcome is known. BERT and word2vec are two kinds (bert.ts, word2vec.ts); GPT, ELMo and fine-tuning
// arrive as new files beside them, with no change to the controller, the status bar or the panel.
import type { EngineProgress, EngineRequest, EngineResponses } from '../../shared/engineProtocol';
import type { JobProgress, JobUnit } from '../../shared/protocol/training';

/** The engine requests that run a training: each answers `{ status: 'done' | 'cancelled', … }`. */
export type TrainingRequestType = {
  [T in EngineRequest['type']]: EngineResponses[T] extends { status: 'done' | 'cancelled' } ? T : never;
}[EngineRequest['type']];

export type TrainingRequest<T extends TrainingRequestType> = Extract<EngineRequest, { type: T }>;

/** The engine's own progress messages (everything but log lines). */
export type EngineTrainProgress = Exclude<EngineProgress, { type: 'log' }>;

export type JobStatusEnd = 'done' | 'cancelled' | 'failed';

/** What every job's command returns; `Out` adds the fields of its kind (BERT's step, word2vec's epochs). */
export type JobOutcome<Out extends object = object> = {
  status: JobStatusEnd;
  message: string; // the sentence the user is shown
  modelDir: string;
  progressEvents: number; // engine progress reports received
  eventLoopDelayP99Ms: number; // the extension host's event-loop delay while the job ran
  activeFor?: string[]; // what the new model became active for (a finished run only), as named to the user
} & Out;

/** How a run ended, as its kind reads the engine's answer. */
export interface JobResult<Out extends object> {
  status: 'done' | 'cancelled';
  message: string;
  out: Out;
}

export interface JobKind<T extends TrainingRequestType, Out extends object> {
  readonly kind: string; // 'bert', 'word2vec', …
  readonly family: string; // as a person reads it: 'BERT tiny', 'word2vec skip-gram'
  readonly title: string; // the notification's title: 'Pretraining BERT (tiny)'
  readonly outDir: string;
  readonly corpus: string; // the corpus as the picker labelled it
  readonly unit: JobUnit;
  readonly total: number; // steps or epochs
  readonly usesBackend: boolean; // runs on the TensorFlow.js backend, which the panel names
  request(): TrainingRequest<T>;
  /** The engine's progress as a JobProgress; undefined for progress of another kind. */
  progress(p: EngineTrainProgress): JobProgress | undefined;
  /** A line worth keeping in the log for this report (e.g. an epoch's mean loss), if any. */
  note?(p: EngineTrainProgress): string | undefined;
  /** The engine answered: the run finished or was cancelled. */
  result(r: EngineResponses[T]): JobResult<Out>;
  /** The engine failed (its sentence is the message): the kind's fields for that case. */
  failed(): Out;
  /** Side effects once the job has started (the controller has accepted it). */
  onStart?(): void;
  /** Side effects as progress arrives, beyond the panel and status bar (e.g. the Embedding Explorer). */
  onProgress?(p: EngineTrainProgress): void;
  /** Once the outcome is known, the model list refreshed and the model made active (controller): open it, … */
  finish(outcome: JobOutcome<Out>): Promise<void>;
}
