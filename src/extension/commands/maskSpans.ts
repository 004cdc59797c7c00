import { l10n } from '../l10n';
// Where each mask of a prediction is in its document as the document changes (the panel follows undo
// and typing), and what each holds. Pure offsets, no vscode: unit-tested in test/unit/maskSpans.test.ts.

export interface MaskSpan {
  start: number; // document offsets of the text standing in for the mask now
  end: number;
  original: string; // what was there when predicted: "[MASK]", or the masked word
}

/** One content change, as VS Code reports it: offsets before the change. */
export interface TextChange {
  rangeOffset: number;
  rangeLength: number;
  text: string;
}

/**
 * Moves the spans through the changes of one document event (applied in the order given, as VS Code
 * lists them: each offset valid after the ones before). A change before a span shifts it; one that
 * touches it (an undo of a candidate, typing inside) becomes part of it; one after it leaves it.
 */
export function moveSpans(spans: MaskSpan[], changes: readonly TextChange[]): void {
  for (const c of changes) {
    const cs = c.rangeOffset;
    const ce = cs + c.rangeLength;
    const delta = c.text.length - c.rangeLength;
    for (const s of spans) {
      if (ce <= s.start) {
        s.start += delta;
        s.end += delta;
      } else if (cs >= s.end) {
        // after the span: nothing moves
      } else {
        const start = Math.min(s.start, cs);
        s.end = Math.max(s.end, ce) + delta;
        s.start = start;
      }
    }
  }
}

/** What a prediction's masks hold now: null where the text is as predicted, else the candidate. */
export interface Holding {
  applied: (string | null)[];
  edited: number[]; // masks whose text is neither the original nor a candidate
}

export function holding(
  texts: readonly string[],
  spans: readonly MaskSpan[],
  candidates: string[][],
): Holding {
  const applied: (string | null)[] = [];
  const edited: number[] = [];
  texts.forEach((t, i) => {
    if (t === spans[i].original) applied.push(null);
    else if (candidates[i]?.includes(t)) applied.push(t);
    else {
      applied.push(null);
      edited.push(i);
    }
  });
  return { applied, edited };
}

/** The sentence the panel shows when the text at a mask was edited by hand. */
export function editedSentence(edited: readonly number[]): string {
  const which = edited.map((i) => i + 1).join(', ');
  return l10n.t(
    'The text at mask {0} was edited since the prediction, so its candidates can no longer be written; predict again.',
    which,
  );
}
