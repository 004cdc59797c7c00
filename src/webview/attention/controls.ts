// The controls bar: view, layer, word merging, then per view the direction and head tiles (head view)
// or the head and threshold (matrix view), and the PNG / SVG / JSON exports.
import type { AttentionMode, AttentionView } from '../../shared/protocol/attention';
import { l10n } from '../common/l10n';
import { el, numberEl, selectEl } from '../common/vscodeApi';
import { captionedPng } from './caption';
import { headColour, rgb } from './draw';
import { toSvg } from './exportSvg';
import type { Grid } from './grid';
import { exportView, setUi, store, type UiState } from './state';

/** Black or white, whichever reads better on the colour (a head's tile shows its number). */
function inkOn(colour: string): string {
  const [r, g, b] = rgb(colour);
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#000' : '#fff';
}

function headTiles(v: AttentionView): HTMLElement {
  const { ui } = store;
  const group = el('span', 'tiles-group');
  group.append(el('span', 'muted', l10n.t('Heads')));
  const tiles = el('span', 'tiles');
  tiles.setAttribute('role', 'group');
  tiles.setAttribute('aria-label', l10n.t('Heads shown'));
  group.append(tiles);
  for (let h = 0; h < v.heads; h++) {
    const on = ui.heads.includes(h);
    // the head's number on its tile: a row of coloured squares alone does not say which head is which
    const t = el('button', on ? 'tile on' : 'tile', String(h + 1));
    t.type = 'button';
    t.dataset.head = String(h);
    t.style.background = on ? headColour(h) : 'transparent';
    t.style.borderColor = headColour(h);
    t.style.color = on ? inkOn(headColour(h)) : 'var(--vscode-foreground)';
    t.setAttribute('aria-pressed', String(on));
    t.setAttribute('aria-label', l10n.t('Head {0}', h + 1));
    t.title = l10n.t('Head {0}: click to show or hide, double-click to show only this head', h + 1);
    t.addEventListener('click', () =>
      setUi({
        heads: ui.heads.includes(h)
          ? ui.heads.filter((x) => x !== h)
          : [...ui.heads, h].sort((a, b) => a - b),
      }),
    );
    t.addEventListener('dblclick', () => setUi({ heads: [h] }));
    tiles.append(t);
  }
  return group;
}

function exports(v: AttentionView, g: Grid): HTMLElement {
  const exp = el('span', 'export');
  for (const f of ['png', 'svg', 'json'] as const) {
    const b = el('button', 'secondary', l10n.t('Export {0}', f.toUpperCase()));
    b.type = 'button';
    b.id = `export-${f}`;
    b.addEventListener('click', () => {
      if (f === 'json') exportView({ type: 'export', format: 'json', data: '' });
      else if (f === 'svg') exportView({ type: 'export', format: 'svg', data: toSvg(v, g) });
      else {
        // the picture with its caption (model, layer, heads, text) above it
        const data = captionedPng(v, g);
        if (data) exportView({ type: 'export', format: 'png', data });
      }
    });
    exp.append(b);
  }
  return exp;
}

export function controls(v: AttentionView, g: Grid): HTMLElement {
  const { ui } = store;
  const bar = el('div', 'controls');
  const modeSel = selectEl(
    'mode',
    [
      ['head', l10n.t('Head view')],
      ['model', l10n.t('Model view')],
      ['matrix', l10n.t('Matrix view')],
    ],
    ui.mode,
  );
  modeSel.addEventListener('change', () => setUi({ mode: modeSel.value as AttentionMode }));
  const layerSel = selectEl(
    'layer',
    Array.from({ length: v.layers }, (_, l) => [String(l), l10n.t('Layer {0}', l + 1)] as const),
    String(ui.layer),
  );
  layerSel.addEventListener('change', () => setUi({ layer: Number(layerSel.value) }));
  const merge = el('label');
  merge.title = l10n.t('Join the tokens of each word, as the tokenizer split it (WordPieces, BPE pieces)');
  const cb = el('input');
  cb.type = 'checkbox';
  cb.id = 'merge';
  cb.checked = ui.merge;
  cb.addEventListener('change', () => setUi({ merge: cb.checked }));
  merge.append(cb, document.createTextNode(l10n.t(' merge tokens into words')));
  bar.append(modeSel, layerSel, merge);
  if (ui.mode === 'head') {
    const dir = selectEl(
      'direction',
      [
        ['all', l10n.t('all')],
        ['ab', l10n.t('sentence A → B')],
        ['ba', l10n.t('sentence B → A')],
      ],
      ui.direction,
    );
    dir.disabled = !g.segments.includes(1);
    dir.title = dir.disabled
      ? l10n.t('Select two sentences (on two lines) to filter the lines by direction')
      : l10n.t('Which lines to draw: all, or only from one sentence to the other');
    dir.addEventListener('change', () => setUi({ direction: dir.value as UiState['direction'] }));
    const dirLabel = el('label', 'muted', l10n.t('Direction'));
    dirLabel.htmlFor = 'direction';
    bar.append(dirLabel, dir, headTiles(v));
  }
  if (ui.mode === 'matrix') {
    const headSel = selectEl(
      'matrix-head',
      [
        ['-1', l10n.t('average of heads')],
        ...Array.from({ length: v.heads }, (_, h) => [String(h), l10n.t('head {0}', h + 1)] as const),
      ],
      String(ui.matrixHead),
    );
    headSel.addEventListener('change', () => setUi({ matrixHead: Number(headSel.value) }));
    const th = numberEl('range', 'threshold', 0, 1, ui.threshold, 0.01);
    th.title = l10n.t('Hide weights below this value');
    const thLabel = el('span', 'muted', l10n.t('hide below {0}', ui.threshold.toFixed(2)));
    th.addEventListener('input', () => setUi({ threshold: Number(th.value) }));
    bar.append(headSel, th, thLabel);
  }
  bar.append(exports(v, g));
  return bar;
}
