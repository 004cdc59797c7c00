// The ELMo Layers panel: per token of the selection, a table of the word's other occurrences (in the
// selection and the workspace) with the cosine similarity of each of the three layers, drawn as bars;
// layer 0 is the same wherever the word stands, layers 1–2 follow the context. When a task has learned
// a scalar mix, its softmax weights and γ are drawn as bars too. Corpus text only enters text nodes.
import {
  type ElmoLayersView,
  type ElmoOccurrenceView,
  type FromElmoPanel,
  isFromElmoPanel,
  isToElmoPanel,
  type ToElmoPanel,
} from '../../shared/protocol/elmo';
import { hostChannel } from '../common/hostChannel';
import { l10n } from '../common/l10n';
import { el, vscodeApi } from '../common/vscodeApi';

interface State {
  view?: ElmoLayersView;
  loading?: string;
  error?: string;
  token?: number; // the token whose occurrences are listed
}

const api = vscodeApi<State>();
let state: State = api.getState() ?? {};
const app = document.getElementById('app')!;

const host = hostChannel<FromElmoPanel>(api, isFromElmoPanel, (body) => {
  if (!isToElmoPanel(body))
    throw new Error(l10n.t('The ELMo Layers panel got a message it cannot read; run it again.'));
  onPush(body);
});

function onPush(m: ToElmoPanel): void {
  switch (m.type) {
    case 'loading':
      state = { loading: m.text };
      break;
    case 'result': {
      // start on the first token that has another occurrence
      const first = m.view.occurrences[0]?.i ?? 0;
      state = { view: m.view, token: first };
      break;
    }
    case 'error':
      state = { ...state, loading: undefined, error: m.message };
      break;
  }
  api.setState(state);
  render();
}

/** A horizontal bar of a value in [-1, 1] (cosine) or [0, 1] (weights), with its number. */
function bar(value: number, label: string): HTMLElement {
  const cell = el('td', 'bar-cell');
  const track = el('div', 'bar-track');
  track.style.display = 'inline-block';
  track.style.width = '80px';
  track.style.height = '8px';
  track.style.marginRight = '6px';
  track.style.background = 'var(--vscode-editorWidget-border, #8884)';
  const fill = el('div', 'bar-fill');
  fill.style.height = '100%';
  fill.style.width = `${Math.max(0, Math.min(1, value)) * 100}%`;
  fill.style.background = 'var(--vscode-charts-blue, #3794ff)';
  track.append(fill);
  cell.append(track, el('span', 'bar-value', value.toFixed(3)));
  cell.title = label;
  return cell;
}

function tokenStrip(v: ElmoLayersView): HTMLElement {
  const p = el('p', 'tokens');
  p.setAttribute('aria-label', l10n.t('Tokens of the selection; pick one to list its other occurrences'));
  const counts = new Map<number, number>();
  for (const o of v.occurrences) counts.set(o.i, (counts.get(o.i) ?? 0) + 1);
  v.tokens.forEach((t, i) => {
    const b = el('button', i === state.token ? 'token chosen' : 'token', t.token);
    b.type = 'button';
    b.dataset.index = String(i);
    b.title = t.known
      ? l10n.t('{0} other occurrence(s)', counts.get(i) ?? 0)
      : l10n.t('not in the vocabulary: read as <unk>');
    if (!t.known) b.style.fontStyle = 'italic';
    b.addEventListener('click', () => {
      state.token = i;
      api.setState(state);
      render();
    });
    p.append(b, document.createTextNode(' '));
  });
  return p;
}

function occurrenceTable(v: ElmoLayersView, occ: ElmoOccurrenceView[]): HTMLElement {
  const table = el('table', 'occurrences');
  table.id = 'occurrences';
  const head = el('tr');
  head.append(el('th', undefined, l10n.t('where')), el('th', undefined, l10n.t('context')));
  for (let l = 0; l < v.numLayers; l++) head.append(el('th', undefined, l10n.t('layer {0}', l)));
  table.append(head);
  for (const o of occ) {
    const tr = el('tr');
    const where = el('td');
    if (o.where === 'workspace' && o.file !== undefined) {
      const link = el('a', 'reveal', `${o.file.split(/[\\/]/).pop()}:${(o.line ?? 0) + 1}`);
      link.href = '#';
      link.addEventListener('click', (e) => {
        e.preventDefault();
        host.tell({ type: 'reveal', file: o.file!, line: o.line ?? 0 });
      });
      where.append(link);
    } else where.textContent = l10n.t('selection #{0}', o.j ?? '');
    tr.append(where, el('td', 'context', o.context));
    for (const [l, s] of o.similarity.entries())
      tr.append(bar(s, l10n.t('cosine similarity at layer {0}', l)));
    table.append(tr);
  }
  return table;
}

function mixes(v: ElmoLayersView): HTMLElement | undefined {
  if (v.mixes.length === 0) return undefined;
  const box = el('section', 'mixes');
  box.append(el('h3', undefined, l10n.t('Learned layer weights (scalar mix)')));
  for (const m of v.mixes) {
    const table = el('table');
    const cap = el('caption', undefined, `${m.task} · γ ${m.gamma.toFixed(3)}`);
    table.append(cap);
    m.weights.forEach((w, l) => {
      const tr = el('tr');
      tr.append(
        el('th', undefined, l10n.t('layer {0}', l)),
        bar(w, l10n.t('softmax weight of layer {0}', l)),
      );
      table.append(tr);
    });
    box.append(table);
  }
  return box;
}

function render(): void {
  app.replaceChildren();
  if (state.loading !== undefined) {
    app.append(el('p', 'loading', l10n.t('Reading the three layers…')));
    return;
  }
  if (state.error) {
    const e = el('p', 'error', state.error);
    e.setAttribute('role', 'alert');
    app.append(e);
  }
  const v = state.view;
  if (!v) return;
  app.append(el('h2', undefined, l10n.t('ELMo layers · {0}', v.model)));
  if (v.truncated)
    app.append(
      el(
        'p',
        'notice',
        l10n.t('The selection was cut to its first {0} tokens, the most ELMo reads at once.', v.maxTokens),
      ),
    );
  app.append(tokenStrip(v));
  const i = state.token ?? 0;
  const t = v.tokens[i];
  const occ = v.occurrences.filter((o) => o.i === i);
  if (t) {
    app.append(
      el(
        'p',
        'explain',
        l10n.t(
          '"{0}": cosine similarity to its other occurrences at each layer. Layer 0 (the token layer) is the same wherever the word stands; layers 1 and 2 follow the context.',
          t.token,
        ),
      ),
    );
    if (!t.known)
      app.append(
        el(
          'p',
          'notice',
          l10n.t('"{0}" is not in the model\'s vocabulary, so it is read as <unk>.', t.token),
        ),
      );
    if (occ.length) app.append(occurrenceTable(v, occ));
    else
      app.append(
        el('p', 'empty', l10n.t('No other occurrence of this word in the selection or the workspace files.')),
      );
  }
  const mx = mixes(v);
  if (mx) app.append(mx);
}

render();
host.tell({ type: 'ready' });
