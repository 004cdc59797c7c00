// The Predict Mask panel: for every mask the top-k candidates with probability bars, and the sentence
// with the best choices filled in. A click on a candidate asks the host to write it into the document.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import * as v from 'valibot';
import {
  type FromPredictPanel,
  FromPredictPanelSchema,
  isToPredictPanel,
  type PredictView,
} from '../../shared/protocol/predict';
import { el, pct, vscodeApi } from '../common/vscodeApi';

interface State {
  view?: PredictView;
  applied: Record<number, string>;
  loading?: string;
  error?: string;
}

const api = vscodeApi<State>();
let state: State = api.getState() ?? { applied: {} };
const app = document.getElementById('app')!;

function send(m: FromPredictPanel): void {
  // the host drops anything its schema rejects, so a malformed message is a bug here: say so
  if (v.is(FromPredictPanelSchema, m)) api.postMessage(m);
  else console.error('Predict Mask: not sent, the message does not match the protocol', m);
}

function save(): void {
  api.setState(state);
}

function renderSentence(v: PredictView): HTMLElement {
  const p = el('p', 'sentence');
  p.setAttribute('aria-label', 'Sentence with the chosen candidates filled in');
  let last = 0;
  v.result.masks.forEach((m, i) => {
    p.append(document.createTextNode(v.source.slice(last, m.position)));
    const chosen = state.applied[i] ?? m.candidates[0]?.token ?? '?';
    const fill = el('mark', state.applied[i] ? 'fill applied' : 'fill', chosen);
    fill.title = m.original ? `masked "${m.original}"` : '[MASK]';
    p.append(fill);
    last = m.position + m.length;
  });
  p.append(document.createTextNode(v.source.slice(last)));
  return p;
}

function render(): void {
  app.replaceChildren();
  if (state.loading !== undefined) {
    const box = el('div', 'loading');
    box.append(document.createElement('vscode-progress-ring'), el('span', undefined, 'Predicting…'));
    app.append(box, el('p', 'source muted', state.loading));
    return;
  }
  if (state.error) {
    app.append(el('p', 'error', state.error));
    return;
  }
  const v = state.view;
  if (!v) {
    app.append(
      el(
        'p',
        'muted',
        'Select text with [MASK] (or a word) in an editor and run Pretrain Lab: Predict Mask.',
      ),
    );
    return;
  }
  document.body.dataset.requestId = String(v.requestId);
  const head = el('header');
  head.append(el('h2', undefined, 'Predict Mask'), el('span', 'muted', `model: ${v.model}`));
  app.append(head, renderSentence(v));
  if (v.result.notice) app.append(el('p', 'notice', v.result.notice));
  v.result.masks.forEach((m, i) => {
    const sec = el('section', 'mask');
    sec.dataset.mask = String(i);
    const title = el('h3');
    title.append(el('span', undefined, m.original ? `“${m.original}” masked` : `[MASK] ${i + 1}`));
    if (m.original && m.originalRank !== undefined) {
      const badge = document.createElement('vscode-badge');
      badge.textContent = `original ranks #${m.originalRank}`;
      title.append(badge);
    }
    sec.append(title);
    const list = el('ol', 'candidates');
    const top = m.candidates[0]?.probability || 1;
    m.candidates.forEach((c, j) => {
      const li = el('li');
      const b = el('button', state.applied[i] === c.token ? 'candidate applied' : 'candidate');
      b.type = 'button';
      b.dataset.mask = String(i);
      b.dataset.candidate = String(j);
      b.title = `Write “${c.token}” into the document in place of this mask`;
      const bar = el('span', 'bar');
      bar.style.width = `${Math.max(1, (100 * c.probability) / top)}%`;
      b.append(
        el('span', 'token', c.token),
        el('span', 'barwrap'),
        el('span', 'prob', pct(c.probability, 2)),
      );
      b.querySelector('.barwrap')!.append(bar);
      b.addEventListener('click', () =>
        send({ type: 'apply', requestId: v.requestId, maskIndex: i, candidateIndex: j }),
      );
      li.append(b);
      list.append(li);
    });
    sec.append(list);
    app.append(sec);
  });
}

window.addEventListener('message', (e: MessageEvent<unknown>) => {
  const m = e.data;
  if (!isToPredictPanel(m)) return; // only the host posts here, but check what is drawn
  switch (m.type) {
    case 'loading':
      state = { ...state, loading: m.text, error: undefined };
      break;
    case 'result':
      state = { view: m.view, applied: {}, loading: undefined, error: undefined };
      break;
    case 'error':
      state = { ...state, loading: undefined, error: m.message };
      break;
    case 'applied':
      state.applied[m.maskIndex] = m.token;
      break;
  }
  save();
  render();
});

render();
send({ type: 'ready' });
