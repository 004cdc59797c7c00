// Messages between the extension host and the Predict Mask panel, as valibot schemas with the types
// inferred from them. Every message from the webview is checked with `isFromPredictPanel` before it is
// used; the panel checks what it receives with `isToPredictPanel`.
import * as v from 'valibot';
import type { MaskCandidate, MaskPrediction, PredictMaskResult } from '../configs';
import type { Same } from './same';

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
  uri: v.optional(v.string()), // the document it came from, and where in it: for Predict again
  offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  result: v.object({
    masks: v.array(MaskPredictionSchema),
    filled: v.string(), // the source with each mask replaced by its best candidate
    notice: v.optional(v.string()), // e.g. that the input was cut to the model's maximum length
  }),
});
export type PredictView = v.InferOutput<typeof PredictViewSchema>;

// the panel's schemas describe the engine's result types in configs/: kept in step by the compiler
const candidateMatches: Same<v.InferOutput<typeof MaskCandidateSchema>, MaskCandidate> = true;
const predictionMatches: Same<v.InferOutput<typeof MaskPredictionSchema>, MaskPrediction> = true;
const resultMatches: Same<PredictView['result'], PredictMaskResult> = true;
void [candidateMatches, predictionMatches, resultMatches];

export const ToPredictPanelSchema = v.variant('type', [
  v.object({ type: v.literal('loading'), text: v.string() }),
  v.object({ type: v.literal('result'), view: PredictViewSchema }),
  v.object({ type: v.literal('error'), message: v.string() }),
  // the candidate the host wrote into the document, marked in the panel
  v.object({ type: v.literal('applied'), maskIndex: index(10_000), token: v.string() }),
  // the document changed (an undo, typing): what each mask holds now, null where it is as predicted;
  // `stale` says why the candidates can no longer be written (the text at a mask was edited by hand)
  v.object({
    type: v.literal('follow'),
    applied: v.array(v.nullable(v.string())),
    stale: v.optional(v.string()),
  }),
  // the candidates can no longer be written (a reload, the text at a mask edited): why, in one sentence
  v.object({ type: v.literal('stale'), reason: v.string() }),
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
  // Predict again on the text shown, found in its document
  v.object({
    type: v.literal('predictAgain'),
    source: v.string(),
    uri: v.optional(v.string()),
    offset: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
  }),
]);
export type FromPredictPanel = v.InferOutput<typeof FromPredictPanelSchema>;

export function isFromPredictPanel(x: unknown): x is FromPredictPanel {
  return v.is(FromPredictPanelSchema, x);
}

export function isToPredictPanel(x: unknown): x is ToPredictPanel {
  return v.is(ToPredictPanelSchema, x);
}
