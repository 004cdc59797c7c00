// The Predict Mask panel: for every mask the top-k candidates with probability bars (on a fixed 0–100%
// scale, so a 0.3% candidate draws a sliver), and the sentence with the best choices filled in. A click
// on a candidate asks the host to write it into the document; the panel follows the document (an undo
// unmarks a candidate) and, when its candidates can no longer be written, says why and offers
// Predict again.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import {
  type FromPredictPanel,
  isFromPredictPanel,
  isToPredictPanel,
  type PredictView,
  type ToPredictPanel,
} from '../../shared/protocol/predict';
import { hostChannel } from '../common/hostChannel';
import { l10n } from '../common/l10n';
import { el, pct, vscodeApi } from '../common/vscodeApi';

interface State {
  view?: PredictView;
  applied: Record<number, string>;
  loading?: string;
  error?: string;
  applyError?: string; // the host refused a candidate (the text changed, an older prediction)
  stale?: string; // why the candidates can no longer be written (a reload, the text edited by hand)
}

const api = vscodeApi<State>();
let state: State = api.getState() ?? { applied: {} };
const app = document.getElementById('app')!;

const host = hostChannel<FromPredictPanel>(api, isFromPredictPanel, (body) => {
  if (!isToPredictPanel(body))
    throw new Error(l10n.t('The Predict Mask panel got a message it cannot read; run it again.'));
  onPush(body);
});

function save(): void {
  api.setState(state);
}

function renderSentence(v: PredictView): HTMLElement {
  const p = el('p', 'sentence');
  p.setAttribute('aria-label', l10n.t('Sentence with the chosen candidates filled in'));
  let last = 0;
  v.result.masks.forEach((m, i) => {
    p.append(document.createTextNode(v.source.slice(last, m.position)));
    const chosen = state.applied[i] ?? m.candidates[0]?.token ?? '?';
    const fill = el('mark', state.applied[i] ? 'fill applied' : 'fill', chosen);
    fill.title = m.original ? l10n.t('masked "{0}"', m.original) : '[MASK]';
    p.append(fill);
    last = m.position + m.length;
  });
  p.append(document.createTextNode(v.source.slice(last)));
  return p;
}

/** The banner of a stale prediction, with Predict again. */
function renderStale(v: PredictView, reason: string): HTMLElement {
  const box = el('div', 'stale');
  box.setAttribute('role', 'status');
  const again = el('button', 'predict-again', l10n.t('Predict again'));
  again.type = 'button';
  again.id = 'predict-again';
  again.addEventListener('click', () =>
    host.tell({ type: 'predictAgain', source: v.source, uri: v.uri, offset: v.offset }, (message) => {
      state.applyError = message;
      save();
      render();
    }),
  );
  box.append(el('span', undefined, reason), again);
  return box;
}

function render(): void {
  app.replaceChildren();
  document.body.dataset.stale = state.stale ? 'true' : 'false';
  if (state.loading !== undefined) {
    const box = el('div', 'loading');
    box.append(document.createElement('vscode-progress-ring'), el('span', undefined, l10n.t('Predicting…')));
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
        l10n.t('Select text with [MASK] (or a word) in an editor, right-click and choose Predict Mask.'),
      ),
    );
    return;
  }
  document.body.dataset.requestId = String(v.requestId);
  const head = el('header');
  head.append(
    el('h2', undefined, l10n.t('Predict Mask')),
    el('span', 'muted', l10n.t('model: {0}', v.model)),
  );
  app.append(head, renderSentence(v));
  if (state.stale) app.append(renderStale(v, state.stale));
  if (state.applyError) app.append(el('p', 'error apply-error', state.applyError));
  if (v.result.notice) app.append(el('p', 'notice', v.result.notice));
  if (v.result.masks.length > 1)
    app.append(
      el(
        'p',
        'notice independent',
        l10n.t(
          'The {0} masks are predicted independently (each with the others still masked): the candidates are not ranked as pairs or whole words.',
          v.result.masks.length,
        ),
      ),
    );
  app.append(el('p', 'muted scale-note', l10n.t('Bars: probability on a fixed scale, 0 to 100%.')));
  v.result.masks.forEach((m, i) => {
    const sec = el('section', 'mask');
    sec.dataset.mask = String(i);
    const title = el('h3');
    title.append(el('span', undefined, m.original ? l10n.t('“{0}” masked', m.original) : `[MASK] ${i + 1}`));
    if (m.original && m.originalRank !== undefined) {
      const badge = document.createElement('vscode-badge');
      badge.textContent = l10n.t('original ranks #{0}', m.originalRank);
      title.append(badge);
    }
    sec.append(title);
    const list = el('ol', 'candidates');
    m.candidates.forEach((c, j) => {
      const li = el('li');
      const b = el('button', state.applied[i] === c.token ? 'candidate applied' : 'candidate');
      b.type = 'button';
      b.dataset.mask = String(i);
      b.dataset.candidate = String(j);
      b.disabled = state.stale !== undefined;
      b.title = state.stale
        ? l10n.t('Predict again to write a candidate')
        : l10n.t('Write “{0}” into the document in place of this mask', c.token);
      const bar = el('span', 'bar');
      // the probability itself on a 0–1 scale (not relative to the top candidate); a hairline stays visible
      bar.style.width = `${Math.min(100, Math.max(0.5, 100 * c.probability))}%`;
      bar.dataset.value = String(c.probability);
      b.append(
        el('span', 'token', c.token),
        el('span', 'barwrap'),
        el('span', 'prob', pct(c.probability, 2)),
      );
      b.querySelector('.barwrap')!.append(bar);
      b.addEventListener('click', () =>
        host.tell({ type: 'apply', requestId: v.requestId, maskIndex: i, candidateIndex: j }, (message) => {
          state.applyError = message;
          save();
          render();
        }),
      );
      li.append(b);
      list.append(li);
    });
    sec.append(list);
    app.append(sec);
  });
}

function onPush(m: ToPredictPanel): void {
  switch (m.type) {
    case 'loading':
      state = { ...state, loading: m.text, error: undefined };
      break;
    case 'result':
      state = { view: m.view, applied: {}, loading: undefined, error: undefined, stale: undefined };
      break;
    case 'follow':
      state.applied = {};
      m.applied.forEach((t, i) => {
        if (t !== null) state.applied[i] = t;
      });
      state.stale = m.stale;
      state.applyError = undefined;
      break;
    case 'stale':
      // a panel restored after a reload: only a prediction on screen can be stale
      if (state.loading !== undefined) {
        state.loading = undefined;
        state.error = l10n.t(
          'The window was reloaded before the prediction finished; run Predict Mask again.',
        );
      } else if (state.view) state.stale = m.reason;
      break;
    case 'error':
      state = { ...state, loading: undefined, error: m.message };
      break;
    case 'applied':
      state.applied[m.maskIndex] = m.token;
      state.applyError = undefined;
      break;
  }
  save();
  render();
}

render();
host.tell({ type: 'ready' });
