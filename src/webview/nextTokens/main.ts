// The Next Tokens panel: for the text up to the cursor, a GPT's most likely next tokens with probability
// bars (on a fixed 0–100% scale). A click on a candidate asks the host to write it at the cursor, which
// then shows the tokens after it: a text can be written one choice at a time.
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import {
  type FromNextTokensPanel,
  isFromNextTokensPanel,
  isToNextTokensPanel,
  type NextTokensView,
  type ToNextTokensPanel,
} from '../../shared/protocol/nextTokens';
import { hostChannel } from '../common/hostChannel';
import { l10n } from '../common/l10n';
import { el, pct, vscodeApi } from '../common/vscodeApi';

interface State {
  view?: NextTokensView;
  loading?: string;
  error?: string;
  insertError?: string;
}

const api = vscodeApi<State>();
let state: State = api.getState() ?? {};
const app = document.getElementById('app')!;

const host = hostChannel<FromNextTokensPanel>(api, isFromNextTokensPanel, (body) => {
  if (!isToNextTokensPanel(body))
    throw new Error(l10n.t('The Next Tokens panel got a message it cannot read; run it again.'));
  onPush(body);
});

function onPush(m: ToNextTokensPanel): void {
  switch (m.type) {
    case 'loading':
      state = { ...state, loading: m.text, error: undefined, insertError: undefined };
      break;
    case 'result':
      state = { view: m.view };
      break;
    case 'error':
      state = { ...state, loading: undefined, error: m.message };
      break;
  }
  api.setState(state);
  render();
}

/** A token as it reads in a list: spaces and line breaks made visible. */
function visible(token: string): string {
  return token.replace(/ /g, '␣').replace(/\n/g, '⏎').replace(/\t/g, '⇥');
}

function render(): void {
  app.replaceChildren();
  if (state.loading !== undefined && !state.view) {
    const box = el('div', 'loading');
    box.append(
      document.createElement('vscode-progress-ring'),
      el('span', undefined, l10n.t('Reading the text…')),
    );
    app.append(box);
    return;
  }
  if (state.error) app.append(el('p', 'error', state.error));
  const v = state.view;
  if (!v) {
    if (!state.error)
      app.append(
        el('p', 'muted', l10n.t('Put the cursor in a text, right-click and choose Show Next Tokens.')),
      );
    return;
  }
  document.body.dataset.requestId = String(v.requestId);
  const head = el('header');
  head.append(el('h2', undefined, l10n.t('Next Tokens')), el('span', 'muted', l10n.t('model: {0}', v.model)));
  app.append(head);
  const prefix = el('p', 'sentence');
  prefix.setAttribute('aria-label', l10n.t('The text before the cursor, as the model reads it'));
  prefix.append(document.createTextNode(v.prefix), el('mark', 'fill', '▁'));
  app.append(prefix);
  if (v.result.notice) app.append(el('p', 'notice', v.result.notice));
  if (state.insertError) app.append(el('p', 'error apply-error', state.insertError));
  app.append(
    el(
      'p',
      'muted scale-note',
      l10n.t(
        'GPT reads only the left context. Bars: probability, 0 to 100%. Click to write a token at the cursor.',
      ),
    ),
  );
  const columns = el('div', 'columns');
  columns.style.display = 'flex';
  columns.style.flexWrap = 'wrap';
  columns.style.gap = '24px';
  const gpt = column('gpt');
  gpt.append(el('h3', undefined, l10n.t('GPT (left context only)')), gptList(v));
  columns.append(gpt, bertColumn(v.bert));
  app.append(columns);
}

/** One of the two side-by-side columns; they wrap one under the other in a narrow panel. */
function column(which: 'gpt' | 'bert'): HTMLElement {
  const col = el('section', `column ${which}`);
  Object.assign(col.style, { flex: '1 1 300px', minWidth: '0', overflowWrap: 'anywhere' });
  return col;
}

function bars(token: string, probability: number): HTMLElement[] {
  const bar = el('span', 'bar');
  bar.style.width = `${Math.min(100, Math.max(0.5, 100 * probability))}%`;
  bar.dataset.value = String(probability);
  const wrap = el('span', 'barwrap');
  wrap.append(bar);
  return [el('span', 'token', visible(token)), wrap, el('span', 'prob', pct(probability, 2))];
}

function gptList(v: NextTokensView): HTMLElement {
  const list = el('ol', 'candidates');
  v.result.candidates.forEach((c, j) => {
    const li = el('li');
    const b = el('button', 'candidate');
    b.type = 'button';
    b.dataset.candidate = String(j);
    b.title = l10n.t('Write “{0}” at the cursor', c.token);
    b.append(...bars(c.token, c.probability));
    b.addEventListener('click', () =>
      host.tell({ type: 'insert', requestId: v.requestId, candidateIndex: j }, (message) => {
        state.insertError = message;
        api.setState(state);
        render();
      }),
    );
    li.append(b);
    list.append(li);
  });
  return list;
}

/** BERT's candidates for the same position masked with both sides visible, or how to get a BERT. */
function bertColumn(bert: NextTokensView['bert']): HTMLElement {
  const col = column('bert');
  if (!bert || 'missing' in bert) {
    col.append(el('h3', undefined, l10n.t('BERT (both sides)')));
    if (bert) col.append(el('p', 'muted bert-missing', bert.missing));
    return col;
  }
  col.append(
    el('h3', undefined, l10n.t('BERT (both sides): {0}', bert.masked)),
    el('span', 'muted', l10n.t('model: {0}', bert.model)),
  );
  if (bert.notice) col.append(el('p', 'notice', bert.notice));
  const list = el('ol', 'candidates bert-candidates');
  for (const c of bert.candidates) {
    // laid out as GPT's rows (button.candidate), but not a button: BERT's token is not written anywhere
    const li = el('li', 'candidate');
    Object.assign(li.style, {
      display: 'grid',
      gridTemplateColumns: 'minmax(90px, 180px) 1fr 64px',
      gap: '8px',
      alignItems: 'center',
      padding: '3px 6px',
      border: '1px solid transparent',
    });
    li.append(...bars(c.token, c.probability));
    list.append(li);
  }
  col.append(list);
  return col;
}

render();
host.tell({ type: 'ready' });
