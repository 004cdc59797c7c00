// The static-vs-contextual view of the Embedding Explorer for an ELMo model: every occurrence of a
// word in the given files, each line read by the biLM, the word's vector at one layer (0 = the token
// layer, which is the same for every occurrence; the last biLSTM layer unless asked). The same answer
// as contextual.ts gives for BERT, so the view draws either.

import { l10n } from '../../shared/l10nCore';
import type { ContextualResult, Occurrence } from './contextual';
import { readTextFile, wordPattern } from './contextual';
import type { LayerStates } from './loadedModel';

export function elmoContextualOccurrences(
  states: LayerStates,
  word: string,
  files: readonly string[],
  opts: { layer?: number; max?: number } = {},
): ContextualResult {
  const w = word.trim();
  if (!w) throw new Error(l10n.t('Select a word in the editor first.'));
  const last = states.numLayers - 1;
  const layer = opts.layer === undefined || opts.layer < 0 ? last : Math.min(last, opts.layer);
  const max = opts.max ?? 300;
  const re = wordPattern(w);
  const occurrences: Occurrence[] = [];
  const lines: string[] = [];
  let total = 0;
  let scanned = 0;
  for (const file of files) {
    const text = readTextFile(file);
    if (text === undefined) continue;
    scanned++;
    text.split('\n').forEach((raw, i) => {
      const line = raw.replace(/\r$/, '');
      re.lastIndex = 0;
      for (let m = re.exec(line); m; m = re.exec(line)) {
        total++;
        if (occurrences.length >= max) continue;
        const a = Math.max(0, m.index - 80);
        const b = Math.min(line.length, m.index + m[0].length + 80);
        occurrences.push({
          file,
          line: i,
          start: m.index,
          end: m.index + m[0].length,
          context: (a > 0 ? '…' : '') + line.slice(a, b) + (b < line.length ? '…' : ''),
        });
        lines.push(line);
      }
    });
  }
  if (occurrences.length === 0)
    throw new Error(
      l10n.t(
        '"{0}" does not occur in the {1} workspace text files searched; pick a word that does.',
        w,
        scanned,
      ),
    );
  const D = states.dim;
  const vectors = new Float32Array(occurrences.length * D);
  const read = new Map<string, ReturnType<LayerStates['tokenLayers']>>(); // a line read once
  occurrences.forEach((o, k) => {
    const line = lines[k];
    let r = read.get(line);
    if (!r) {
      r = states.tokenLayers(line);
      read.set(line, r);
    }
    // the word's tokens (a Chinese word is several characters): their mean
    const at = r.tokens.flatMap((t, i) => (t.end > o.start && t.start < o.end ? [i] : []));
    for (const i of at) for (let c = 0; c < D; c++) vectors[k * D + c] += r.layers[layer][i][c] / at.length;
  });
  return {
    word: w,
    layer,
    layers: last,
    dim: D,
    occurrences,
    vectors,
    scanned,
    total,
    notice:
      total > max ? l10n.t('"{0}" occurs {1} times; the first {2} are shown.', w, total, max) : undefined,
  };
}
