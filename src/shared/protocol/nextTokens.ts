// Messages between the extension host and the Next Tokens panel (the GPT counterpart of Predict Mask),
// as valibot schemas with the types inferred from them. The webview's messages are checked with
// `isFromNextTokensPanel`; the panel checks what it receives with `isToNextTokensPanel`.
import * as v from 'valibot';
import type { NextTokenResult } from '../configs';
import type { Same } from './same';

const index = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));

export const NextTokensViewSchema = v.object({
  requestId: index(2 ** 31), // names the result an 'insert' refers to
  model: v.string(), // model name shown in the header
  prefix: v.string(), // the end of the text the model read (shown), up to the cursor
  result: v.object({
    candidates: v.array(v.object({ token: v.string(), id: v.number(), probability: v.number() })),
    tokens: v.array(v.string()), // the prefix as the model saw it
    notice: v.optional(v.string()),
  }),
  // the same position masked with both sides visible, from the active masked language model (a BERT)
  bert: v.optional(
    v.union([
      v.object({
        model: v.string(),
        masked: v.string(), // the line around the cursor with [MASK] at the cursor (shown)
        candidates: v.array(v.object({ token: v.string(), probability: v.number() })),
        notice: v.optional(v.string()),
      }),
      v.object({ missing: v.string() }), // why there is no BERT column, and how to get one
    ]),
  ),
});
export type NextTokensView = v.InferOutput<typeof NextTokensViewSchema>;

const resultMatches: Same<NextTokensView['result'], NextTokenResult> = true;
void resultMatches;

export const ToNextTokensPanelSchema = v.variant('type', [
  v.object({ type: v.literal('loading'), text: v.string() }),
  v.object({ type: v.literal('result'), view: NextTokensViewSchema }),
  v.object({ type: v.literal('error'), message: v.string() }),
]);
export type ToNextTokensPanel = v.InferOutput<typeof ToNextTokensPanelSchema>;

export const FromNextTokensPanelSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  // a click on a candidate: write it at the cursor and show the tokens after it
  v.object({ type: v.literal('insert'), requestId: index(2 ** 31), candidateIndex: index(10_000) }),
]);
export type FromNextTokensPanel = v.InferOutput<typeof FromNextTokensPanelSchema>;

export function isFromNextTokensPanel(x: unknown): x is FromNextTokensPanel {
  return v.is(FromNextTokensPanelSchema, x);
}

export function isToNextTokensPanel(x: unknown): x is ToNextTokensPanel {
  return v.is(ToNextTokensPanelSchema, x);
}
