// The training panel, for every kind of job: the job's position (step or epoch), one small chart per
// metric the job reports (named by the job), its latest values, the ETA, a Cancel button, and the
// job's extras (BERT: one instance showing how the 80/10/10 masking rule treated it).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import {
  type FromTrainingPanel,
  formatMetric,
  isFromTrainingPanel,
  type JobExtras,
  type JobProgress,
  type JobStatus,
  type Metric,
  type ToTrainingPanel,
  type TrainingRunInfo,
} from '../../shared/protocol/training';
import { el, vscodeApi } from '../common/vscodeApi';
import { chart, chartColour } from './chart';
import { renderSample } from './sample';

interface State {
  run?: TrainingRunInfo;
  points: JobProgress[]; // without extras
  extras?: JobExtras; // the latest of each
  status?: JobStatus;
  message?: string;
  logs: string[];
}

const api = vscodeApi<State>();
let state: State = restore(api.getState());
const app = document.getElementById('app')!;
const send = (m: FromTrainingPanel) => {
  if (isFromTrainingPanel(m)) api.postMessage(m); // the host checks again; this catches our own slips
};

/** The state saved before a reload, unless it is from an older version of the panel. */
function restore(saved: State | undefined): State {
  const fresh: State = { points: [], logs: [] };
  if (!saved || !Array.isArray(saved.points) || !Array.isArray(saved.logs)) return fresh;
  if (saved.run && typeof saved.run.unit !== 'string') return fresh;
  return saved.points.every((p) => Array.isArray(p.metrics)) ? saved : fresh;
}

function fmtTime(s: number | undefined): string {
  if (s === undefined || !Number.isFinite(s)) return '–';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m} min ${Math.round(s % 60)} s` : `${Math.round(s)} s`;
}

interface Series {
  metric: Metric; // the latest report of it
  points: [number, number][];
}

/** Each metric the job reported, in the order it first appeared, with its points. */
function series(points: JobProgress[]): Series[] {
  const byId = new Map<string, Series>();
  for (const p of points)
    for (const m of p.metrics) {
      const s = byId.get(m.id);
      if (s) {
        s.metric = m;
        s.points.push([p.position, m.value]);
      } else byId.set(m.id, { metric: m, points: [[p.position, m.value]] });
    }
  return [...byId.values()];
}

function header(run: TrainingRunInfo): HTMLElement {
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
  return head;
}

function render(): void {
  app.replaceChildren();
  const run = state.run;
  if (!run) {
    app.append(
      el(
        'p',
        'muted',
        'No training yet. Run “Pretrain Lab: Pretrain BERT” or “Pretrain Lab: Pretrain word2vec” from the command palette.',
      ),
    );
    return;
  }
  const last = state.points[state.points.length - 1];
  app.append(header(run));
  const backend = run.backend ? ` · backend: ${run.backend}` : '';
  app.append(el('p', 'muted', `${run.family} · corpus: ${run.corpus}${backend}`));
  if (state.message) app.append(el('p', state.status === 'failed' ? 'error' : 'notice', state.message));
  const bar = document.createElement('vscode-progress-bar');
  bar.setAttribute('value', String(last ? Math.round(last.fraction * 1000) : 0));
  bar.setAttribute('max', '1000');
  app.append(bar);
  const all = series(state.points);
  const stats = el('dl', 'stats');
  const stat = (k: string, v: string, id: string) => {
    const dd = el('dd', undefined, v);
    dd.id = id;
    stats.append(el('dt', undefined, k), dd);
  };
  stat(run.unit, last ? `${last.done} / ${last.total}` : `0 / ${run.total}`, 'stat-step');
  for (const s of all) stat(s.metric.name, formatMetric(s.metric), `stat-${s.metric.id}`);
  stat('ETA', state.status === 'running' ? fmtTime(last?.etaSeconds) : '–', 'stat-eta');
  app.append(stats);
  const charts = el('div', 'charts');
  all.forEach((s, i) => {
    charts.append(
      chart({
        title: s.metric.name,
        unit: run.unit,
        points: s.points,
        colour: chartColour(i),
        fixed: s.metric.format === 'percent' ? [0, 1] : undefined,
      }),
    );
  });
  app.append(charts);
  if (state.extras?.maskingSample) app.append(renderSample(state.extras.maskingSample));
  if (state.logs.length) app.append(el('pre', 'log', state.logs.slice(-8).join('\n')));
}

let frame = 0;
function scheduleRender(): void {
  // many progress messages can arrive between two frames; draw (and save the state) once per frame
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    api.setState(state);
    render();
  });
}

window.addEventListener('message', (e: MessageEvent<ToTrainingPanel>) => {
  const m = e.data;
  switch (m.type) {
    case 'start':
      state = { run: m.run, points: [], logs: [], status: 'running' };
      break;
    case 'progress': {
      const { extras, ...point } = m.progress;
      state.points.push(point);
      if (extras) state.extras = { ...state.extras, ...extras };
      break;
    }
    case 'log':
      state.logs.push(m.message);
      if (state.logs.length > 200) state.logs.splice(0, state.logs.length - 200);
      break;
    case 'finished':
      state.status = m.status;
      state.message = m.message;
      break;
    case 'history':
      state = {
        run: m.run,
        points: m.points,
        extras: m.extras,
        status: m.status,
        message: m.message,
        logs: state.logs,
      };
      break;
  }
  scheduleRender();
});

render();
send({ type: 'ready' });
