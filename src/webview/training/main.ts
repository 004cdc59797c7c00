// The training panel: live charts of MLM loss, MLM accuracy and NSP accuracy per step, tokens/s and
// ETA, a Cancel button, and one sample instance showing how the 80/10/10 masking rule treated it.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { MaskingSample, TrainProgress } from '../../shared/configs';
import type { FromTrainingPanel, ToTrainingPanel, TrainingRunInfo } from '../../shared/webviewProtocol';
import { el, pct, vscodeApi } from '../common/vscodeApi';

interface State {
  run?: TrainingRunInfo;
  points: TrainProgress[];
  sample?: MaskingSample;
  status?: string;
  message?: string;
  logs: string[];
}

const api = vscodeApi<State>();
let state: State = api.getState() ?? { points: [], logs: [] };
const app = document.getElementById('app')!;
const send = (m: FromTrainingPanel) => api.postMessage(m);

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '–';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

/** A line chart of one metric against the step, in the theme's chart colour. */
function chart(
  title: string,
  values: [number, number][],
  colour: string,
  fixed?: [number, number],
): HTMLElement {
  const box = el('figure', 'chart');
  box.append(el('figcaption', undefined, title));
  const canvas = el('canvas');
  const w = 320;
  const h = 140;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = w * dpr;
  canvas.height = h * dpr;
  canvas.style.width = `${w}px`;
  canvas.style.height = `${h}px`;
  canvas.setAttribute('role', 'img');
  const last = values[values.length - 1];
  canvas.setAttribute(
    'aria-label',
    last ? `${title}: ${last[1].toFixed(3)} at step ${last[0]}` : `${title}: no data yet`,
  );
  box.append(canvas);
  const g = canvas.getContext('2d');
  if (!g) return box;
  g.scale(dpr, dpr);
  const fg = cssVar('--vscode-foreground', '#888');
  const grid = cssVar('--vscode-editorWidget-border', '#8884');
  const pad = { l: 40, r: 8, t: 8, b: 20 };
  g.strokeStyle = grid;
  g.lineWidth = 1;
  g.strokeRect(pad.l, pad.t, w - pad.l - pad.r, h - pad.t - pad.b);
  if (values.length === 0) return box;
  const xs = values.map((v) => v[0]);
  const ys = values.map((v) => v[1]);
  const [y0, y1] = fixed ?? [Math.min(...ys), Math.max(...ys)];
  const ySpan = y1 - y0 || 1;
  const x0 = Math.min(...xs);
  const xSpan = Math.max(...xs) - x0 || 1;
  const X = (x: number) => pad.l + ((x - x0) / xSpan) * (w - pad.l - pad.r);
  const Y = (y: number) => h - pad.b - ((y - y0) / ySpan) * (h - pad.t - pad.b);
  g.fillStyle = fg;
  g.font = `10px ${cssVar('--vscode-font-family', 'sans-serif')}`;
  g.fillText(y1.toFixed(2), 2, pad.t + 8);
  g.fillText(y0.toFixed(2), 2, h - pad.b);
  g.fillText(String(x0), pad.l, h - 5);
  const xl = String(Math.max(...xs));
  g.fillText(xl, w - pad.r - g.measureText(xl).width, h - 5);
  g.strokeStyle = colour;
  g.lineWidth = 1.5;
  g.beginPath();
  values.forEach(([x, y], i) => {
    if (i === 0) g.moveTo(X(x), Y(y));
    else g.lineTo(X(x), Y(y));
  });
  g.stroke();
  return box;
}

function renderSample(s: MaskingSample): HTMLElement {
  const sec = el('section', 'sample');
  sec.append(
    el(
      'h3',
      undefined,
      `A training instance (${s.isRandomNext ? 'B is a random segment' : 'B is the actual next segment'})`,
    ),
  );
  const counts = { mask: 0, random: 0, keep: 0 };
  const byIndex = new Map(s.chosen.map((c) => [c.index, c.treatment]));
  const line = el('p', 'tokens');
  s.original.forEach((tok, i) => {
    const t = byIndex.get(i);
    const chip = el(
      'span',
      t ? `tok ${t}` : 'tok',
      t === 'random' ? `${tok}→${s.tokens[i]}` : t === 'mask' ? `${tok}→[MASK]` : tok,
    );
    if (t) {
      counts[t]++;
      chip.title =
        t === 'mask'
          ? 'chosen, replaced by [MASK] (80%)'
          : t === 'random'
            ? 'chosen, replaced by a random token (10%)'
            : 'chosen, kept unchanged (10%)';
    }
    line.append(chip, document.createTextNode(' '));
  });
  sec.append(line);
  const legend = el('p', 'legend');
  legend.append(
    el('span', 'tok mask', `→[MASK] ${counts.mask}`),
    el('span', 'tok random', `→ random ${counts.random}`),
    el('span', 'tok keep', `kept ${counts.keep}`),
    el('span', 'muted', ` of ${s.chosen.length} chosen among ${s.original.length} tokens`),
  );
  sec.append(legend);
  return sec;
}

