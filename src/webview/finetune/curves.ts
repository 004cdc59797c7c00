// Dev curves of one or more fine-tune runs on one SVG chart: a line per run, metric against epoch.
// Accuracies and F1 share a fixed 0–1 scale so runs compare at a glance; dev loss starts at 0. The
// chart's aria-label names each run's last value, so a screen reader (and a test) can read it.
import type { EpochPoint, RunView } from '../../shared/protocol/finetune';
import { l10n } from '../common/l10n';
import { el, pct } from '../common/vscodeApi';

export type CurveMetric = 'accuracy' | 'macroF1' | 'entityF1' | 'loss';

export const CURVE_METRICS: readonly (readonly [CurveMetric, string])[] = [
  ['accuracy', l10n.t('dev accuracy')],
  ['macroF1', l10n.t('dev macro-F1')],
  ['entityF1', l10n.t('dev entity F1')],
  ['loss', l10n.t('dev loss')],
];

const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** The theme's chart colours, resolved (SVG attributes take no CSS variables). */
export function runColour(i: number): string {
  const palette: [string, string][] = [
    ['--vscode-charts-blue', '#3794ff'],
    ['--vscode-charts-orange', '#d18616'],
    ['--vscode-charts-green', '#89d185'],
    ['--vscode-charts-purple', '#b180d7'],
    ['--vscode-charts-red', '#f14c4c'],
    ['--vscode-charts-yellow', '#cca700'],
  ];
  const [name, fallback] = palette[i % palette.length];
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

export function pointValue(p: EpochPoint, m: CurveMetric): number | undefined {
  return m === 'entityF1' ? p.entityF1 : p[m];
}

export function fmtMetric(m: CurveMetric, x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '—';
  return m === 'loss' ? x.toFixed(3) : pct(x);
}

/** One chart of `metric` for every run; runs without that metric (entity F1 of a classifier) are left out. */
export function curvesChart(runs: readonly RunView[], metric: CurveMetric, label: string): SVGSVGElement {
  const W = 640;
  const H = 260;
  const pad = { l: 48, r: 16, t: 12, b: 32 };
  const maxEpoch = Math.max(1, ...runs.flatMap((r) => r.epochs.map((p) => p.epoch)));
  const values = runs.flatMap((r) => r.epochs.map((p) => pointValue(p, metric) ?? Number.NaN));
  const top = metric === 'loss' ? Math.max(1e-6, ...values.filter(Number.isFinite)) * 1.1 : 1; // fixed 0–1 for scores
  const x = (e: number) => pad.l + (maxEpoch === 1 ? 0.5 : (e - 1) / (maxEpoch - 1)) * (W - pad.l - pad.r);
  const y = (v: number) => H - pad.b - (v / top) * (H - pad.t - pad.b);
  const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', class: 'curves' });
  chart.style.maxWidth = `${W}px`;
  const fg = getComputedStyle(document.body).getPropertyValue('--vscode-foreground').trim() || '#ccc';
  const grid =
    getComputedStyle(document.body).getPropertyValue('--vscode-editorWidget-border').trim() || '#555';
  for (let k = 0; k <= 4; k++) {
    const v = (top * k) / 4;
    chart.append(
      svg('line', { x1: pad.l, x2: W - pad.r, y1: y(v), y2: y(v), stroke: grid, 'stroke-width': 0.5 }),
    );
    const t = svg('text', { x: pad.l - 6, y: y(v) + 4, 'text-anchor': 'end', fill: fg, 'font-size': 11 });
    t.textContent = metric === 'loss' ? v.toFixed(2) : `${Math.round(v * 100)}%`;
    chart.append(t);
  }
  const step = Math.max(1, Math.ceil(maxEpoch / 10));
  for (let e = 1; e <= maxEpoch; e += step) {
    const t = svg('text', { x: x(e), y: H - pad.b + 16, 'text-anchor': 'middle', fill: fg, 'font-size': 11 });
    t.textContent = String(e);
    chart.append(t);
  }
  const xl = svg('text', {
    x: (W + pad.l) / 2,
    y: H - 2,
    'text-anchor': 'middle',
    fill: fg,
    'font-size': 11,
  });
  xl.textContent = l10n.t('epoch');
  chart.append(xl);
  const said: string[] = [];
  runs.forEach((r, i) => {
    const pts = r.epochs
      .map((p) => [p.epoch, pointValue(p, metric)] as const)
      .filter((p): p is readonly [number, number] => p[1] !== undefined && Number.isFinite(p[1]));
    if (pts.length === 0) return;
    const colour = runColour(i);
    const g = svg('g', { class: 'run', 'data-run': r.name });
    g.append(
      svg('polyline', {
        points: pts.map(([e, v]) => `${x(e)},${y(v)}`).join(' '),
        fill: 'none',
        stroke: colour,
        'stroke-width': 2,
      }),
    );
    for (const [e, v] of pts) {
      const c = svg('circle', { cx: x(e), cy: y(v), r: 3.5, fill: colour });
      const tip = svg('title', {});
      tip.textContent = l10n.t('{0}, epoch {1}: {2}', r.name, e, fmtMetric(metric, v));
      c.append(tip);
      g.append(c);
    }
    chart.append(g);
    said.push(
      l10n.t(
        '{0} {1} at epoch {2}',
        r.name,
        fmtMetric(metric, pts[pts.length - 1][1]),
        pts[pts.length - 1][0],
      ),
    );
  });
  chart.setAttribute('aria-label', `${label} by epoch: ${said.join('; ') || l10n.t('no points yet')}`);
  return chart;
}

/** The legend under a chart: a colour swatch and the run's name (and how its base was used). */
export function legend(runs: readonly RunView[]): HTMLElement {
  const box = el('div', 'legend');
  runs.forEach((r, i) => {
    const item = el('span', 'legend-item');
    const sw = el('span', 'swatch', '■ ');
    sw.style.color = runColour(i);
    item.append(sw, document.createTextNode(`${r.name} (${r.how})  `));
    box.append(item);
  });
  return box;
}
