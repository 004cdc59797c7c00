// Source/target pairs for sequence-to-sequence fine-tuning: JSONL lines {"source", "target"}, TSV with
// two columns, or two parallel text files (line i of one ↔ line i of the other). Every problem is one
// sentence naming the file and line. Also the two sides' token codecs and the padded batches.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { Seq2seqBatch } from '../../models/seq2seq';
import type { BpeTokenizer } from '../../tokenizer/bpe';
import { CLS, PAD, SEP } from '../../tokenizer/vocab';
import { WordPieceTokenizer } from '../../tokenizer/wordpiece';
import { formatOf, readTaskFile, TaskDataError } from './common';

export interface Seq2seqPair {
  source: string;
  target: string;
  line: number; // 1-based in its file
}

/** Pairs from one JSONL or TSV file. */
export function readSeq2seqFile(file: string): Seq2seqPair[] {
  const lines = readTaskFile(file);
  const format = formatOf(file, lines);
  const out: Seq2seqPair[] = [];
  lines.forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    let source: unknown;
    let target: unknown;
    if (format === 'jsonl') {
      let o: unknown;
      try {
        o = JSON.parse(raw);
      } catch {
        throw new TaskDataError(
          `${file}:${line} is not valid JSON; write one {"source": …, "target": …} object per line.`,
        );
      }
      if (typeof o !== 'object' || o === null)
        throw new TaskDataError(`${file}:${line} is not a JSON object; write {"source": …, "target": …}.`);
      ({ source, target } = o as Record<string, unknown>);
    } else {
      const cols = raw.split('\t');
      if (cols.length !== 2)
        throw new TaskDataError(
          `${file}:${line} has ${cols.length} tab-separated columns; give exactly two, source then target.`,
        );
      [source, target] = cols;
    }
    if (typeof source !== 'string' || typeof target !== 'string')
      throw new TaskDataError(`${file}:${line} lacks a text "source" or "target"; give both as strings.`);
    if (!source.trim())
      throw new TaskDataError(`${file}:${line} has an empty source; give every pair a source text.`);
    if (!target.trim())
      throw new TaskDataError(`${file}:${line} has an empty target; give every pair a target text.`);
    out.push({ source: source.trim(), target: target.trim(), line });
  });
  if (out.length === 0) throw new TaskDataError(`${file} holds no pairs; give one pair per line.`);
  return out;
}

/** Pairs from two parallel files: line i of `sourceFile` with line i of `targetFile`. */
export function readParallelFiles(sourceFile: string, targetFile: string): Seq2seqPair[] {
  const trimEnd = (ls: string[]) => (ls.length && ls[ls.length - 1] === '' ? ls.slice(0, -1) : ls);
  const src = trimEnd(readTaskFile(sourceFile));
  const tgt = trimEnd(readTaskFile(targetFile));
  if (src.length !== tgt.length)
    throw new TaskDataError(
      `${sourceFile} has ${src.length} lines but ${targetFile} has ${tgt.length}; line ${Math.min(src.length, tgt.length) + 1} has no partner, so give both files the same number of lines.`,
    );
  return src.map((s, i) => {
    const line = i + 1;
    if (!s.trim()) throw new TaskDataError(`${sourceFile}:${line} is empty; give every line a source text.`);
    if (!tgt[i].trim())
      throw new TaskDataError(`${targetFile}:${line} is empty; give every line a target text.`);
    return { source: s.trim(), target: tgt[i].trim(), line };
  });
}

/** `a.src,b.tgt` (two parallel files) or one JSONL/TSV file. */
export function readSeq2seqData(spec: string): Seq2seqPair[] {
  const parts = spec.split(',');
  if (parts.length === 2 && !fs.existsSync(spec)) return readParallelFiles(parts[0], parts[1]);
  return readSeq2seqFile(spec);
}

/** One side's tokens: ids in and out, its begin/end/pad ids, and text back from ids. */
export interface TokenCodec {
  readonly size: number;
  readonly bos: number;
  readonly eos: number;
  readonly pad: number;
  encode(text: string): number[];
  decode(ids: readonly number[]): string;
}

