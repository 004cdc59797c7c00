// Byte-level BPE (Sennrich et al. 2016 on bytes, as GPT-2, Radford et al. 2019 §2.2): text is UTF-8
// bytes, each byte shown as one printable character (GPT-2's bytes_to_unicode), and merges learnt on
// those. 256 byte tokens cover every byte, so there is no [UNK] and any text round-trips (a lone UTF-16
// surrogate cannot be UTF-8: it becomes U+FFFD). Pre-tokenisation is GPT-2's regex with one change:
// each CJK ideograph is a piece of its own ("Chinese as characters"), so no merge joins two of them.
// Files are GPT-2's vocab.json ({token: id}) and merges.txt ("#version: 0.2", then "a b" per line),
// which a Hugging Face GPT2Tokenizer reads (its pre-tokeniser does not split CJK, but no merge of ours
// joins two ideographs, so it finds the same tokens). A Hugging Face GPT-2's own files load here too,
// with the 'gpt2' pre-tokeniser for GPT-2's exact pieces.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { l10n } from '../../shared/l10nCore';

/** GPT-2's end-of-text token: separates documents in training and starts an empty prompt. */
export const END_OF_TEXT = '<|endoftext|>';

/** Byte → printable character: printable Latin-1 bytes map to themselves, the rest to U+0100 onwards. */
export function bytesToUnicode(): string[] {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = bs.slice();
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out = new Array<string>(256);
  bs.forEach((b, i) => {
    out[b] = String.fromCharCode(cs[i]);
  });
  return out;
}

const BYTE_CHAR = bytesToUnicode();
const CHAR_BYTE = new Map(BYTE_CHAR.map((c, b) => [c, b]));

/** The 256 byte tokens in GPT-2's id order (printable ones first). */
export function byteTokens(): string[] {
  const order: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) order.push(b);
  for (let b = 0xa1; b <= 0xac; b++) order.push(b);
  for (let b = 0xae; b <= 0xff; b++) order.push(b);
  for (let b = 0; b < 256; b++) if (!order.includes(b)) order.push(b);
  return order.map((b) => BYTE_CHAR[b]);
}

// GPT-2's pattern (encoder.py), and ours: the same with CJK ideographs split off one by one.
const HAN = '\\p{Script=Han}';
const TAIL = `| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+`;
const CONTRACTIONS = `'(?:s|t|re|ve|m|ll|d)`;
const PRETOKEN_CJK = new RegExp(`${CONTRACTIONS}| ?${HAN}| ?(?:(?!${HAN})\\p{L})+${TAIL}`, 'gu');
const PRETOKEN_GPT2 = new RegExp(`${CONTRACTIONS}| ?\\p{L}+${TAIL}`, 'gu');

/** 'chars': ours, each CJK ideograph a piece; 'gpt2': GPT-2's own, for its vocabularies (Hugging Face). */
export type PreTokenizer = 'chars' | 'gpt2';

/** The pieces BPE runs on, with their UTF-16 start offsets. */
export function preTokenize(text: string, pre: PreTokenizer = 'chars'): { text: string; start: number }[] {
  const out: { text: string; start: number }[] = [];
  for (const m of text.matchAll(pre === 'chars' ? PRETOKEN_CJK : PRETOKEN_GPT2))
    out.push({ text: m[0], start: m.index });
  return out;
}

const encoder = new TextEncoder();

/** A piece's bytes as byte-token characters ("Ġthe" for " the"). */
export function toByteChars(s: string): string {
  let out = '';
  for (const b of encoder.encode(s)) out += BYTE_CHAR[b];
  return out;
}

/** One token of an encoded text: its id, its byte-level form and the characters it covers. */
export interface BpeToken {
  id: number;
  text: string; // the byte-level token as in vocab.json ("Ġthe")
  start: number; // UTF-16 span in the text (a token holding part of a character spans that character)
  end: number;
  wordIndex: number; // the pre-token it came from, for grouping pieces into words
}

export class BpeTokenizer {
  readonly tokens: string[]; // id → token
  readonly ids: Map<string, number>;
  readonly merges: [string, string][];
  readonly endOfTextId: number;
  private readonly ranks: Map<string, number>;
  private readonly cache = new Map<string, string[]>();

