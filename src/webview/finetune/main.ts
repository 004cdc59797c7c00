// The Fine-tune panel: one run (dev metrics per epoch, the best epoch's confusion matrix and per-label
// scores), or several (Compare): their dev curves on one chart and a table of base, how the base was
// used, parameters trained, best dev score and time. A click on a run's row shows its details.
import {
  type FromFinetunePanel,
  isFromFinetunePanel,
  isToFinetunePanel,
  type RunView,
  type ToFinetunePanel,
} from '../../shared/protocol/finetune';
import { hostChannel } from '../common/hostChannel';
import { l10n } from '../common/l10n';
import { el, selectEl, vscodeApi } from '../common/vscodeApi';
import { confusionMatrix, perLabelTable } from './confusion';
import { CURVE_METRICS, type CurveMetric, curvesChart, fmtMetric, legend, pointValue } from './curves';
import { mixSection } from './mix';

interface State {
  view?: ToFinetunePanel;
  metric: CurveMetric;
  selected: number; // the run whose details show
}

const api = vscodeApi<State>();
let state: State = api.getState() ?? { metric: 'accuracy', selected: 0 };
const app = document.getElementById('app')!;

hostChannel<FromFinetunePanel>(api, isFromFinetunePanel, (body) => {
  if (!isToFinetunePanel(body))
    throw new Error(l10n.t('The Fine-tune panel got a message it cannot read; run the command again.'));
  const runs = body.type === 'runs' ? body.runs : [];
  const firstView = !state.view;
  state = { ...state, view: body, selected: Math.min(state.selected, Math.max(0, runs.length - 1)) };
  // entity F1 is the headline of a tagger with chunk tags: chart it first when every run has it
  if (firstView && runs.length && runs.every((r) => r.epochs.some((p) => p.entityF1 !== undefined)))
    state.metric = 'entityF1';
  save();
  render();
}).tell({ type: 'ready' });

function save(): void {
  api.setState(state);
}

const kindName = (k: NonNullable<RunView['baseKind']>) =>
  ({ bert: 'BERT', word2vec: 'word2vec', elmo: 'ELMo', gpt: 'GPT' })[k];

const count = (n: number | undefined) => (n === undefined ? '—' : n.toLocaleString('en'));
const time = (s: number | undefined) =>
  s === undefined
    ? '—'
    : s < 90
      ? l10n.t('{0} s', s.toFixed(1))
      : l10n.t('{0} min {1} s', Math.floor(s / 60), Math.round(s % 60));

/** The metrics the runs have: entity F1 only when some run reports it. */
function metricsOf(runs: readonly RunView[]) {
  return CURVE_METRICS.filter(
    ([m]) => m !== 'entityF1' || runs.some((r) => r.epochs.some((p) => p.entityF1 !== undefined)),
  );
}

function bestValue(r: RunView, m: CurveMetric): number | undefined {
  const vals = r.epochs.map((p) => pointValue(p, m)).filter((x): x is number => x !== undefined);
  if (!vals.length) return undefined;
  return m === 'loss' ? Math.min(...vals) : Math.max(...vals);
}

function compareTable(runs: readonly RunView[], metric: CurveMetric, label: string): HTMLTableElement {
  const t = el('table', 'compare');
  t.setAttribute('aria-label', l10n.t('Fine-tune runs compared'));
  const head = el('tr');
  for (const h of [
    l10n.t('run'),
    l10n.t('base'),
    l10n.t('how the base was used'),
    l10n.t('parameters trained'),
    l10n.t('best {0}', label),
    l10n.t('best epoch'),
    l10n.t('time'),
  ])
    head.append(el('th', undefined, h));
  t.append(head);
  runs.forEach((r, i) => {
    const tr = el('tr', i === state.selected ? 'selected' : undefined);
    tr.dataset.run = r.name;
    tr.tabIndex = 0;
    tr.style.cursor = 'pointer';
    if (i === state.selected) tr.style.outline = '1px solid var(--vscode-focusBorder, #007fd4)';
    const trained =
      r.trainedParameters === undefined
        ? '—'
        : l10n.t('{0} of {1}', count(r.trainedParameters), count(r.totalParameters));
    tr.append(
      el('td', undefined, `${r.name}${r.running ? l10n.t(' (training…)') : ''}`),
      el('td', undefined, r.baseKind ? `${r.base} (${kindName(r.baseKind)})` : r.base),
      el('td', undefined, r.how),
      el('td', 'num', trained),
      el('td', 'num', fmtMetric(metric, bestValue(r, metric))),
      el('td', 'num', r.bestEpoch === undefined ? '—' : String(r.bestEpoch)),
      el('td', 'num', time(r.seconds)),
    );
    const pick = () => {
      state.selected = i;
      save();
      render();
    };
    tr.addEventListener('click', pick);
    tr.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') pick();
    });
    t.append(tr);
  });
  return t;
}