/** A BERT vocabulary: [CLS] begins, [SEP] ends, [PAD] pads; special tokens are dropped from text. */
export function wordPieceCodec(tok: WordPieceTokenizer): TokenCodec {
  const v = tok.vocab;
  const special = new Set([v.id(CLS), v.id(SEP), v.id(PAD)]);
  return {
    size: v.size,
    bos: v.id(CLS),
    eos: v.id(SEP),
    pad: v.id(PAD),
    encode: (text) => tok.ids(text),
    decode: (ids) => WordPieceTokenizer.detokenize(ids.filter((i) => !special.has(i)).map((i) => v.token(i))),
  };
}

/** A GPT's byte-level BPE: <|endoftext|> begins, ends and pads (padding is masked out anyway). */
export function bpeCodec(tok: BpeTokenizer): TokenCodec {
  const e = tok.endOfTextId;
  return {
    size: tok.size,
    bos: e,
    eos: e,
    pad: e,
    encode: (text) => tok.encodeIds(text),
    decode: (ids) => tok.decode(ids.filter((i) => i !== e)),
  };
}

export interface EncodedPair {
  src: number[]; // [CLS] source [SEP] for a BERT encoder
  tgt: number[]; // target ids, without BOS/EOS
}

/** Encodes pairs, cutting sources and targets past the limits; `cut` counts the pairs cut. */
export function encodePairs(
  pairs: readonly Seq2seqPair[],
  src: TokenCodec,
  tgt: TokenCodec,
  maxSource: number,
  maxTarget: number,
): { pairs: EncodedPair[]; cut: number } {
  let cut = 0;
  const out = pairs.map((p) => {
    const s = src.encode(p.source);
    const t = tgt.encode(p.target);
    const sCut = s.length > maxSource - 2;
    const tCut = t.length > maxTarget - 1;
    if (sCut || tCut) cut++;
    return { src: [src.bos, ...s.slice(0, maxSource - 2), src.eos], tgt: t.slice(0, maxTarget - 1) };
  });
  return { pairs: out, cut };
}

/** Source ids as the encoder reads them: [CLS] text [SEP], cut to fit. */
export function encodeSource(
  text: string,
  src: TokenCodec,
  maxSource: number,
): { ids: number[]; cut: boolean } {
  const s = src.encode(text);
  return { ids: [src.bos, ...s.slice(0, maxSource - 2), src.eos], cut: s.length > maxSource - 2 };
}

/** A padded batch with teacher forcing: decoder input BOS + target, output target + EOS. */
export function makeSeq2seqBatch(
  part: readonly EncodedPair[],
  src: TokenCodec,
  tgt: TokenCodec,
): Seq2seqBatch & { tokens: number } {
  const B = part.length;
  const S = Math.max(...part.map((p) => p.src.length));
  const T = Math.max(...part.map((p) => p.tgt.length + 1));
  const srcIds = new Int32Array(B * S).fill(src.pad);
  const srcMask = new Float32Array(B * S);
  const tgtIn = new Int32Array(B * T).fill(tgt.pad);
  const tgtOut = new Int32Array(B * T).fill(tgt.pad);
  const tgtMask = new Float32Array(B * T);
  let tokens = 0;
  part.forEach((p, b) => {
    p.src.forEach((id, i) => {
      srcIds[b * S + i] = id;
      srcMask[b * S + i] = 1;
    });
    const inp = [tgt.bos, ...p.tgt];
    const outp = [...p.tgt, tgt.eos];
    for (let i = 0; i < inp.length; i++) {
      tgtIn[b * T + i] = inp[i];
      tgtOut[b * T + i] = outp[i];
      tgtMask[b * T + i] = 1;
    }
    tokens += p.src.length + inp.length;
  });
  return {
    srcIds: tf.tensor2d(srcIds, [B, S], 'int32'),
    srcMask: tf.tensor2d(srcMask, [B, S]),
    tgtIn: tf.tensor2d(tgtIn, [B, T], 'int32'),
    tgtOut: tf.tensor2d(tgtOut, [B, T], 'int32'),
    tgtMask: tf.tensor2d(tgtMask, [B, T]),
    tokens,
  };
}

export function disposeBatch(b: Seq2seqBatch): void {
  tf.dispose([b.srcIds, b.srcMask, b.tgtIn, b.tgtOut, b.tgtMask]);
}
