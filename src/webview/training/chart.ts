// A line chart of one metric against the job's position (step or epoch), drawn on a canvas in the
// theme's colours, as wide as the panel gives it. A quantity keeps one unit everywhere: an accuracy
// is in % on the axis, in the aria-label and in the numbers above alike. The aria-label states the
// latest value, so a screen reader (and a test) can read what the line shows.
import type { Metric } from '../../shared/protocol/training';
import { formatMetric } from '../../shared/protocol/training';
import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';

export interface ChartSpec {
  title: string; // the metric's name, as the job named it
  unit: string; // 'step' or 'epoch', for the label of the latest point
  points: [number, number][]; // [position, value], in order
  colour: string;
  fixed?: [number, number]; // a fixed y range, e.g. [0, 1] for accuracies
  format?: Metric['format']; // how the value reads; 'percent' puts % on the axis
  width?: number; // CSS pixels; the default suits a narrow panel
}

// more points than this are thinned before drawing: a chart a thousand pixels wide shows no more
const MAX_DRAWN = 1200;
export const CHART_MIN_WIDTH = 280;
export const CHART_GAP = 12;

/** The width of each chart so that `count` of them fill `avail` pixels in as few rows as fit. */
export function chartWidth(avail: number, count: number): number {
  const room = Math.max(CHART_MIN_WIDTH, avail);
  const columns = Math.max(
    1,
    Math.min(count, Math.floor((room + CHART_GAP) / (CHART_MIN_WIDTH + CHART_GAP))),
  );
  return Math.floor((room - CHART_GAP * (columns - 1)) / columns);
}

export function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** The theme's chart colours, in the order metrics take them. */
export function chartColour(i: number): string {
  const palette: [string, string][] = [
    ['--vscode-charts-blue', '#3794ff'],
    ['--vscode-charts-green', '#89d185'],
    ['--vscode-charts-orange', '#d18616'],
    ['--vscode-charts-purple', '#b180d7'],
    ['--vscode-charts-red', '#f14c4c'],
    ['--vscode-charts-yellow', '#cca700'],
  ];
  const [name, fallback] = palette[i % palette.length];
  return cssVar(name, fallback);
}

/** A position as a label: steps are whole, epochs as fractions get two decimals. */
export function fmtPosition(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(2);
}

function fmtAxis(y: number, format?: Metric['format']): string {
  if (format === 'percent') return `${Math.round(y * 100)}%`;
  return Math.abs(y) >= 1000 ? Math.round(y).toLocaleString('en') : y.toFixed(2);
}

/** The latest value as the numbers above the charts show it (percent as %, a loss to 3 decimals). */
function fmtValue(y: number, format?: Metric['format']): string {
  return format ? formatMetric({ value: y, format }) : y.toFixed(3);
}

function thin(points: [number, number][]): [number, number][] {
  if (points.length <= MAX_DRAWN) return points;
  const stride = points.length / MAX_DRAWN;
  const out: [number, number][] = [];
  for (let i = 0; i < MAX_DRAWN; i++) out.push(points[Math.floor(i * stride)]);
  out.push(points[points.length - 1]); // the latest point is always drawn
  return out;
}

function range(values: number[]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

export function chart(spec: ChartSpec): HTMLElement {
  const { title, unit, colour, fixed, format } = spec;
  const box = el('figure', 'chart');
  box.append(el('figcaption', undefined, title));
  const canvas = el('canvas');
  const w = Math.max(CHART_MIN_WIDTH, Math.round(spec.width ?? 320));
  const h = w > 480 ? 180 : 140;
  box.style.width = `${w}px`;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = w * dpr;
  canvas.height = h * dpr;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  canvas.setAttribute('role', 'img');
  const last = spec.points[spec.points.length - 1];
  canvas.setAttribute(
    'aria-label',
    last
      ? l10n.t('{0}: {1} at {2} {3}', title, fmtValue(last[1], format), unit, fmtPosition(last[0]))
      : l10n.t('{0}: no data yet', title),
  );
  box.append(canvas);
  const g = canvas.getContext('2d');
  if (!g) return box;
  g.scale(dpr, dpr);
  const pad = { l: 44, r: 8, t: 8, b: 20 };
  g.strokeStyle = cssVar('--vscode-editorWidget-border', '#8884');
  g.lineWidth = 1;
  g.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
  const values = thin(spec.points);
  if (values.length === 0) return box;
  const [x0, x1] = range(values.map((v) => v[0]));
  const [y0, y1] = fixed ?? range(values.map((v) => v[1]));
  const ySpan = y1 - y0 || 1;
  const xSpan = x1 - x0 || 1;
  const X = (x: number) => pad.l + ((x - x0) / xSpan) * (w - pad.l - pad.r);
  const Y = (y: number) => h - pad.b - ((y - y0) / ySpan) * (h - pad.t - pad.b);
  g.fillStyle = cssVar('--vscode-foreground', '#888');
  g.font = `10px ${cssVar('--vscode-font-family', 'sans-serif')}`;
  g.fillText(fmtAxis(y1, format), 2, pad.t + 8);
  g.fillText(fmtAxis(y0, format), 2, h - pad.b);
  g.fillText(fmtPosition(x0), pad.l, h - 5);
  const xl = fmtPosition(x1);
  g.fillText(xl, w - pad.r - g.measureText(xl).width, h - 5);
  g.strokeStyle = colour;
  g.lineWidth = 1.5;
  g.beginPath();
  let drawing = false;
  for (const [x, y] of values) {
    if (!Number.isFinite(y)) {
      drawing = false; // a diverged (NaN or infinite) value leaves a gap
      continue;
    }
    if (drawing) g.lineTo(X(x), Y(y));
    else g.moveTo(X(x), Y(y));
    drawing = true;
  }
  g.stroke();
  if (values.length === 1) {
    // a lone point (e.g. the first epoch's mean) would draw no line: show it as a dot
    g.fillStyle = colour;
    g.beginPath();
    g.arc(X(values[0][0]), Y(values[0][1]), 2.5, 0, 2 * Math.PI);
    g.fill();
  }
  return box;
}
