// The training panel, for every kind of job: the job's position (step or epoch), one small chart per
// metric the job reports (named by the job), its latest values, the ETA, a Cancel button, and the
// job's extras (BERT: one instance showing how the 80/10/10 masking rule treated it).
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import * as v from 'valibot';
import {
  type FromTrainingPanel,
  formatMetric,
  isFromTrainingPanel,
  type JobExtras,
  type JobProgress,
  type JobStatus,
  type Metric,
  type ToTrainingPanel,
  ToTrainingPanelSchema,
  type TrainingRunInfo,
} from '../../shared/protocol/training';
import { hostChannel } from '../common/hostChannel';
import { l10n } from '../common/l10n';
import { el, vscodeApi } from '../common/vscodeApi';
import { CHART_GAP, chart, chartColour, chartWidth } from './chart';
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
const host = hostChannel<FromTrainingPanel>(api, isFromTrainingPanel, (body) => {
  // only the host pushes here, but check what is drawn
  const m = v.safeParse(ToTrainingPanelSchema, body);
  if (!m.success) throw new Error(l10n.t('The training panel got a message it cannot read; reopen it.'));
  onPush(m.output);
});

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
  return m > 0 ? l10n.t('{0} min {1} s', m, Math.round(s % 60)) : l10n.t('{0} s', Math.round(s));
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
  head.append(el('h2', undefined, l10n.t('Pretraining {0}', run.model)));
  const badge = document.createElement('vscode-badge');
  const status = state.status ?? 'running';
  badge.textContent =
    status === 'done'
      ? l10n.t('done')
      : status === 'cancelled'
        ? l10n.t('cancelled')
        : status === 'failed'
          ? l10n.t('failed')
          : l10n.t('running');
  badge.id = 'status';
  head.append(badge);
  if (state.status === 'running') {
    const cancel = document.createElement('vscode-button');
    cancel.id = 'cancel';
    cancel.textContent = l10n.t('Cancel');
    cancel.setAttribute('secondary', '');
    cancel.addEventListener('click', () =>
      host.tell({ type: 'cancel' }, (message) => {
        state.message = message;
        scheduleRender();
      }),
    );
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
        l10n.t(
          'No training yet. Run “Pretrain Lab: Pretrain BERT” or “Pretrain Lab: Pretrain word2vec” from the command palette.',
        ),
      ),
    );
    return;
  }
  const last = state.points[state.points.length - 1];
  app.append(header(run));
  const backend = run.backend ? l10n.t(' · backend: {0}', run.backend) : '';
  app.append(el('p', 'muted', l10n.t('{0} · corpus: {1}{2}', run.family, run.corpus, backend)));
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
  stat(
    run.unit === 'epoch' ? l10n.t('epoch') : l10n.t('step'),
    last ? `${last.done} / ${last.total}` : `0 / ${run.total}`,
    'stat-step',
  );
  for (const s of all) stat(s.metric.name, formatMetric(s.metric), `stat-${s.metric.id}`);
  stat(l10n.t('ETA'), state.status === 'running' ? fmtTime(last?.etaSeconds) : '–', 'stat-eta');
  app.append(stats);
  const charts = el('div', 'charts');
  charts.style.gap = `${CHART_GAP}px`;
  // the charts share the panel's width, as many to a row as fit; 16 px are left for the vertical
  // scrollbar the rest of the page may bring, which would otherwise push the last chart to a new row
  const width = chartWidth((app.clientWidth || document.body.clientWidth - 32) - 16, all.length);
  all.forEach((s, i) => {
    charts.append(
      chart({
        title: s.metric.name,
        unit: run.unit === 'epoch' ? l10n.t('epoch') : l10n.t('step'),
        points: s.points,
        colour: chartColour(i),
        fixed: s.metric.format === 'percent' ? [0, 1] : undefined,
        format: s.metric.format,
        width,
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

function onPush(m: ToTrainingPanel): void {
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
}

// room below the content, so the notifications VS Code shows at the bottom right cover nothing
document.body.classList.add('training-panel');
window.addEventListener('resize', scheduleRender);
render();
host.tell({ type: 'ready' });
