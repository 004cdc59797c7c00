// The controls bar: view, layer, word merging, then per view the direction and head tiles (head view)
// or the head and threshold (matrix view), and the PNG / SVG / JSON exports.
import type { AttentionMode, AttentionView } from '../../shared/protocol/attention';
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
  group.append(el('span', 'muted', 'Heads'));
  const tiles = el('span', 'tiles');
  tiles.setAttribute('role', 'group');
  tiles.setAttribute('aria-label', 'Heads shown');
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
    t.setAttribute('aria-label', `Head ${h + 1}`);
    t.title = `Head ${h + 1}: click to show or hide, double-click to show only this head`;
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
    const b = el('button', 'secondary', `Export ${f.toUpperCase()}`);
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
      ['head', 'Head view'],
      ['model', 'Model view'],
      ['matrix', 'Matrix view'],
    ],
    ui.mode,
  );
  modeSel.addEventListener('change', () => setUi({ mode: modeSel.value as AttentionMode }));
  const layerSel = selectEl(
    'layer',
    Array.from({ length: v.layers }, (_, l) => [String(l), `Layer ${l + 1}`] as const),
    String(ui.layer),
  );
  layerSel.addEventListener('change', () => setUi({ layer: Number(layerSel.value) }));
  const merge = el('label');
  merge.title = 'Join the tokens of each word, as the tokenizer split it (WordPieces, BPE pieces)';
  const cb = el('input');
  cb.type = 'checkbox';
  cb.id = 'merge';
  cb.checked = ui.merge;
  cb.addEventListener('change', () => setUi({ merge: cb.checked }));
  merge.append(cb, document.createTextNode(' merge tokens into words'));
  bar.append(modeSel, layerSel, merge);
  if (ui.mode === 'head') {
    const dir = selectEl(
      'direction',
      [
        ['all', 'all'],
        ['ab', 'sentence A → B'],
        ['ba', 'sentence B → A'],
      ],
      ui.direction,
    );
    dir.disabled = !g.segments.includes(1);
    dir.title = dir.disabled
      ? 'Select two sentences (on two lines) to filter the lines by direction'
      : 'Which lines to draw: all, or only from one sentence to the other';
    dir.addEventListener('change', () => setUi({ direction: dir.value as UiState['direction'] }));
    const dirLabel = el('label', 'muted', 'Direction');
    dirLabel.htmlFor = 'direction';
    bar.append(dirLabel, dir, headTiles(v));
  }
  if (ui.mode === 'matrix') {
    const headSel = selectEl(
      'matrix-head',
      [
        ['-1', 'average of heads'],
        ...Array.from({ length: v.heads }, (_, h) => [String(h), `head ${h + 1}`] as const),
      ],
      String(ui.matrixHead),
    );
    headSel.addEventListener('change', () => setUi({ matrixHead: Number(headSel.value) }));
    const th = numberEl('range', 'threshold', 0, 1, ui.threshold, 0.01);
    th.title = 'Hide weights below this value';
    const thLabel = el('span', 'muted', `hide below ${ui.threshold.toFixed(2)}`);
    th.addEventListener('input', () => setUi({ threshold: Number(th.value) }));
    bar.append(headSel, th, thLabel);
  }
  bar.append(exports(v, g));
  return bar;
}
