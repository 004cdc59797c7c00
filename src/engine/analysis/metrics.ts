// Task metrics: accuracy, per-label precision/recall/F1 and their macro mean, a confusion matrix, and
// entity precision/recall/F1 over BIO/BIOES (or bare B/I/E/S) tags as seqeval's default mode computes
// them (the conlleval rules of chunk start and end, micro-averaged over entities).
import type { EvalMetrics } from '../../shared/finetune';

/** Confusion [gold][predicted] over label ids, with accuracy and per-label scores. */
export function classificationMetrics(
  gold: readonly number[],
  pred: readonly number[],
  labels: readonly string[],
  loss = Number.NaN,
): EvalMetrics {
  const L = labels.length;
  const confusion = Array.from({ length: L }, () => new Array<number>(L).fill(0));
  let right = 0;
  gold.forEach((g, i) => {
    confusion[g][pred[i]]++;
    if (g === pred[i]) right++;
  });
  const perLabel = labels.map((label, k) => {
    const tp = confusion[k][k];
    const predicted = confusion.reduce((s, row) => s + row[k], 0);
    const support = confusion[k].reduce((s, x) => s + x, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  // macro-F1 over the labels that occur in gold or predictions (scikit-learn's default labels)
  const seen = perLabel.filter((p, k) => p.support > 0 || confusion.some((row) => row[k] > 0));
  const macroF1 = seen.length ? seen.reduce((s, p) => s + p.f1, 0) / seen.length : 0;
  return {
    loss,
    accuracy: gold.length ? right / gold.length : 0,
    macroF1,
    perLabel,
    confusion,
    labels: [...labels],
  };
}

/** An entity: its type and the first and last token index (inclusive). */
export interface Entity {
  type: string;
  start: number;
  end: number;
}

function split(tag: string): { prefix: string; type: string } {
  if (tag === 'O' || tag === '') return { prefix: 'O', type: '' };
  let prefix = tag[0];
  if (prefix === 'L') prefix = 'E'; // BILOU reads as BIOES
  if (prefix === 'U') prefix = 'S';
  const rest = tag.slice(1).replace(/^[-_]/, '');
  return { prefix, type: rest || '_' };
}

function endOfChunk(prev: string, tag: string, prevType: string, type: string): boolean {
  if (prev === 'E' || prev === 'S') return true;
  if ((prev === 'B' || prev === 'I') && (tag === 'B' || tag === 'S' || tag === 'O')) return true;
  return prev !== 'O' && prevType !== type;
}

function startOfChunk(prev: string, tag: string, prevType: string, type: string): boolean {
  if (tag === 'B' || tag === 'S') return true;
  if ((prev === 'E' || prev === 'S' || prev === 'O') && (tag === 'E' || tag === 'I')) return true;
  return tag !== 'O' && prevType !== type;
}

/** The entities of one sentence's tags (seqeval's get_entities). */
export function entities(tags: readonly string[]): Entity[] {
  const out: Entity[] = [];
  let prev = 'O';
  let prevType = '';
  let begin = 0;
  [...tags, 'O'].forEach((t, i) => {
    const { prefix, type } = split(t);
    if (endOfChunk(prev, prefix, prevType, type)) out.push({ type: prevType, start: begin, end: i - 1 });
    if (startOfChunk(prev, prefix, prevType, type)) begin = i;
    prev = prefix;
    prevType = type;
  });
  return out;
}

/** True when the label set reads as chunk tags (every label O, or a B/I/E/S/L/U prefix). */
export function isChunkScheme(labels: readonly string[]): boolean {
  return (
    labels.some((l) => l !== 'O') &&
    labels.every((l) => l === 'O' || /^[BIESLU]([-_].+)?$/.test(l)) &&
    labels.some((l) => l.startsWith('B') || l.startsWith('S'))
  );
}

/** Micro precision/recall/F1 of exactly matching entities over sentences. */
export function entityScores(
  gold: readonly (readonly string[])[],
  pred: readonly (readonly string[])[],
): { precision: number; recall: number; f1: number } {
  let nGold = 0;
  let nPred = 0;
  let right = 0;
  gold.forEach((g, s) => {
    const key = (e: Entity) => `${e.type}\u0000${e.start}\u0000${e.end}`;
    const ge = new Set(entities(g).map(key));
    const pe = entities(pred[s]).map(key);
    nGold += ge.size;
    nPred += pe.length;
    for (const k of pe) if (ge.has(k)) right++;
  });
  const precision = nPred ? right / nPred : 0;
  const recall = nGold ? right / nGold : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}
