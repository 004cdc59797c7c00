// What the task readers share: the error that names the file and line, reading a file's lines, one
// row of CSV/TSV (RFC 4180 quoting for CSV), header columns, and the checks on a set of labels.
import * as fs from 'node:fs';
import * as path from 'node:path';

export class TaskDataError extends Error {
  override name = 'TaskDataError'; // kept across the worker channel (src/shared/rpc.ts)
}

/** A text example of classification (textB for sentence pairs); `line` is 1-based in its file. */
export interface TextExample {
  text: string;
  textB?: string;
  label: string;
  line: number;
}

export interface ColumnMapping {
  text?: string;
  textB?: string;
  label?: string;
}

export type FileFormat = 'jsonl' | 'csv' | 'tsv';

export function readTaskFile(file: string): string[] {
  if (!fs.existsSync(file) || !fs.statSync(file).isFile())
    throw new TaskDataError(`The task file ${file} does not exist; pick an existing file.`);
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  if (!text.trim()) throw new TaskDataError(`The task file ${file} is empty; give it one example per line.`);
  return text.split(/\r?\n/);
}

/** JSONL by extension or by its first non-blank character, CSV by extension, else tab-separated. */
export function formatOf(file: string, lines: string[]): FileFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.json') return 'jsonl';
  if (ext === '.csv') return 'csv';
  const first = lines.find((l) => l.trim());
  return first?.trimStart().startsWith('{') ? 'jsonl' : 'tsv';
}

/** One row's fields: CSV with "quoted, fields" and "" for a quote; TSV split on tabs. */
export function splitRow(line: string, format: 'csv' | 'tsv'): string[] {
  if (format === 'tsv') return line.split('\t');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** The index of a named column in a header row, or one sentence listing the columns there are. */
export function columnIndex(header: string[], name: string, file: string, role: string): number {
  const i = header.findIndex((h) => h.trim() === name);
  if (i < 0)
    throw new TaskDataError(
      `${file} has no column "${name}" for the ${role}; its columns are ${header.map((h) => `"${h.trim()}"`).join(', ')}.`,
    );
  return i;
}

export function parseJsonLine(line: string, file: string, n: number): Record<string, unknown> {
  let x: unknown;
  try {
    x = JSON.parse(line);
  } catch {
    throw new TaskDataError(`${file} line ${n} is not valid JSON; write one JSON object per line.`);
  }
  if (typeof x !== 'object' || x === null || Array.isArray(x))
    throw new TaskDataError(`${file} line ${n} is not a JSON object; write one object per line.`);
  return x as Record<string, unknown>;
}

export function jsonText(o: Record<string, unknown>, key: string, file: string, n: number): string {
  const v = o[key];
  if (typeof v === 'string' && v.trim()) return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new TaskDataError(`${file} line ${n} has no "${key}"; every line needs one.`);
}

/** The labels in first-seen order, after checking there are at least two. */
export function labelSet(labels: Iterable<string>, file: string): string[] {
  const set = [...new Set(labels)];
  if (set.length < 2)
    throw new TaskDataError(
      `${file} has only the label "${set[0] ?? ''}"; a classifier needs at least two labels.`,
    );
  return set;
}

/** Dev labels must be among the training labels (the head has one output per training label). */
export function checkDevLabels(
  dev: Iterable<{ label: string; line: number }>,
  known: string[],
  file: string,
): void {
  const k = new Set(known);
  for (const e of dev)
    if (!k.has(e.label))
      throw new TaskDataError(
        `${file} line ${e.line} has the label "${e.label}", which the training file never uses; add training examples of it or drop the line.`,
      );
}