  /**
   * vocab: every byte token, every merge's result, and END_OF_TEXT (added at the end if missing);
   * preTokenizer: 'chars' for ours, 'gpt2' for a vocabulary trained by GPT-2's rules.
   */
  constructor(
    vocab: Map<string, number>,
    merges: [string, string][],
    readonly preTokenizer: PreTokenizer = 'chars',
  ) {
    const ids = new Map(vocab);
    if (!ids.has(END_OF_TEXT)) ids.set(END_OF_TEXT, ids.size);
    const tokens = new Array<string>(ids.size);
    for (const [t, i] of ids) {
      if (!Number.isInteger(i) || i < 0 || i >= ids.size || tokens[i] !== undefined)
        throw new Error(
          l10n.t('The BPE vocabulary gives "{0}" the id {1}, which is out of range or taken twice.', t, i),
        );
      tokens[i] = t;
    }
    for (const c of BYTE_CHAR)
      if (!ids.has(c))
        throw new Error(l10n.t('The BPE vocabulary lacks the byte token "{0}", so it is not byte-level.', c));
    this.tokens = tokens;
    this.ids = ids;
    this.merges = merges;
    this.ranks = new Map(merges.map(([a, b], i) => [`${a} ${b}`, i]));
    this.endOfTextId = ids.get(END_OF_TEXT)!;
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The byte-level tokens of one pre-token (GPT-2's bpe(): merge the lowest-ranked pair until none). */
  private bpe(piece: string): string[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    let word = [...toByteChars(piece)];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const a = word[best];
      const b = word[best + 1];
      const next: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          next.push(a + b);
          i++;
        } else next.push(word[i]);
      }
      word = next;
    }
    if (this.cache.size > 50_000) this.cache.clear();
    this.cache.set(piece, word);
    return word;
  }

  /** Tokens with their character spans. */
  encode(text: string): BpeToken[] {
    const out: BpeToken[] = [];
    preTokenize(text, this.preTokenizer).forEach((p, wordIndex) => {
      // byte offset → UTF-16 offset within the piece, to give each token its span
      const charAt: number[] = [];
      let u = 0;
      for (const ch of p.text) {
        const n = encoder.encode(ch).length;
        for (let k = 0; k < n; k++) charAt.push(u);
        u += ch.length;
      }
      charAt.push(u);
      let byte = 0;
      for (const t of this.bpe(p.text)) {
        const id = this.ids.get(t);
        if (id === undefined)
          throw new Error(l10n.t('BPE produced "{0}", which is not in its vocabulary.', t));
        const nb = [...t].length; // one byte per byte-token character
        const end = byte + nb;
        const s = charAt[byte];
        let e = charAt[end];
        if (e === s) e = s + 1; // part of one character: it spans that character
        out.push({ id, text: t, start: p.start + s, end: p.start + Math.min(e, u), wordIndex });
        byte = end;
      }
    });
    return out;
  }

  encodeIds(text: string): number[] {
    return this.encode(text).map((t) => t.id);
  }

  /** The bytes of token ids (END_OF_TEXT gives none). */
  bytes(ids: readonly number[]): Uint8Array {
    const out: number[] = [];
    for (const id of ids) {
      if (id === this.endOfTextId) continue;
      const t = this.tokens[id];
      if (t === undefined)
        throw new Error(l10n.t('Token id {0} is outside the vocabulary of {1}.', id, this.size));
      for (const c of t) out.push(CHAR_BYTE.get(c) ?? 0x3f);
    }
    return Uint8Array.from(out);
  }

  decode(ids: readonly number[]): string {
    return new TextDecoder('utf-8').decode(this.bytes(ids));
  }

  /** A token as a person reads it: its text, or ⟨e4 b8⟩ when it is part of a UTF-8 character. */
  display(id: number): string {
    if (id === this.endOfTextId) return END_OF_TEXT;
    const b = this.bytes([id]);
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(b);
    } catch {
      return `⟨${[...b].map((x) => x.toString(16).padStart(2, '0')).join(' ')}⟩`;
    }
  }

  /** A decoder for streamed tokens: text is given out once its UTF-8 characters are complete. */
  streamDecoder(): { push(id: number): string; flush(): string } {
    const d = new TextDecoder('utf-8');
    return {
      push: (id) => d.decode(this.bytes([id]), { stream: true }),
      flush: () => d.decode(),
    };
  }

  /** Writes vocab.json and merges.txt (GPT-2's files). */
  save(dir: string, write: (file: string, data: string) => void = fs.writeFileSync): void {
    const vocab: Record<string, number> = {};
    this.tokens.forEach((t, i) => {
      vocab[t] = i;
    });
    write(path.join(dir, 'vocab.json'), JSON.stringify(vocab));
    write(path.join(dir, 'merges.txt'), serializeMerges(this.merges));
  }

  static parse(
    vocabJson: string,
    mergesTxt: string,
    where = 'the tokenizer',
    preTokenizer: PreTokenizer = 'chars',
  ): BpeTokenizer {
    let raw: unknown;
    try {
      raw = JSON.parse(vocabJson);
    } catch {
      throw new Error(l10n.t('The vocab.json of {0} is not valid JSON; restore it or retrain.', where));
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new Error(
        l10n.t('The vocab.json of {0} is not a {token: id} object; restore it or retrain.', where),
      );
    const vocab = new Map<string, number>();
    for (const [t, i] of Object.entries(raw)) {
      if (typeof i !== 'number')
        throw new Error(
          l10n.t('The vocab.json of {0} gives "{1}" a non-number id; restore it or retrain.', where, t),
        );
      vocab.set(t, i);
    }
    return new BpeTokenizer(vocab, parseMerges(mergesTxt, where), preTokenizer);
  }

  static load(dir: string, preTokenizer: PreTokenizer = 'chars'): BpeTokenizer {
    return BpeTokenizer.parse(
      fs.readFileSync(path.join(dir, 'vocab.json'), 'utf8'),
      fs.readFileSync(path.join(dir, 'merges.txt'), 'utf8'),
      dir,
      preTokenizer,
    );
  }
}

export function serializeMerges(merges: readonly [string, string][]): string {
  return `#version: 0.2\n${merges.map(([a, b]) => `${a} ${b}\n`).join('')}`;
}

export function parseMerges(text: string, where = 'the tokenizer'): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('#version') || line === '') continue;
    const parts = line.split(' ');
    if (parts.length !== 2)
      throw new Error(
        l10n.t('The merges.txt of {0} has a line that is not two tokens: "{1}"; restore it.', where, line),
      );
    out.push([parts[0], parts[1]]);
  }
  return out;
}
