// Messages between the extension host and the Fine-tune panel, as valibot schemas with the types
// inferred from them. The panel shows one run (its dev metrics per epoch, the confusion matrix and the
// per-label scores of its best epoch) or several runs side by side (Compare): their dev curves on one
// chart and a table of how each was trained. Its whole state is one `runs` message.
import * as v from 'valibot';
import type { EvalMetrics } from '../finetune';
import type { Same } from './same';

const count = v.pipe(v.number(), v.integer(), v.minValue(0));

export const PerLabelSchema = v.object({
  label: v.string(),
  precision: v.number(),
  recall: v.number(),
  f1: v.number(),
  support: v.number(),
});

export const EvalMetricsSchema = v.object({
  loss: v.number(),
  accuracy: v.number(),
  macroF1: v.number(),
  entity: v.optional(v.object({ precision: v.number(), recall: v.number(), f1: v.number() })),
  perLabel: v.array(PerLabelSchema),
  confusion: v.array(v.array(v.number())), // [gold][predicted], in the order of `labels`
  labels: v.array(v.string()),
});
const metricsMatch: Same<v.InferOutput<typeof EvalMetricsSchema>, EvalMetrics> = true;
void metricsMatch;

/** The dev scores of one epoch: one point of each curve. */
export const EpochPointSchema = v.object({
  epoch: count,
  loss: v.number(),
  accuracy: v.number(),
  macroF1: v.number(),
  entityF1: v.optional(v.number()),
});
export type EpochPoint = v.InferOutput<typeof EpochPointSchema>;

export const RunViewSchema = v.object({
  dir: v.string(),
  name: v.string(),
  task: v.string(), // as a person reads it: 'sequence classification'
  base: v.string(), // the base model's name
  how: v.string(), // how the base was used: 'fine-tuned', 'frozen (feature-based)', 'lowest 2 frozen'
  trainedParameters: v.optional(count), // unknown while the first epoch runs
  totalParameters: v.optional(count),
  seconds: v.optional(v.number()),
  bestEpoch: v.optional(count),
  epochs: v.array(EpochPointSchema),
  best: v.optional(EvalMetricsSchema), // the best epoch's metrics (the latest while running)
  running: v.optional(v.boolean()),
  baseKind: v.optional(v.picklist(['bert', 'word2vec', 'elmo', 'gpt'])), // absent: a BERT (older folders)
  // an ELMo base: the scalar mix (softmax weights per layer, summing to 1, and γ), live while it trains
  mix: v.optional(v.object({ weights: v.array(v.number()), gamma: v.number() })),
  lmWeight: v.optional(v.number()), // a GPT base: the auxiliary LM loss weight λ
});
export type RunView = v.InferOutput<typeof RunViewSchema>;

export const ToFinetunePanelSchema = v.variant('type', [
  v.object({ type: v.literal('runs'), runs: v.array(RunViewSchema), problems: v.array(v.string()) }),
  v.object({ type: v.literal('error'), message: v.string() }),
]);
export type ToFinetunePanel = v.InferOutput<typeof ToFinetunePanelSchema>;

export const FromFinetunePanelSchema = v.variant('type', [v.object({ type: v.literal('ready') })]);
export type FromFinetunePanel = v.InferOutput<typeof FromFinetunePanelSchema>;

export function isFromFinetunePanel(x: unknown): x is FromFinetunePanel {
  return v.is(FromFinetunePanelSchema, x);
}

export function isToFinetunePanel(x: unknown): x is ToFinetunePanel {
  return v.is(ToFinetunePanelSchema, x);
}
