// Messages between the extension host and the training panel, as valibot schemas with the types
// inferred from them. The panel knows no model family: a job reports its position (step or epoch of a
// total), a list of named metrics, and optional extras such as BERT's masking sample; the panel draws
// one chart per metric. Every message from the webview is validated with `isFromTrainingPanel`.
import * as v from 'valibot';
import type { MaskingSample } from '../configs';
import type { Same } from './same';

/** How a metric's value reads: a loss to 3 decimals, a share in [0, 1] as a percentage, a rate per second. */
export const MetricFormatSchema = v.picklist(['loss', 'percent', 'rate']);
export type MetricFormat = v.InferOutput<typeof MetricFormatSchema>;

export const MetricSchema = v.object({
  id: v.pipe(v.string(), v.regex(/^[a-z0-9-]{1,40}$/)), // stable key; the panel's stat is #stat-<id>
  name: v.string(), // shown as the chart's caption, e.g. 'MLM loss', 'words/s'
  value: v.number(),
  format: MetricFormatSchema,
  brief: v.optional(v.boolean()), // also shown in the notification and the status bar
});
export type Metric = v.InferOutput<typeof MetricSchema>;

export const MaskingSampleSchema = v.object({
  tokens: v.array(v.string()), // input tokens after masking
  original: v.array(v.string()), // the tokens before masking
  chosen: v.array(v.object({ index: v.number(), treatment: v.picklist(['mask', 'random', 'keep']) })),
  isRandomNext: v.boolean(),
});

// the schema describes the engine's MaskingSample in configs/: kept in step by the compiler
const sampleMatches: Same<v.InferOutput<typeof MaskingSampleSchema>, MaskingSample> = true;
void sampleMatches;

/** What a job shows beside its charts; one optional field per kind of view. */
export const JobExtrasSchema = v.object({
  maskingSample: v.optional(MaskingSampleSchema), // BERT: how the 80/10/10 rule treated one instance
});
export type JobExtras = v.InferOutput<typeof JobExtrasSchema>;

export const JobUnitSchema = v.picklist(['step', 'epoch']);
export type JobUnit = v.InferOutput<typeof JobUnitSchema>;

/** One progress report of any training job. */
export const JobProgressSchema = v.object({
  unit: JobUnitSchema,
  done: v.number(), // steps done, or the 1-based epoch in progress
  total: v.number(), // steps or epochs in the whole job
  position: v.number(), // x on the charts: the step, or epochs as a fraction (1.5 = half of epoch 2)
  fraction: v.number(), // share of the whole job done, 0–1, for progress bars
  etaSeconds: v.optional(v.number()),
  metrics: v.array(MetricSchema),
  extras: v.optional(JobExtrasSchema),
});
export type JobProgress = v.InferOutput<typeof JobProgressSchema>;

export const JobStatusSchema = v.picklist(['running', 'done', 'cancelled', 'failed']);
export type JobStatus = v.InferOutput<typeof JobStatusSchema>;

/** The run as the panel heads it. */
export const TrainingRunInfoSchema = v.object({
  kind: v.string(), // job kind id: 'bert', 'word2vec', …
  family: v.string(), // e.g. 'BERT tiny', 'word2vec skip-gram'
  model: v.string(), // the output folder's name
  corpus: v.string(),
  unit: JobUnitSchema,
  total: v.number(),
  backend: v.optional(v.string()), // the TensorFlow.js backend, for jobs that use it
});
export type TrainingRunInfo = v.InferOutput<typeof TrainingRunInfoSchema>;

export const ToTrainingPanelSchema = v.variant('type', [
  v.object({ type: v.literal('start'), run: TrainingRunInfoSchema }),
  v.object({ type: v.literal('progress'), progress: JobProgressSchema }),
  v.object({ type: v.literal('log'), message: v.string() }),
  v.object({
    type: v.literal('finished'),
    status: v.picklist(['done', 'cancelled', 'failed']),
    message: v.string(),
  }),
  // the whole state, replayed when the webview (re)loads; points carry no extras, `extras` is the latest
  v.object({
    type: v.literal('history'),
    run: v.optional(TrainingRunInfoSchema),
    points: v.array(JobProgressSchema),
    extras: v.optional(JobExtrasSchema),
    status: v.optional(JobStatusSchema),
    message: v.optional(v.string()),
  }),
]);
export type ToTrainingPanel = v.InferOutput<typeof ToTrainingPanelSchema>;

export const FromTrainingPanelSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('cancel') }),
]);
export type FromTrainingPanel = v.InferOutput<typeof FromTrainingPanelSchema>;

export function isFromTrainingPanel(x: unknown): x is FromTrainingPanel {
  return v.is(FromTrainingPanelSchema, x);
}

/** A metric's value as text, the same in the panel, the notification and the status bar. */
export function formatMetric(m: Pick<Metric, 'value' | 'format'>): string {
  if (!Number.isFinite(m.value)) return String(m.value);
  switch (m.format) {
    case 'loss':
      return m.value.toFixed(3);
    case 'percent':
      return `${(m.value * 100).toFixed(1)}%`;
    case 'rate':
      return Math.round(m.value).toLocaleString('en');
  }
}

/** 'step 12/400' or 'epoch 2/5'. */
export function formatPosition(p: Pick<JobProgress, 'unit' | 'done' | 'total'>): string {
  return `${p.unit} ${p.done}/${p.total}`;
}

/** The brief metrics of a report, e.g. 'MLM loss 3.214 · 2,000 tokens/s'. */
export function briefMetrics(p: JobProgress): string {
  return p.metrics
    .filter((m) => m.brief)
    .map((m) => (m.format === 'rate' ? `${formatMetric(m)} ${m.name}` : `${m.name} ${formatMetric(m)}`))
    .join(' · ');
}

/** One line for a report, the same in the notification and the Embedding Explorer: 'epoch 2/5 · loss 1.234 · 90,000 words/s'. */
export function progressLine(p: JobProgress): string {
  const brief = briefMetrics(p);
  return `${formatPosition(p)}${brief ? ` · ${brief}` : ''}`;
}
