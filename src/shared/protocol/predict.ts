// Messages between the extension host and the Predict Mask panel, as valibot schemas with the types
// inferred from them. Every message from the webview is checked with `isFromPredictPanel` before it is
// used; the panel checks what it receives with `isToPredictPanel`.
import * as v from 'valibot';

const index = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));

export const MaskCandidateSchema = v.object({
  token: v.string(),
  probability: v.number(),
});

export const MaskPredictionSchema = v.object({
  position: v.number(), // character offset of the mask (or masked word) in the source text
  length: v.number(), // characters it covers in the source text
  candidates: v.array(MaskCandidateSchema), // by falling probability
  original: v.optional(v.string()), // the word that was masked, when a word (not [MASK]) was given
  originalRank: v.optional(v.number()), // 1-based rank of that word among all candidates
});

export const PredictViewSchema = v.object({
  requestId: index(2 ** 31), // names the prediction an 'apply' refers to
  model: v.string(), // model name shown in the header
  source: v.string(), // the text that was predicted
  result: v.object({
    masks: v.array(MaskPredictionSchema),
    filled: v.string(), // the source with each mask replaced by its best candidate
    notice: v.optional(v.string()), // e.g. that the input was cut to the model's maximum length
  }),
});
export type PredictView = v.InferOutput<typeof PredictViewSchema>;

export const ToPredictPanelSchema = v.variant('type', [
  v.object({ type: v.literal('loading'), text: v.string() }),
  v.object({ type: v.literal('result'), view: PredictViewSchema }),
  v.object({ type: v.literal('error'), message: v.string() }),
  // the candidate the host wrote into the document, marked in the panel
  v.object({ type: v.literal('applied'), maskIndex: index(10_000), token: v.string() }),
]);
export type ToPredictPanel = v.InferOutput<typeof ToPredictPanelSchema>;

export const FromPredictPanelSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  // a click on a candidate: write it into the document in place of that mask
  v.object({
    type: v.literal('apply'),
    requestId: index(2 ** 31),
    maskIndex: index(10_000),
    candidateIndex: index(10_000),
  }),
]);
export type FromPredictPanel = v.InferOutput<typeof FromPredictPanelSchema>;

export function isFromPredictPanel(x: unknown): x is FromPredictPanel {
  return v.is(FromPredictPanelSchema, x);
}

export function isToPredictPanel(x: unknown): x is ToPredictPanel {
  return v.is(ToPredictPanelSchema, x);
}
