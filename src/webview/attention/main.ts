// The attention panel: head view (lines between two token columns), model view (a small heat map per
// layer and head) and matrix view (token × token for one head or a layer's average, zoomable), all on
// canvas. Tokens can be merged into the words the engine's tokenizer made: attention summed over the
// target's tokens, averaged over the source's.
import * as v from 'valibot';
import { type AttentionView, ToAttentionPanelSchema } from '../../shared/protocol/attention';
import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';
import { controls } from './controls';
import { type Grid, grid } from './grid';
import { drawHeadView } from './headView';
import { drawMatrixView, type Mounted } from './matrixView';
import { drawModelView } from './modelView';
import { handleHost, onRepaint, save, send, store } from './state';

const app = document.getElementById('app')!;
let paints = 0; // counts renders, so tests can tell a new paint from the last one
let mounted: Mounted | undefined;

function body(view: AttentionView, g: Grid): HTMLElement | Mounted {
  if (store.ui.mode === 'head') return drawHeadView(g, app.clientWidth);
  if (store.ui.mode === 'model') return drawModelView(view, g, app.clientWidth);
  return drawMatrixView(view, g);
}

function render(): void {
  const view = store.view;
  if (!view) return;
  const t0 = performance.now();
  store.ui.layer = Math.min(store.ui.layer, view.layers - 1);
  const g = grid(view, store.ui.merge);
  const part = body(view, g);
  mounted = part instanceof HTMLElement ? undefined : part;
  const head = el('header');
  head.append(
    el('h2', undefined, l10n.t('Attention')),
    el(
      'span',
      'muted',
      l10n.t(
        'model: {0} · {1} layers × {2} heads · {3} tokens',
        view.model,
        view.layers,
        view.heads,
        view.tokens.length,
      ),
    ),
  );
  app.replaceChildren(head);
  if (view.notice) app.append(el('p', 'notice', view.notice));
  app.append(controls(view, g), mounted ? mounted.el : (part as HTMLElement));
  mounted?.mount();
  document.body.dataset.tokens = String(g.labels.length);
  // read by bench/attentionBase.sh: the drawing's time, and when it ended on the machine's clock (the
  // test cannot see the paint at once while the page is busy taking in the other layers)
  document.body.dataset.renderMs = String(Math.round(performance.now() - t0));
  document.body.dataset.paintedAt = String(Date.now());
  document.body.dataset.paint = String(++paints);
}
onRepaint(render);

let resizing = 0;
window.addEventListener('resize', () => {
  if (resizing) return;
  resizing = requestAnimationFrame(() => {
    resizing = 0;
    // the head and model views are sized to the width when drawn; the matrix view re-fits itself
    if (store.ui.mode !== 'matrix') render();
    else mounted?.mount();
  });
});

/** A request the host refused (an export that could not be saved): one line under the header. */
function showFailure(message: string): void {
  document.getElementById('attention-error')?.remove();
  const p = el('p', 'error', message);
  p.id = 'attention-error';
  const head = app.querySelector('header');
  if (head) head.after(p);
  else app.prepend(p);
}

/**
 * The view with weights for every layer: as sent, or (when the message holds one layer) a full array with
 * that layer in place and zeros where the layers still to come go. Undefined when the sizes disagree.
 */
function withAllLayers(v: AttentionView): AttentionView | undefined {
  const n = v.heads * v.tokens.length ** 2;
  if (v.layer === undefined) return v.weights.length === v.layers * n ? v : undefined;
  if (v.layer >= v.layers || v.weights.length !== n) return undefined;
  const all = new Uint16Array(v.layers * n);
  all.set(v.weights, v.layer * n);
  return { ...v, weights: all, layer: undefined };
}

// layers of the result on screen still to come; when none are, the page notes the time
// (document.body.dataset.layersAt, read by bench/attentionBase.sh's UI test)
let missing = 0;
function layerArrived(count: number): void {
  missing = Math.max(0, missing - count);
  if (missing === 0) document.body.dataset.layersAt = String(Date.now());
}

let soon = 0;
function repaintSoon(): void {
  if (soon) return;
  soon = requestAnimationFrame(() => {
    soon = 0;
    render();
  });
}

function onPush(body: unknown): void {
  const parsed = v.safeParse(ToAttentionPanelSchema, body);
  if (!parsed.success) {
    const message = l10n.t('The attention data could not be read; run Show Attention again.');
    if ((body as { type?: unknown } | null)?.type === 'attention')
      app.replaceChildren(el('p', 'error', message));
    throw new Error(message);
  }
  const m = parsed.output;
  switch (m.type) {
    case 'loading':
      store.view = undefined;
      mounted = undefined;
      app.replaceChildren(el('p', 'muted', l10n.t('Computing attention…')));
      return;
    case 'error':
      store.view = undefined;
      mounted = undefined;
      app.replaceChildren(el('p', 'error', m.message));
      return;
    case 'attention': {
      const old = store.view;
      const fresh = !old || old.layers !== m.view.layers || old.heads !== m.view.heads;
      const view = withAllLayers(m.view);
      if (!view) {
        const message = l10n.t('The attention data could not be read; run Show Attention again.');
        app.replaceChildren(el('p', 'error', message));
        throw new Error(message);
      }
      store.view = view;
      document.body.dataset.viewAt = String(Date.now()); // when this result came (bench/attentionBase.sh)
      missing = m.view.layers;
      layerArrived(m.view.layer === undefined ? m.view.layers : 1);
      store.zoom = undefined;
      // a new shape starts on the layer sent first (the last, or the first when the engine had that one
      // sooner); a result that comes layer by layer shows the layer it brings, not one still to come
      if (fresh)
        store.ui = {
          ...store.ui,
          layer: m.view.layer ?? m.view.layers - 1,
          heads: [...Array(m.view.heads).keys()],
          matrixHead: -1,
        };
      else if (m.view.layer !== undefined) store.ui = { ...store.ui, layer: m.view.layer };
      save();
      render();
      return;
    }
    case 'attentionLayer': {
      const view = store.view;
      const n = view ? view.heads * view.tokens.length ** 2 : 0;
      if (!view || m.layer >= view.layers || m.weights.length !== n) return; // of an older result
      view.weights.set(m.weights, m.layer * n);
      layerArrived(1);
      // repaint when the layer is on screen: the model view shows them all, the others one
      if (store.ui.mode === 'model' || store.ui.layer === m.layer) repaintSoon();
      return;
    }
    case 'focusToken':
      store.focus = m.index;
      render();
      return;
  }
}
handleHost(onPush, showFailure);

document.body.dataset.readyAt = String(Date.now()); // when the page could take messages (the bench)
send({ type: 'ready' });
