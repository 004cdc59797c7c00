// The projection on screen as CSV or TSV: word, coordinates, corpus count, and whether it is the
// selected word or one of its listed neighbours.
import type { Projected } from './state';

export function projectionText(
  p: Projected,
  format: 'csv' | 'tsv',
  selected: string,
  near: ReadonlySet<string>,
): string {
  const sep = format === 'csv' ? ',' : '\t';
  const cell = (s: string) =>
    format === 'csv' ? (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s) : s.replace(/[\t\n]/g, ' ');
  const axes = ['x', 'y', 'z'].slice(0, p.dims);
  const lines = [['word', ...axes, 'count', 'selected'].join(sep)];
  p.words.forEach((w, i) => {
    const count = p.counts?.[i] !== undefined ? String(p.counts[i]) : '';
    const c = axes.map((_, d) => p.coords[i * p.dims + d].toFixed(6));
    lines.push([cell(w), ...c, count, w === selected || near.has(w) ? '1' : '0'].join(sep));
  });
  return `${lines.join('\n')}\n`;
}
