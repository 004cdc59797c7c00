// Language-model data (GPT): the corpus as one stream of byte-level BPE ids with <|endoftext|> between
// documents, cut into contiguous blocks of blockSize + 1 tokens (inputs are the first T, targets the
// last T). The stream's tail (heldOutShare) is kept out of training to measure held-out perplexity.

import { l10n } from '../../shared/l10nCore';
import type { Rng } from '../random';
import type { BpeTokenizer } from '../tokenizer/bpe';
import type { PieceCounter } from '../tokenizer/bpeTrainer';
import { type CorpusStats, readDocumentParts } from './corpus';

export interface LmBatch {
  inputs: Int32Array; // [B, T] row-major
  targets: Int32Array; // [B, T]: inputs shifted left by one
  batchSize: number;
  blockSize: number;
}

/** Feeds every document of the corpus (lines joined by newlines) to a BPE piece counter. */
export async function countCorpusPieces(
  files: readonly string[],
  counter: PieceCounter,
  stats: CorpusStats,
  shouldStop?: () => boolean,
): Promise<void> {
  for await (const part of readDocumentParts(files, stats)) {
    if (shouldStop?.()) return;
    counter.add(part.lines.join('\n'));
  }
}

/** The corpus as token ids, documents separated by <|endoftext|>. */
export async function tokenizeCorpus(
  files: readonly string[],
  tok: BpeTokenizer,
  stats: CorpusStats,
  shouldStop?: () => boolean,
): Promise<Int32Array> {
  let buf = new Int32Array(1 << 16);
  let n = 0;
  const push = (id: number) => {
    if (n === buf.length) {
      const bigger = new Int32Array(buf.length * 2);
      bigger.set(buf);
      buf = bigger;
    }
    buf[n++] = id;
  };
  for await (const part of readDocumentParts(files, stats)) {
    if (shouldStop?.()) break;
    if (part.first && n > 0) push(tok.endOfTextId);
    else if (!part.first) push(tok.encodeIds('\n')[0]);
    for (const id of tok.encodeIds(part.lines.join('\n'))) push(id);
  }
  return buf.slice(0, n);
}

export class CorpusTooSmallForBlocksError extends Error {
  override name = 'CorpusTooSmallError';
}

export class LmData {
  readonly train: Int32Array;
  readonly heldOut: Int32Array;

  constructor(
    ids: Int32Array,
    readonly blockSize: number,
    readonly batchSize: number,
    heldOutShare: number,
    private readonly rng: Rng,
  ) {
    const need = blockSize + 1;
    const held = Math.floor(ids.length * heldOutShare);
    // a held-out part shorter than one block would measure nothing: then everything trains
    const keep = held >= need && ids.length - held >= need ? held : 0;
    this.train = ids.subarray(0, ids.length - keep);
    this.heldOut = ids.subarray(ids.length - keep);
    if (this.train.length < need)
      throw new CorpusTooSmallForBlocksError(
        l10n.t(
          'The corpus gives {0} tokens, fewer than one block of {1}; give more text or a smaller block size (--block-size).',
          String(ids.length),
          String(need),
        ),
      );
  }

  /** Random blocks of the training part, forever (the loop stops at its step budget). */
  async *batches(): AsyncGenerator<LmBatch> {
    const T = this.blockSize;
    const B = this.batchSize;
    const last = this.train.length - (T + 1);
    for (;;) {
      const inputs = new Int32Array(B * T);
      const targets = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const at = this.rng.int(0, last);
        inputs.set(this.train.subarray(at, at + T), b * T);
        targets.set(this.train.subarray(at + 1, at + T + 1), b * T);
      }
      yield { inputs, targets, batchSize: B, blockSize: T };
    }
  }

  /** Consecutive, non-overlapping held-out blocks (at most `max`), in batches of batchSize. */
  heldOutBatches(max = 64): LmBatch[] {
    const T = this.blockSize;
    const blocks = Math.min(max, Math.floor((this.heldOut.length - 1) / T));
    const out: LmBatch[] = [];
    for (let first = 0; first < blocks; first += this.batchSize) {
      const B = Math.min(this.batchSize, blocks - first);
      const inputs = new Int32Array(B * T);
      const targets = new Int32Array(B * T);
      for (let b = 0; b < B; b++) {
        const at = (first + b) * T;
        inputs.set(this.heldOut.subarray(at, at + T), b * T);
        targets.set(this.heldOut.subarray(at + 1, at + T + 1), b * T);
      }
      out.push({ inputs, targets, batchSize: B, blockSize: T });
    }
    return out;
  }
}