function render(): void {
  app.replaceChildren();
  const run = state.run;
  if (!run) {
    app.append(
      el('p', 'muted', 'No training yet. Run “Pretrain Lab: Pretrain BERT” from the command palette.'),
    );
    return;
  }
  const last = state.points[state.points.length - 1];
  const head = el('header');
  head.append(el('h2', undefined, `Pretraining ${run.model}`));
  const badge = document.createElement('vscode-badge');
  badge.textContent = state.status ?? 'running';
  badge.id = 'status';
  head.append(badge);
  if (state.status === 'running') {
    const cancel = document.createElement('vscode-button');
    cancel.id = 'cancel';
    cancel.textContent = 'Cancel';
    cancel.setAttribute('secondary', '');
    cancel.addEventListener('click', () => send({ type: 'cancel' }));
    head.append(cancel);
  }
  app.append(head);
  app.append(el('p', 'muted', `BERT ${run.preset} · corpus: ${run.corpus} · backend: ${run.backend}`));
  if (state.message) app.append(el('p', state.status === 'failed' ? 'error' : 'notice', state.message));
  const bar = document.createElement('vscode-progress-bar');
  bar.setAttribute('value', String(last ? last.step : 0));
  bar.setAttribute('max', String(run.totalSteps));
  app.append(bar);
  const stats = el('dl', 'stats');
  const stat = (k: string, v: string, id: string) => {
    const dd = el('dd', undefined, v);
    dd.id = id;
    stats.append(el('dt', undefined, k), dd);
  };
  stat('step', last ? `${last.step} / ${last.totalSteps}` : `0 / ${run.totalSteps}`, 'stat-step');
  stat('MLM loss', last ? last.mlmLoss.toFixed(3) : '–', 'stat-mlm-loss');
  stat('MLM accuracy', last ? pct(last.mlmAccuracy) : '–', 'stat-mlm-acc');
  stat('NSP accuracy', last ? pct(last.nspAccuracy) : '–', 'stat-nsp-acc');
  stat('tokens/s', last ? Math.round(last.tokensPerSecond).toLocaleString() : '–', 'stat-tps');
  stat('ETA', last && state.status === 'running' ? fmtTime(last.etaSeconds) : '–', 'stat-eta');
  app.append(stats);
  const charts = el('div', 'charts');
  const pts = state.points;
  charts.append(
    chart(
      'MLM loss',
      pts.map((p) => [p.step, p.mlmLoss]),
      cssVar('--vscode-charts-blue', '#3794ff'),
    ),
    chart(
      'MLM accuracy',
      pts.map((p) => [p.step, p.mlmAccuracy]),
      cssVar('--vscode-charts-green', '#89d185'),
      [0, 1],
    ),
    chart(
      'NSP accuracy',
      pts.map((p) => [p.step, p.nspAccuracy]),
      cssVar('--vscode-charts-orange', '#d18616'),
      [0, 1],
    ),
  );
  app.append(charts);
  if (state.sample) app.append(renderSample(state.sample));
  if (state.logs.length) {
    const pre = el('pre', 'log', state.logs.slice(-8).join('\n'));
    app.append(pre);
  }
}

let frame = 0;
function scheduleRender(): void {
  // many progress messages can arrive between two frames; draw once per frame
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    render();
  });
}

window.addEventListener('message', (e: MessageEvent<ToTrainingPanel>) => {
  const m = e.data;
  switch (m.type) {
    case 'start':
      state = { run: m.run, points: [], logs: [], status: 'running' };
      break;
    case 'progress':
      state.points.push(m.progress);
      if (m.sample) state.sample = m.sample;
      break;
    case 'log':
      state.logs.push(m.message);
      break;
    case 'finished':
      state.status = m.status;
      state.message = m.message;
      break;
    case 'history':
      state = { run: m.run, points: m.points, sample: m.sample, status: m.status, logs: state.logs };
      break;
  }
  api.setState(state);
  scheduleRender();
});

render();
send({ type: 'ready' });
