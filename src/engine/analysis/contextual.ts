// Contextual vectors of a word: every occurrence of it in the given files, each encoded by BERT in its
// own line, as the mean of the word's WordPieces at one layer. The static-vs-contextual view shows
// these as separate points where word2vec has one.
import * as fs from 'node:fs';
import { l10n } from '../../shared/l10nCore';
import type { TransformerEncoder } from './loadedModel';

export interface Occurrence {
  file: string;
  line: number; // 0-based
  start: number; // UTF-16 column of the word in the line
  end: number;
  context: string; // the line, cut around the word
}

export interface ContextualResult {
  word: string;
  layer: number; // 0 = embedding output, numLayers = last
  layers: number;
  dim: number;
  occurrences: Occurrence[];
  vectors: Float32Array; // occurrences × dim
  scanned: number; // files read
  total: number; // occurrences found, before the cap
  notice?: string;
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;

/** A file's text, or undefined when it cannot be read, is over 20 MB or looks binary. */
export function readTextFile(file: string): string | undefined {
  try {
    const buf = fs.readFileSync(file);
    if (buf.length > 20 * 1024 * 1024 || buf.subarray(0, 8000).includes(0)) return undefined;
    return buf.toString('utf8');
  } catch {
    return undefined;
  }
}

/** Whole-word matches (any case) for alphabetic words; plain substrings for Chinese. */
export function wordPattern(word: string): RegExp {
  const esc = word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return CJK.test(word)
    ? new RegExp(esc, 'gu')
    : new RegExp(`(?<![\\p{L}\\p{N}_])${esc}(?![\\p{L}\\p{N}_])`, 'giu');
}

const WINDOW = 64; // WordPieces of context on each side of the word

export function contextualOccurrences(
  p: TransformerEncoder,
  word: string,
  files: string[],
  opts: { layer?: number; max?: number } = {},
): ContextualResult {
  const w = word.trim();
  if (!w) throw new Error(l10n.t('Select a word in the editor first.'));
  const layers = p.numLayers;
  const layer = opts.layer === undefined || opts.layer < 0 ? layers : Math.min(layers, opts.layer);
  const max = opts.max ?? 300;
  const re = wordPattern(w);
  const occurrences: Occurrence[] = [];
  const linesOf = new Map<string, string[]>(); // the files that have occurrences, kept for encoding
  let total = 0;
  let scanned = 0;
  for (const file of files) {
    const text = readTextFile(file);
    if (text === undefined) continue;
    scanned++;
    const lines = text.split('\n');
    const before = occurrences.length;
    for (let i = 0; i < lines.length; i++) {
      re.lastIndex = 0;
      for (let m = re.exec(lines[i]); m; m = re.exec(lines[i])) {
        total++;
        if (occurrences.length < max) {
          const line = lines[i].replace(/\r$/, '');
          const a = Math.max(0, m.index - 80);
          const b = Math.min(line.length, m.index + m[0].length + 80);
          occurrences.push({
            file,
            line: i,
            start: m.index,
            end: m.index + m[0].length,
            context: (a > 0 ? '…' : '') + line.slice(a, b) + (b < line.length ? '…' : ''),
          });
        }
      }
    }
    if (occurrences.length > before) linesOf.set(file, lines);
  }
  if (occurrences.length === 0)
    throw new Error(
      l10n.t(
        '"{0}" does not occur in the {1} workspace text files searched; pick a word that does.',
        w,
        scanned,
      ),
    );
  const H = p.hiddenSize;
  const vectors = new Float32Array(occurrences.length * H);
  const v = p.vocab;
  // one sequence per occurrence: its line's pieces, cut to WINDOW either side of the word
  const seqs: { ids: number[]; from: number; to: number }[] = [];
  for (const o of occurrences) {
    const pieces = p.tok.encode(linesOf.get(o.file)![o.line].replace(/\r$/, ''));
    let from = pieces.findIndex((x) => x.end > o.start);
    let to = pieces.findIndex((x) => x.start >= o.end);
    if (from < 0) from = pieces.length - 1;
    if (to < 0) to = pieces.length;
    if (to <= from) to = from + 1;
    const a = Math.max(0, from - WINDOW);
    const b = Math.min(pieces.length, to + WINDOW);
    seqs.push({
      ids: [v.clsId, ...pieces.slice(a, b).map((x) => x.id), v.sepId],
      from: from - a + 1,
      to: to - a + 1,
    });
  }
  const BATCH = 16;
  for (let s = 0; s < seqs.length; s += BATCH) {
    const batch = seqs.slice(s, s + BATCH);
    const T = Math.max(...batch.map((x) => x.ids.length));
    const ids = new Int32Array(batch.length * T);
    const mask = new Float32Array(batch.length * T);
    batch.forEach((x, i) => {
      ids.set(x.ids, i * T);
      mask.fill(1, i * T, i * T + x.ids.length);
    });
    const out = p.hiddenStates(ids, mask, batch.length, layer); // [B, T, H]
    const data = out.dataSync() as Float32Array;
    out.dispose();
    batch.forEach((x, i) => {
      const o = (s + i) * H;
      for (let t = x.from; t < x.to; t++)
        for (let c = 0; c < H; c++) vectors[o + c] += data[(i * T + t) * H + c];
      for (let c = 0; c < H; c++) vectors[o + c] /= x.to - x.from;
    });
  }
  return {
    word: w,
    layer,
    layers,
    dim: H,
    occurrences,
    vectors,
    scanned,
    total,
    notice: total > max ? `"${w}" occurs ${total} times; the first ${max} are shown.` : undefined,
  };
}
