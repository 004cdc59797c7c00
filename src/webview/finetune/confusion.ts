// The confusion matrix of a run's best epoch (rows: gold label, columns: predicted) and its per-label
// precision, recall and F1. A cell's colour is its share of the row (the gold label's examples), blue
// on the diagonal and orange off it, so a 2-label and a 20-label matrix read alike; long label names
// are shortened in the column headers and shown whole in a tooltip and in the row headers.
import type { RunView } from '../../shared/protocol/finetune';
import { l10n } from '../common/l10n';
import { el, pct } from '../common/vscodeApi';
import { runColour } from './curves';

type Metrics = NonNullable<RunView['best']>;

const short = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export function confusionMatrix(m: Metrics): HTMLElement {
  const L = m.labels.length;
  const wrap = el('div', 'confusion-wrap');
  wrap.style.overflowX = 'auto';
  const table = el('table', 'confusion');
  table.setAttribute(
    'aria-label',
    l10n.t('Confusion matrix, {0} labels: rows are gold labels, columns predicted', L),
  );
  table.style.borderCollapse = 'collapse';
  table.style.fontSize = L > 12 ? '11px' : '12px';
  const head = el('tr');
  const corner = el('th', undefined, l10n.t('gold ↓ / predicted →'));
  corner.style.fontWeight = 'normal';
  corner.style.textAlign = 'left';
  head.append(corner);
  const colWidth = L > 12 ? 4 : 8;
  for (const l of m.labels) {
    const th = el('th', undefined, short(l, colWidth));
    th.title = l;
    th.style.padding = '2px 4px';
    head.append(th);
  }
  table.append(head);
  const blue = runColour(0);
  const orange = runColour(1);
  m.confusion.forEach((row, g) => {
    const tr = el('tr');
    const th = el('th', undefined, short(m.labels[g], 24));
    th.title = m.labels[g];
    th.style.textAlign = 'right';
    th.style.paddingRight = '6px';
    tr.append(th);
    const total = row.reduce((s, x) => s + x, 0);
    row.forEach((n, p) => {
      const td = el('td', g === p ? 'diag' : 'off', String(n));
      const share = total ? n / total : 0;
      td.dataset.gold = m.labels[g];
      td.dataset.predicted = m.labels[p];
      td.title = l10n.t(
        'gold {0}, predicted {1}: {2} ({3} of {4})',
        m.labels[g],
        m.labels[p],
        n,
        pct(share),
        m.labels[g],
      );
      td.style.textAlign = 'center';
      td.style.minWidth = L > 12 ? '22px' : '34px';
      td.style.padding = '3px 2px';
      td.style.border = '1px solid var(--vscode-editorWidget-border, #555)';
      if (n > 0) {
        // 0.15–0.9 opacity by share of the row, so a lone count still shows
        td.style.backgroundColor = `color-mix(in srgb, ${g === p ? blue : orange} ${Math.round(15 + share * 75)}%, transparent)`;
      } else td.style.opacity = '0.5';
      tr.append(td);
    });
    table.append(tr);
  });
  wrap.append(table);
  return wrap;
}

export function perLabelTable(m: Metrics): HTMLTableElement {
  const t = el('table', 'per-label');
  t.setAttribute('aria-label', l10n.t('Per-label precision, recall and F1'));
  const head = el('tr');
  for (const h of [l10n.t('label'), l10n.t('precision'), l10n.t('recall'), 'F1', l10n.t('support')])
    head.append(el('th', undefined, h));
  t.append(head);
  for (const p of m.perLabel) {
    const tr = el('tr');
    tr.dataset.label = p.label;
    tr.append(
      el('td', undefined, p.label),
      el('td', 'num', pct(p.precision)),
      el('td', 'num', pct(p.recall)),
      el('td', 'num', pct(p.f1)),
      el('td', 'num', String(p.support)),
    );
    t.append(tr);
  }
  return t;
}
