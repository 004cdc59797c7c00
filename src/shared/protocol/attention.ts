// Messages between the extension host and the attention panel, as valibot schemas with their types
// inferred. Every message from the webview is checked with isFromAttentionPanel before it is used.
import * as v from 'valibot';
import type { AttentionWord } from '../configs';
import type { Same } from './same';

// Attention weights travel to the panel as 16-bit steps of 1/65535, not 8-bit steps of 1/255: at 512
// tokens most weights are near 1/512 ≈ 0.002, under the 8-bit step of 0.0039, so 8 bits would round a
// long matrix to 0 or 0.004 while the tooltip printed 3 decimals. With 16 bits the rounding error is at
// most 1/131070 ≈ 0.0000076, so the 3 decimals shown are exact. It costs 2 bytes a weight, half of
// float32 (a 12-layer, 12-head model at 512 tokens: 75 MB instead of 151 MB).
export const WEIGHT_STEPS = 65535;

/** [layers, heads, from, to] weights in [0, 1] as Uint16 steps of 1/WEIGHT_STEPS. */
export function packWeights(w: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(w.length);
  for (let k = 0; k < w.length; k++) out[k] = Math.round(Math.min(1, Math.max(0, w[k])) * WEIGHT_STEPS);
  return out;
}

export function unpackWeight(q: number): number {
  return q / WEIGHT_STEPS;
}

/** The largest error of a packed weight, half a step. */
export const WEIGHT_ERROR = 0.5 / WEIGHT_STEPS;

// by its tag, not instanceof: a webview gets it from another realm (the host frame's deserialiser)
const isUint16Array = (x: unknown): boolean => Object.prototype.toString.call(x) === '[object Uint16Array]';

const index = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));

export const AttentionWordSchema = v.object({
  start: index(1 << 20),
  end: index(1 << 20),
  text: v.string(),
});

// the schema describes the engine's AttentionWord in configs/: kept in step by the compiler
const wordMatches: Same<v.InferOutput<typeof AttentionWordSchema>, AttentionWord> = true;
void wordMatches;

export const AttentionViewSchema = v.object({
  model: v.string(), // model name shown in the header
  tokens: v.array(v.string()),
  words: v.array(AttentionWordSchema), // from the engine's tokenizer: what "merge into words" joins
  segments: v.array(index(1)), // 0 = sentence A, 1 = sentence B
  layers: index(1024),
  heads: index(1024),
  weights: v.custom<Uint16Array>(isUint16Array, 'The weights must be a Uint16Array.'), // [layers, heads, from, to], see WEIGHT_STEPS
  notice: v.optional(v.string()),
  // set when `weights` holds this one layer ([heads, from, to]); the others follow as attentionLayer
  // messages, so the layer on screen paints without waiting for all of them (issue 14: a base-size model
  // at 512 tokens has 75 MB of weights, one layer 6 MB)
  layer: v.optional(index(1023)),
});
export type AttentionView = v.InferOutput<typeof AttentionViewSchema>;

export const AttentionModeSchema = v.picklist(['head', 'model', 'matrix']);
export type AttentionMode = v.InferOutput<typeof AttentionModeSchema>;

export const ToAttentionPanelSchema = v.variant('type', [
  v.object({ type: v.literal('loading'), text: v.string() }),
  v.object({ type: v.literal('attention'), view: AttentionViewSchema }),
  v.object({ type: v.literal('error'), message: v.string() }),
  // one more layer of the attention last sent with `layer` set: [heads, from, to]
  v.object({
    type: v.literal('attentionLayer'),
    layer: index(1023),
    weights: v.custom<Uint16Array>(isUint16Array, 'The weights must be a Uint16Array.'),
  }),
  v.object({ type: v.literal('focusToken'), index: index(1 << 20) }), // the editor cursor is on this token
]);
export type ToAttentionPanel = v.InferOutput<typeof ToAttentionPanelSchema>;

const MAX_EXPORT = 64 * 1024 * 1024;

export const FromAttentionPanelSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  // the layer and heads on screen: they drive the editor highlight
  v.object({
    type: v.literal('viewState'),
    layer: index(1023),
    heads: v.pipe(v.array(index(1023)), v.maxLength(1024)),
    merge: v.boolean(),
  }),
  v.variant('format', [
    v.object({
      type: v.literal('export'),
      format: v.literal('png'),
      data: v.pipe(v.string(), v.maxLength(MAX_EXPORT), v.startsWith('data:image/png;base64,')),
    }),
    v.object({
      type: v.literal('export'),
      format: v.literal('svg'),
      data: v.pipe(v.string(), v.maxLength(MAX_EXPORT)),
    }),
    // the host writes the JSON from the engine's float32 weights, so nothing travels with it
    v.object({ type: v.literal('export'), format: v.literal('json'), data: v.literal('') }),
  ]),
]);
export type FromAttentionPanel = v.InferOutput<typeof FromAttentionPanelSchema>;

export function isFromAttentionPanel(x: unknown): x is FromAttentionPanel {
  return v.is(FromAttentionPanelSchema, x);
}
