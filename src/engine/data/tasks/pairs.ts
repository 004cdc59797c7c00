// Sentence-pair data (entailment, paraphrase): JSONL {"text_a","text_b","label"}, CSV/TSV with a
// header (text_a, text_b, label, or a mapping), or header-less `A<TAB>B<TAB>label` lines.
import { readTextExamples } from './classify';
import type { ColumnMapping, TextExample } from './common';

export function readPairsFile(file: string, columns?: ColumnMapping): TextExample[] {
  return readTextExamples(file, true, columns);
}
