// The Predict Mask panel follows its document: an undo of a candidate puts [MASK] back and the panel
// unmarks it; typing before a mask moves it; typing inside one makes the prediction stale.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { editedSentence, holding, type MaskSpan, moveSpans } from '../../src/extension/commands/maskSpans';

const doc0 = 'The jury said the [MASK] was [MASK].';

function spansOf(text: string): MaskSpan[] {
  const out: MaskSpan[] = [];
  for (let i = text.indexOf('[MASK]'); i >= 0; i = text.indexOf('[MASK]', i + 1))
    out.push({ start: i, end: i + 6, original: '[MASK]' });
  return out;
}

/** Applies one change to a string, as the document would. */
function change(text: string, at: number, length: number, insert: string) {
  return {
    text: text.slice(0, at) + insert + text.slice(at + length),
    c: { rangeOffset: at, rangeLength: length, text: insert },
  };
}

describe('mask spans follow the document', () => {
  test('writing a candidate, swapping it, and undoing both brings back [MASK]', () => {
    const spans = spansOf(doc0);
    const cands = [
      ['trial', 'election'],
      ['fair', 'fine'],
    ];
    let text = doc0;
    const w1 = change(text, spans[0].start, 6, 'trial');
    text = w1.text;
    moveSpans(spans, [w1.c]);
    assert.equal(text.slice(spans[0].start, spans[0].end), 'trial');
    assert.equal(text.slice(spans[1].start, spans[1].end), '[MASK]', 'the later mask moved with the text');
    const w2 = change(text, spans[0].start, 5, 'election');
    text = w2.text;
    moveSpans(spans, [w2.c]);
    const texts = () => spans.map((s) => text.slice(s.start, s.end));
    assert.deepEqual(holding(texts(), spans, cands).applied, ['election', null]);
    // one undo of the merged edit: the whole word back to [MASK]
    const undo = change(text, spans[0].start, 8, '[MASK]');
    text = undo.text;
    moveSpans(spans, [undo.c]);
    assert.equal(text, doc0);
    assert.deepEqual(holding(texts(), spans, cands), { applied: [null, null], edited: [] });
  });

  test('typing before a mask moves it; typing inside it makes the prediction stale', () => {
    const spans = spansOf(doc0);
    let text = doc0;
    const a = change(text, 0, 0, 'Yes. ');
    text = a.text;
    moveSpans(spans, [a.c]);
    assert.equal(text.slice(spans[0].start, spans[0].end), '[MASK]');
    const b = change(text, spans[1].start + 2, 0, 'x');
    text = b.text;
    moveSpans(spans, [b.c]);
    const h = holding(
      spans.map((s) => text.slice(s.start, s.end)),
      spans,
      [[], []],
    );
    assert.deepEqual(h.edited, [1]);
    assert.match(editedSentence(h.edited), /^The text at mask 2 was edited since the prediction/);
  });

  test('text typed right after a mask is not part of it', () => {
    const spans = spansOf(doc0);
    const a = change(doc0, spans[0].end, 0, 's');
    moveSpans(spans, [a.c]);
    assert.equal(a.text.slice(spans[0].start, spans[0].end), '[MASK]');
  });
});
