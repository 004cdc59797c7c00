// Messages between the extension host and the ELMo Layers panel, as valibot schemas with the types
// inferred from them; the same view is the engine's answer to `elmoLayers`. Corpus text (tokens,
// contexts, file names) travels as plain strings, which the panel only ever puts in text nodes.
import * as v from 'valibot';

const int = v.pipe(v.number(), v.integer(), v.minValue(0));
const finite = v.pipe(v.number(), v.finite());

export const ElmoTokenSchema = v.object({
  token: v.string(),
  start: int, // UTF-16 offsets in the selection
  end: int,
  known: v.boolean(), // false: not in the vocabulary, read as <unk>
});

export const ElmoOccurrenceSchema = v.object({
  i: int, // the selection's token it is compared with
  where: v.picklist(['selection', 'workspace']),
  j: v.optional(int), // the other token in the selection
  file: v.optional(v.string()), // or its place in the workspace
  line: v.optional(int), // 0-based
  context: v.string(),
  similarity: v.array(finite), // cosine per layer, layer 0 first
});

export const ScalarMixViewSchema = v.object({
  task: v.string(), // the fine-tuned model (task) the mix belongs to
  weights: v.array(finite), // softmax weights, layer 0 first, summing to 1
  gamma: finite,
});

/** What the engine answers to `elmoLayers` and the panel shows. */
export const ElmoLayersViewSchema = v.object({
  model: v.string(), // the model's name
  text: v.string(),
  numLayers: int,
  tokens: v.array(ElmoTokenSchema),
  truncated: v.boolean(), // the selection was cut to maxTokens
  maxTokens: int,
  occurrences: v.array(ElmoOccurrenceSchema),
  mixes: v.array(ScalarMixViewSchema), // learned layer weights of tasks, when some exist
});
export type ElmoLayersView = v.InferOutput<typeof ElmoLayersViewSchema>;
export type ElmoOccurrenceView = v.InferOutput<typeof ElmoOccurrenceSchema>;

export const ToElmoPanelSchema = v.variant('type', [
  v.object({ type: v.literal('loading'), text: v.string() }),
  v.object({ type: v.literal('result'), view: ElmoLayersViewSchema }),
  v.object({ type: v.literal('error'), message: v.string() }),
]);
export type ToElmoPanel = v.InferOutput<typeof ToElmoPanelSchema>;

export const FromElmoPanelSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  // a click on a workspace occurrence: open the file at that line
  v.object({ type: v.literal('reveal'), file: v.string(), line: int }),
]);
export type FromElmoPanel = v.InferOutput<typeof FromElmoPanelSchema>;

export function isFromElmoPanel(x: unknown): x is FromElmoPanel {
  return v.is(FromElmoPanelSchema, x);
}

export function isToElmoPanel(x: unknown): x is ToElmoPanel {
  return v.is(ToElmoPanelSchema, x);
}
