// Sequence classification data: JSONL {"text","label"}, CSV/TSV with a header naming the columns
// (text and label by default, or a mapping), or header-less `text<TAB>label` lines (label last).
import {
  type ColumnMapping,
  columnIndex,
  formatOf,
  jsonText,
  parseJsonLine,
  readTaskFile,
  splitRow,
  TaskDataError,
  type TextExample,
} from './common';

/** Reads text examples (one or two texts per example); `pair` asks for text_a/text_b. */
export function readTextExamples(file: string, pair: boolean, columns: ColumnMapping = {}): TextExample[] {
  const lines = readTaskFile(file);
  const format = formatOf(file, lines);
  const names = {
    text: columns.text ?? (pair ? 'text_a' : 'text'),
    textB: columns.textB ?? 'text_b',
    label: columns.label ?? 'label',
  };
  const out: TextExample[] = [];
  if (format === 'jsonl') {
    lines.forEach((l, i) => {
      if (!l.trim()) return;
      const o = parseJsonLine(l, file, i + 1);
      out.push({
        text: jsonText(o, names.text, file, i + 1),
        textB: pair ? jsonText(o, names.textB, file, i + 1) : undefined,
        label: jsonText(o, names.label, file, i + 1),
        line: i + 1,
      });
    });
    return nonEmpty(out, file);
  }
  const first = lines.findIndex((l) => l.trim());
  const head = splitRow(lines[first], format).map((h) => h.trim());
  // A header when the mapping was given, the file is CSV, or the first row names the label column.
  const hasHeader = columns.label !== undefined || format === 'csv' || head.includes(names.label);
  const want = pair ? 3 : 2;
  let ix: { text: number; textB: number; label: number };
  if (hasHeader) {
    ix = {
      text: columnIndex(head, names.text, file, 'text'),
      textB: pair ? columnIndex(head, names.textB, file, 'second text') : -1,
      label: columnIndex(head, names.label, file, 'label'),
    };
  } else ix = { text: 0, textB: pair ? 1 : -1, label: -1 };
  lines.forEach((l, i) => {
    if (i < first || (hasHeader && i === first) || !l.trim()) return;
    const f = splitRow(l, format);
    const n = i + 1;
    if (!hasHeader && f.length < want)
      throw new TaskDataError(
        `${file} line ${n} has no label; write ${pair ? 'text A, a tab, text B, a tab' : 'the text, a tab'} and the label.`,
      );
    const label = (ix.label >= 0 ? f[ix.label] : f[f.length - 1])?.trim();
    const text = f[ix.text]?.trim();
    const textB = pair ? f[ix.textB]?.trim() : undefined;
    if (!label) throw new TaskDataError(`${file} line ${n} has no label; give every line one.`);
    if (!text || (pair && !textB))
      throw new TaskDataError(`${file} line ${n} has an empty text; give every line its text.`);
    // header-less classify lines: every field but the last is text (a text may hold tabs)
    const whole = !hasHeader && !pair ? f.slice(0, -1).join('\t').trim() : text;
    out.push({ text: whole, textB, label, line: n });
  });
  return nonEmpty(out, file);
}

export function readClassifyFile(file: string, columns?: ColumnMapping): TextExample[] {
  return readTextExamples(file, false, columns);
}

function nonEmpty(out: TextExample[], file: string): TextExample[] {
  if (out.length === 0) throw new TaskDataError(`${file} holds no examples; give it one per line.`);
  return out;
}
