// What Classify Selection and Tag Selection draw, computed without vscode so the unit tests check it:
// the ranges of tagged spans in document offsets (BIO/BIOES/BIES chunks merged into one entity span,
// other tags one span per word), a colour slot per entity type, and the text of the hovers (bars on a
// fixed 0–1 scale, so 0.5 always looks like half).
import type { TagAnswer } from '../shared/finetune';

export interface TaggedWord {
  start: number; // document offsets
  end: number;
  token: string;
  label: string;
  probability: number;
  top: { label: string; probability: number }[];
}

/** One decorated range: an entity (several words) or one word's tag. */
export interface TagSpan {
  start: number; // document offset of its first character
  end: number; // document offset just past its last character
  type: string; // the entity type ('PER') or, for plain tags, the tag ('NOUN')
  colour: number; // slot in the palette, the same for every span of this type
  words: TaggedWord[];
}

const CHUNK = /^([BIESLU])[-_](.+)$/;

/** The prefix and type of a chunk tag ('B-PER' → B, PER); bare B/I/E/S (word segmentation) → type 'word'. */
export function chunkOf(label: string): { prefix: string; type: string } | undefined {
  if (label === 'O') return { prefix: 'O', type: '' };
  const m = CHUNK.exec(label);
  if (m) return { prefix: m[1] === 'L' ? 'E' : m[1] === 'U' ? 'S' : m[1], type: m[2] };
  if (/^[BIES]$/.test(label)) return { prefix: label, type: 'word' };
  return undefined;
}

/** True when the labels read as chunk tags (BIO and friends), so spans merge into entities. */
export function isChunked(labels: readonly string[]): boolean {
  return (
    labels.some((l) => l !== 'O') &&
    labels.every((l) => chunkOf(l) !== undefined) &&
    labels.some((l) => /^[BSU]/.test(l))
  );
}

/**
 * The spans to decorate for a tag answer on text that starts at document offset `offset`. Chunk tags
 * merge: B-X starts an entity, I-X/E-X continue one of the same type, anything else ends it (an I-X
 * after O or another type starts one, as seqeval reads it); 'O' words are not decorated.
 */
export function tagSpans(answer: TagAnswer, offset: number, labels?: readonly string[]): TagSpan[] {
  const words: TaggedWord[] = answer.tokens.map((t) => ({
    start: offset + t.start,
    end: offset + t.end,
    token: t.token,
    label: t.label,
    probability: t.probability,
    top: t.top ?? [{ label: t.label, probability: t.probability }],
  }));
  const chunked = isChunked(labels ?? words.map((w) => w.label));
  const types: string[] = [];
  const colour = (type: string) => {
    let i = types.indexOf(type);
    if (i < 0) i = types.push(type) - 1;
    return i;
  };
  // colours follow the model's label order when known, so PER is the same colour in every selection
  for (const l of labels ?? []) {
    const c = chunked ? chunkOf(l) : { prefix: 'S', type: l };
    if (c && c.prefix !== 'O') colour(c.type);
  }
  const spans: TagSpan[] = [];
  if (!chunked) {
    // 'O' is "no tag" in any scheme (an NER selection predicted all O reads as unchunked)
    for (const w of words.filter((x) => x.label !== 'O'))
      spans.push({ start: w.start, end: w.end, type: w.label, colour: colour(w.label), words: [w] });
    return spans;
  }
  let open: TagSpan | undefined;
  for (const w of words) {
    const c = chunkOf(w.label) ?? { prefix: 'O', type: '' };
    const continues = open && open.type === c.type && (c.prefix === 'I' || c.prefix === 'E');
    if (continues && open) {
      open.end = w.end;
      open.words.push(w);
    } else {
      open = undefined;
      if (c.prefix !== 'O') {
        // segmented words (bare B/I/E/S) alternate two colours, so neighbours stay apart
        const slot = c.type === 'word' ? spans.length % 2 : colour(c.type);
        open = { start: w.start, end: w.end, type: c.type, colour: slot, words: [w] };
        spans.push(open);
      }
    }
    if (c.prefix === 'E' || c.prefix === 'S') open = undefined;
  }
  return spans;
}

/** A bar of `width` cells for a probability on a fixed 0–1 scale. */
export function bar(p: number, width = 20): string {
  const n = Math.round(Math.min(1, Math.max(0, p)) * width);
  return `${'█'.repeat(n)}${'░'.repeat(width - n)}`;
}

/** The label distribution, likeliest first, one line per label: `spam  ██████████████████░░  91.0%`. */
export function distributionLines(probabilities: Record<string, number>, width = 20): string[] {
  const rows = Object.entries(probabilities).sort((a, b) => b[1] - a[1]);
  const w = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, p]) => `${l.padEnd(w)}  ${bar(p, width)}  ${(p * 100).toFixed(1).padStart(5)}%`);
}

/** The hover of a tagged span: each word with its likeliest tags and their bars. */
export function spanHover(span: TagSpan): string {
  const out: string[] = [];
  for (const w of span.words) {
    out.push(`${w.token} → ${w.label}`);
    const dist = Object.fromEntries(w.top.map((t) => [t.label, t.probability]));
    out.push(...distributionLines(dist, 10).map((l) => `  ${l}`));
  }
  return out.join('\n');
}