function epochTable(r: RunView): HTMLTableElement {
  const t = el('table', 'epochs');
  t.setAttribute('aria-label', l10n.t('Dev metrics per epoch of {0}', r.name));
  const entity = r.epochs.some((p) => p.entityF1 !== undefined);
  const head = el('tr');
  for (const h of [
    l10n.t('epoch'),
    l10n.t('dev loss'),
    l10n.t('accuracy'),
    'macro-F1',
    ...(entity ? [l10n.t('entity F1')] : []),
  ])
    head.append(el('th', undefined, h));
  t.append(head);
  for (const p of r.epochs) {
    const tr = el('tr', p.epoch === r.bestEpoch ? 'best' : undefined);
    tr.append(
      el('td', 'num', `${p.epoch}${p.epoch === r.bestEpoch ? ' ★' : ''}`),
      el('td', 'num', fmtMetric('loss', p.loss)),
      el('td', 'num', fmtMetric('accuracy', p.accuracy)),
      el('td', 'num', fmtMetric('macroF1', p.macroF1)),
    );
    if (entity) tr.append(el('td', 'num', fmtMetric('entityF1', p.entityF1)));
    t.append(tr);
  }
  return t;
}

function details(r: RunView): HTMLElement {
  const box = el('section', 'run-details');
  box.append(el('h2', undefined, r.name));
  box.append(
    el(
      'p',
      'muted',
      `${l10n.t('{0} on {1}, {2}', r.task, r.base, r.how)}${r.running ? l10n.t(' — training…') : ''}${r.trainedParameters !== undefined ? l10n.t('; {0} of {1} parameters trained', count(r.trainedParameters), count(r.totalParameters)) : ''}${r.seconds !== undefined ? l10n.t(' in {0}', time(r.seconds)) : ''}.`,
    ),
  );
  if (r.lmWeight !== undefined)
    box.append(el('p', 'muted', l10n.t('GPT base: auxiliary LM loss weight λ = {0}.', r.lmWeight)));
  box.append(el('h3', undefined, l10n.t('Dev metrics per epoch')), epochTable(r));
  if (r.best) {
    const which =
      r.bestEpoch === undefined ? l10n.t('latest epoch') : l10n.t('best epoch ({0})', r.bestEpoch);
    if (r.best.entity)
      box.append(
        el(
          'p',
          undefined,
          l10n.t(
            'Entities: precision {0}, recall {1}, F1 {2}.',
            fmtMetric('accuracy', r.best.entity.precision),
            fmtMetric('accuracy', r.best.entity.recall),
            fmtMetric('accuracy', r.best.entity.f1),
          ),
        ),
      );
    box.append(el('h3', undefined, l10n.t('Confusion matrix, {0}', which)), confusionMatrix(r.best));
    box.append(el('h3', undefined, l10n.t('Per label')), perLabelTable(r.best));
  } else box.append(el('p', 'muted', l10n.t('The confusion matrix shows once the first epoch ends.')));
  return box;
}

function render(): void {
  app.replaceChildren();
  const v = state.view;
  if (!v) {
    app.append(
      el('p', 'muted', l10n.t('Fine-tune a model, or compare fine-tune runs, to see results here.')),
    );
    return;
  }
  if (v.type === 'error') {
    app.append(el('p', 'error', v.message));
    return;
  }
  for (const p of v.problems) app.append(el('p', 'notice', p));
  const runs = v.runs;
  if (runs.length === 0) {
    app.append(el('p', 'muted', l10n.t('No fine-tuned runs to show.')));
    return;
  }
  const metrics = metricsOf(runs);
  if (!metrics.some(([m]) => m === state.metric)) state.metric = 'accuracy';
  const label = metrics.find(([m]) => m === state.metric)?.[1] ?? l10n.t('dev accuracy');
  const header = el('header');
  header.append(
    el(
      'h2',
      undefined,
      runs.length > 1 ? l10n.t('Compare {0} fine-tune runs', runs.length) : l10n.t('Fine-tune run'),
    ),
  );
  const controls = el('div', 'controls');
  const pick = selectEl('metric', metrics, state.metric);
  pick.setAttribute('aria-label', l10n.t('Metric to chart'));
  pick.addEventListener('change', () => {
    state.metric = pick.value as CurveMetric;
    save();
    render();
  });
  controls.append(el('label', undefined, l10n.t('Chart ')), pick);
  header.append(controls);
  app.append(header);
  const fig = el('figure', 'chart');
  fig.append(curvesChart(runs, state.metric, label), legend(runs));
  app.append(fig);
  if (runs.length > 1) app.append(compareTable(runs, state.metric, label));
  const mixes = mixSection(runs);
  if (mixes) app.append(mixes);
  const r = runs[state.selected] ?? runs[0];
  app.append(details(r));
}

render();
