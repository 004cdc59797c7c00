// Text generation from a left-to-right language model: the prompt is fed once, then one token at a
// time through the model's key/value cache (models/gpt.ts `decode`), each picked greedily (temperature
// 0) or sampled after temperature, top-k and top-p (nucleus, Holtzman et al. 2020) filtering with a
// seeded generator, so a seed repeats a run. Text streams out as soon as its UTF-8 characters are
// complete; a cancel is seen between tokens.
import type * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_GENERATE,
  type GenerateOptions,
  type GenerateResult,
  MAX_NEW_TOKENS,
} from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import type { KvCache } from '../models/gpt';
import { disposeCache } from '../models/gpt';
import { Rng } from '../random';
import type { BpeTokenizer } from '../tokenizer/bpe';

/** What generation needs from a model: its tokenizer, its context window and one cached decoding step. */
export interface CausalLm {
  readonly tokenizer: BpeTokenizer;
  readonly contextSize: number;
  /** Feeds ids after the cached ones; returns the next-token logits [V] (the caller disposes them). */
  decode(ids: readonly number[], cache: KvCache): tf.Tensor1D;
  /** Summed next-token cross-entropy (nats) of ids[1…] given what precedes each, in windows of the context. */
  nll?(ids: Int32Array): { sum: number; count: number };
}

/** The ids a prompt starts from: an empty prompt starts from <|endoftext|>; a long one keeps its end. */
export function promptIds(lm: CausalLm, prompt: string, room: number): { ids: number[]; notice?: string } {
  const all = lm.tokenizer.encodeIds(prompt);
  if (all.length === 0) return { ids: [lm.tokenizer.endOfTextId] };
  if (all.length <= room) return { ids: all };
  return {
    ids: all.slice(all.length - room),
    notice: l10n.t(
      "The prompt has {0} tokens, more than the model's context of {1}; only its last {2} were read.",
      all.length,
      lm.contextSize,
      room,
    ),
  };
}

/** The ids sampling may pick from after top-k and top-p, with their probabilities (sum 1), most likely first. */
export function allowedTokens(
  logits: Float32Array,
  o: Pick<GenerateOptions, 'temperature' | 'topK' | 'topP'>,
): { ids: number[]; probs: number[] } {
  const V = logits.length;
  const order = Array.from({ length: V }, (_, i) => i).sort((a, b) => logits[b] - logits[a]);
  const k = o.topK > 0 ? Math.min(o.topK, V) : V;
  const kept = order.slice(0, k);
  const t = o.temperature;
  const max = logits[kept[0]];
  const w = kept.map((i) => Math.exp((logits[i] - max) / t));
  const z = w.reduce((a, b) => a + b, 0);
  const probs = w.map((x) => x / z);
  if (o.topP < 1) {
    let cum = 0;
    let n = 0;
    while (n < probs.length && (n === 0 || cum < o.topP)) cum += probs[n++];
    const zz = probs.slice(0, n).reduce((a, b) => a + b, 0);
    return { ids: kept.slice(0, n), probs: probs.slice(0, n).map((p) => p / zz) };
  }
  return { ids: kept, probs };
}

/** One next token: argmax when temperature is 0, else a draw from the allowed tokens. */
export function pickToken(logits: Float32Array, o: GenerateOptions, rng: Rng): number {
  if (o.temperature <= 0) {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  const { ids, probs } = allowedTokens(logits, o);
  let u = rng.next();
  for (let i = 0; i < ids.length; i++) {
    u -= probs[i];
    if (u < 0) return ids[i];
  }
  return ids[ids.length - 1];
}

export interface GenerateCallbacks {
  onText?(text: string): void; // the continuation, piece by piece
  shouldStop?(): boolean; // asked between tokens
}

/** The options, checked and clamped; the notice says what was changed. */
export function clampGenerateOptions(o: Partial<GenerateOptions>): { o: GenerateOptions; notice?: string } {
  const out: GenerateOptions = {
    ...DEFAULT_GENERATE,
    ...Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)),
  };
  let notice: string | undefined;
  const n = Math.floor(out.maxNewTokens);
  if (!(n >= 1) || n > MAX_NEW_TOKENS) {
    const to = !(n >= 1) ? 1 : MAX_NEW_TOKENS;
    notice = `Max tokens ${out.maxNewTokens} is outside 1–${MAX_NEW_TOKENS}; generating ${to}.`;
    out.maxNewTokens = to;
  } else out.maxNewTokens = n;
  if (!(out.temperature >= 0) || !Number.isFinite(out.temperature))
    throw new Error(l10n.t('The temperature must be 0 (greedy) or more, got {0}.', out.temperature));
  if (!(out.topP > 0 && out.topP <= 1))
    throw new Error(l10n.t('Top-p must be above 0 and at most 1, got {0}.', out.topP));
  if (!(out.topK >= 0) || !Number.isInteger(out.topK))
    throw new Error(l10n.t('Top-k must be a whole number, 0 for all, got {0}.', out.topK));
  return { o: out, notice };
}

/** Continues a prompt; resolves with the continuation only. Cancelling keeps what was generated. */
export async function generate(
  lm: CausalLm,
  prompt: string,
  options: Partial<GenerateOptions>,
  cb: GenerateCallbacks = {},
): Promise<GenerateResult> {
  const { o, notice: clampNotice } = clampGenerateOptions(options);
  const ctx = lm.contextSize;
  const p = promptIds(lm, prompt, ctx - 1);
  const notices = [clampNotice, p.notice].filter((x): x is string => x !== undefined);
  const rng = new Rng(o.seed);
  const tok = lm.tokenizer;
  const stream = tok.streamDecoder();
  const cache: KvCache = { length: 0, k: [], v: [] };
  const history = [...p.ids];
  const ids: number[] = [];
  let text = '';
  let stopped: GenerateResult['stopped'] = 'maxTokens';
  let feed = p.ids;
  try {
    while (ids.length < o.maxNewTokens) {
      if (cache.length + feed.length > ctx) {
        // the window is full: start again from its second half (positions are learnt, so no shifting)
        disposeCache(cache);
        feed = history.slice(history.length - Math.floor(ctx / 2));
        if (!notices.some((n) => n.startsWith('The context')))
          notices.push(
            l10n.t(
              'The context window of {0} tokens filled up; later tokens see only the last {1}.',
              ctx,
              feed.length,
            ),
          );
      }
      const logits = lm.decode(feed, cache);
      let next: number;
      try {
        next = pickToken(logits.dataSync() as Float32Array, o, rng);
      } finally {
        logits.dispose();
      }
      if (next === tok.endOfTextId) {
        stopped = 'endOfText';
        break;
      }
      ids.push(next);
      history.push(next);
      feed = [next];
      const piece = stream.push(next);
      if (piece) {
        text += piece;
        cb.onText?.(piece);
      }
      // a macrotask between tokens, so that a worker sees a cancel that arrived meanwhile
      await new Promise((r) => setImmediate(r));
      if (cb.shouldStop?.()) {
        stopped = 'cancelled';
        break;
      }
    }
  } finally {
    disposeCache(cache);
  }
  const rest = stream.flush();
  if (rest) {
    text += rest;
    cb.onText?.(rest);
  }
  return {
    text,
    tokens: ids.map((id) => tok.display(id)),
    stopped,
    ...(notices.length ? { notice: notices.join(' ') } : {}),
  };
}
