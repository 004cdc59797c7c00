// Attention of every layer and head for a text: the tokens as the model sees them, the word each token
// belongs to, and one [layers, heads, T, T] Float32Array. Model-agnostic: it needs a tokenizer and one
// encoder pass that returns attention, so other encoders (GPT, ELMo, later) can fill the same result.
import type { AttentionResult, AttentionWord } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import type { TokenPiece } from '../tokenizer/wordpiece';

/** The tokenizer side: pieces with character spans and word indices, and the ids framing a sequence. */
export interface AttentionTokenizer {
  encode(text: string): TokenPiece[];
  readonly vocab: { readonly clsId: number; readonly sepId: number };
}

/** What attention needs from a model: its tokenizer, its length, and one pass that returns attention. */
export interface AttentionModel {
  readonly tokenizer: AttentionTokenizer;
  readonly maxPositions: number;
  /** One sequence through the encoder; weights [layers, heads, T, T], each row sums to 1. */
  attend(ids: number[], segments: number[]): { layers: number; heads: number; weights: Float32Array };
  /**
   * The first layer alone (weights [heads, T, T]; layers and heads of the whole model), much faster than
   * attend: a model on ONNX Runtime, cut to its first layer.
   */
  attendFirst?(
    ids: number[],
    segments: number[],
  ): { layers: number; heads: number; weights: Float32Array } | undefined;
  /** The whole result, for models that frame a text otherwise (GPT: no [CLS]/[SEP], causalAttention.ts). */
  compute?(text: string): AttentionResult;
}

/** Splits a selection into sentence A and B at the first [SEP] or line break. */
export function splitPair(text: string): { a: string; b?: string; bOffset: number } {
  const sep = text.indexOf('[SEP]');
  if (sep >= 0) return { a: text.slice(0, sep), b: text.slice(sep + 5), bOffset: sep + 5 };
  const nl = text.search(/\r?\n/);
  if (nl >= 0 && text.slice(nl).trim().length > 0) {
    const len = text[nl] === '\r' ? 2 : 1;
    return { a: text.slice(0, nl), b: text.slice(nl + len), bOffset: nl + len };
  }
  return { a: text, bOffset: text.length };
}

/**
 * Words over the tokens, from the tokenizer's word index: consecutive pieces of one word form one
 * group (WordPieces "play ##ing"; a CJK character is a word of its own), each added token its own.
 * The text is the word as written in the selection, so an uncased or [UNK] piece keeps its spelling.
 */
export function wordGroups(
  text: string,
  tokens: readonly string[],
  pieceAt: readonly (TokenPiece | undefined)[], // the piece behind each token, undefined for [CLS]/[SEP]
): AttentionWord[] {
  const words: AttentionWord[] = [];
  let from = -1; // character where the open word starts
  pieceAt.forEach((p, i) => {
    const prev = i > 0 ? pieceAt[i - 1] : undefined;
    const last = words.at(-1);
    if (p && prev && last && p.wordIndex === prev.wordIndex) {
      last.end = i + 1;
      last.text = text.slice(from, Math.max(p.end, prev.end));
      return;
    }
    from = p ? p.start : -1;
    words.push({ start: i, end: i + 1, text: p ? text.slice(p.start, p.end) : tokens[i] });
  });
  return words;
}

/**
 * `firstLayer`: answer with the first layer alone (`layer: 0`) where the model has a fast way to it, so
 * that a panel paints before the whole forward is done; the caller asks again for the rest.
 */
export function computeAttention(
  model: AttentionModel,
  text: string,
  opts: { firstLayer?: boolean } = {},
): AttentionResult {
  if (model.compute) return model.compute(text);
  if (text.trim().length === 0)
    throw new Error(
      l10n.t('The selection is empty; select one sentence, or two separated by a line break or [SEP].'),
    );
  const { a, b, bOffset } = splitPair(text);
  const tok = model.tokenizer;
  const piecesA = tok.encode(a);
  const piecesB =
    b !== undefined
      ? tok.encode(b).map((x) => ({ ...x, start: x.start + bOffset, end: x.end + bOffset }))
      : [];
  const max = model.maxPositions - (b !== undefined ? 3 : 2);
  let notice: string | undefined;
  let keptA = piecesA;
  let keptB = piecesB;
  if (piecesA.length + piecesB.length > max) {
    // keep the start of both sentences, cutting the longer one first
    keptA = piecesA.slice();
    keptB = piecesB.slice();
    while (keptA.length + keptB.length > max) {
      if (keptA.length >= keptB.length) keptA.pop();
      else keptB.pop();
    }
    const last = (keptB.length ? keptB : keptA).at(-1)!;
    notice = l10n.t(
      "The selection has {0} tokens, more than the model's {1}; attention is shown up to character {2}.",
      piecesA.length + piecesB.length,
      max,
      last.end,
    );
  }
  const pieceAt: (TokenPiece | undefined)[] = [undefined, ...keptA, undefined];
  if (b !== undefined) pieceAt.push(...keptB, undefined);
  const segs: number[] = [];
  let seg = 0;
  for (let i = 0; i < pieceAt.length; i++) {
    segs.push(seg);
    if (i > 0 && pieceAt[i] === undefined) seg = 1; // after the first [SEP], sentence B
  }
  const tokens = pieceAt.map((p, i) => (p ? p.text : i === 0 ? '[CLS]' : '[SEP]'));
  const spans = pieceAt.map((p): [number, number] => (p ? [p.start, p.end] : [-1, -1]));
  const ids = pieceAt.map((p, i) => (p ? p.id : i === 0 ? tok.vocab.clsId : tok.vocab.sepId));
  const first = opts.firstLayer ? model.attendFirst?.(ids, segs) : undefined;
  const { layers, heads, weights } = first ?? model.attend(ids, segs);
  return {
    ...(first && { layer: 0 }),
    tokens,
    spans,
    words: wordGroups(text, tokens, pieceAt),
    segments: segs,
    layers,
    heads,
    weights,
    sentenceB: b !== undefined,
    notice,
  };
}
