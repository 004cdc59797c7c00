// Matrix view: token × token for one head or the layer's average, fitted to the panel. The wheel or the
// buttons zoom (about the mouse or the centre), dragging pans; labels are drawn only when a cell is as
// tall as the text. The line above names the cursor token's strongest targets, or the hovered cell.
import type { AttentionView } from '../../shared/protocol/attention';
import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';
import { canvas, css, font, heatImage, LABEL_HEIGHT, resize, rgb } from './draw';
import { fmtWeight, type Grid, matrix } from './grid';
import { type MatrixZoom, matrixHeads, store } from './state';

/** A view that lays itself out once it is in the page, and again when the panel is resized. */
export interface Mounted {
  el: HTMLElement;
  mount(): void;
}

const GUTTER = 90; // px for the row and column labels
const SCALE_W = 110; // px right of the matrix for the colour scale and its numbers ("0.123" whole)
const MAX_CELL = 40; // px: a short selection does not blow up into huge squares
const MAX_ZOOM_CELL = 48; // px: the largest cell zooming can reach
const LABEL_CHARS = 12;

export function drawMatrixView(v: AttentionView, g: Grid): Mounted {
  const { ui } = store;
  const n = g.labels.length;
  const values = matrix(g, ui.layer, matrixHeads(v)); // [n, n]
  // colour relative to the largest weight shown, so that long inputs (weights near 1/n) stay visible
  let top = 0;
  for (const w of values) top = Math.max(top, w);
  const hot = css('--vscode-charts-blue', '#3794ff');
  const fg = css('--vscode-foreground', '#ccc');
  const orange = css('--vscode-charts-orange', '#d18616');
  const { image, cells } = heatImage(n, (i, j) => values[i * n + j], rgb(hot), top, ui.threshold);
  const what = ui.matrixHead >= 0 ? l10n.t('head {0}', ui.matrixHead + 1) : l10n.t('average of all heads');
  const [c, ctx] = canvas(1, 1, l10n.t('attention matrix of layer {0}, {1}', ui.layer + 1, what));
  c.id = 'matrix-canvas';
  c.style.display = 'block';
  c.style.touchAction = 'none';
  c.style.cursor = 'grab';
  c.dataset.cells = String(cells);

  // the editor cursor's token (the panel follows the cursor): its row outlined, its strongest targets named
  const focus = store.focus;
  const fi = focus === undefined ? -1 : g.groups.findIndex((grp) => grp.includes(focus));
  c.dataset.focusRow = String(fi);
  let cursorLine = '';
  if (fi >= 0) {
    const best = Array.from(values.subarray(fi * n, fi * n + n), (w, j) => [w, j] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3)
      .map(([w, j]) => `${g.labels[j]} ${fmtWeight(w)}`);
    cursorLine = l10n.t('cursor on "{0}": attends most to {1}', g.labels[fi], best.join(', '));
  }
  const tip = el('div', 'tip', cursorLine);
  tip.id = 'matrix-tip';
  Object.assign(tip.style, { flex: '1', minWidth: '0', whiteSpace: 'nowrap', overflow: 'hidden' });
  tip.style.textOverflow = 'ellipsis';

  if (!store.zoom || store.zoom.n !== n) store.zoom = { n, zoom: 1, x: 0, y: 0 };
  const zm: MatrixZoom = store.zoom;
  let S = 0; // px side of the matrix
  let base = 1; // px of a cell at zoom 1
  const maxZoom = () => Math.max(1, MAX_ZOOM_CELL / base);
  const clamp = () => {
    zm.zoom = Math.min(maxZoom(), Math.max(1, zm.zoom));
    const span = n / zm.zoom;
    zm.x = Math.min(n - span, Math.max(0, zm.x));
    zm.y = Math.min(n - span, Math.max(0, zm.y));
  };
  const zoomLabel = el('span', 'muted');
  zoomLabel.id = 'zoom-level';

  const paint = () => {
    clamp();
    const cell = base * zm.zoom;
    const span = n / zm.zoom;
    const W = GUTTER + S + SCALE_W;
    const H = GUTTER + S;
    ctx.clearRect(0, 0, W, H);
    // below one pixel a cell, smoothing averages neighbours instead of dropping every other one
    ctx.imageSmoothingEnabled = cell < 1;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(image, zm.x, zm.y, span, span, GUTTER, GUTTER, S, S);
    ctx.globalAlpha = 0.4;
    ctx.strokeStyle = fg;
    ctx.lineWidth = 1;
    ctx.strokeRect(GUTTER - 0.5, GUTTER - 0.5, S + 1, S + 1);
    ctx.globalAlpha = 1;
    ctx.font = font();
    ctx.fillStyle = fg;
    ctx.textBaseline = 'middle';
    const first = Math.floor(zm.y);
    const firstCol = Math.floor(zm.x);
    const labels = cell >= LABEL_HEIGHT;
    c.dataset.labels = labels ? 'shown' : 'hidden';
    if (labels) {
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, GUTTER, GUTTER, S);
      ctx.clip();
      ctx.textAlign = 'right';
      for (let i = first; i < Math.min(n, Math.ceil(zm.y + span)); i++)
        ctx.fillText(g.labels[i].slice(0, LABEL_CHARS), GUTTER - 4, GUTTER + (i - zm.y + 0.5) * cell);
      ctx.restore();
      ctx.save();
      ctx.beginPath();
      ctx.rect(GUTTER, 0, S, GUTTER);
      ctx.clip();
      ctx.textAlign = 'left';
      for (let j = firstCol; j < Math.min(n, Math.ceil(zm.x + span)); j++) {
        ctx.save();
        ctx.translate(GUTTER + (j - zm.x + 0.5) * cell, GUTTER - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(g.labels[j].slice(0, LABEL_CHARS), 0, 0);
        ctx.restore();
      }
      ctx.restore();
    }
    if (fi >= 0 && fi + 1 > zm.y && fi < zm.y + span) {
      const y = GUTTER + (fi - zm.y) * cell;
      ctx.save();
      ctx.beginPath();
      ctx.rect(0, GUTTER - 2, GUTTER + S + 2, S + 4);
      ctx.clip();
      ctx.strokeStyle = orange;
      ctx.lineWidth = 2;
      ctx.strokeRect(GUTTER - 1, y - 1, S + 2, Math.max(1, cell) + 2);
      ctx.fillStyle = orange;
      ctx.textAlign = 'right';
      const label = labels ? Math.min(LABEL_CHARS, g.labels[fi].length) * 7.5 : 0;
      ctx.fillText('▶', GUTTER - 4 - label, y + Math.max(1, cell) / 2);
      ctx.restore();
    }
    // colour scale
    const sx = GUTTER + S + 16;
    ctx.fillStyle = hot;
    for (let k = 0; k < 100; k++) {
      ctx.globalAlpha = 1 - k / 100;
      ctx.fillRect(sx, GUTTER + k * (S / 100), 14, S / 100 + 1);
    }
    ctx.globalAlpha = 1;
    ctx.fillStyle = fg;
    ctx.textAlign = 'left';
    // the maximum in full: the canvas ends SCALE_W px right of the matrix, so the label must fit there
    const topLabel = fmtWeight(top);
    ctx.fillText(topLabel, sx + 18, GUTTER + 6);
    ctx.fillText('0', sx + 18, GUTTER + S - 6);
    c.dataset.scaleMax = topLabel;
    c.dataset.scaleLabelRight = String(Math.ceil(sx + 18 + ctx.measureText(topLabel).width));
    c.dataset.width = String(GUTTER + S + SCALE_W);
    c.dataset.zoom = zm.zoom.toFixed(2);
    c.dataset.origin = `${zm.x.toFixed(1)},${zm.y.toFixed(1)}`; // the top-left cell in view
    c.dataset.cell = cell.toFixed(2);
    zoomLabel.textContent = `${Math.round(zm.zoom * 100)}%`;
  };
  let pending = 0;
  const repaint = () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      paint();
    });
  };

  /** Zooms by `factor` keeping the cell under (px, py) in place. */
  const zoomAt = (px: number, py: number, factor: number) => {
    const at = (p: number) => Math.min(S, Math.max(0, p - GUTTER));
    const cell = base * zm.zoom;
    const cx = zm.x + at(px) / cell;
    const cy = zm.y + at(py) / cell;
    zm.zoom = Math.min(maxZoom(), Math.max(1, zm.zoom * factor));
    const next = base * zm.zoom;
    zm.x = cx - at(px) / next;
    zm.y = cy - at(py) / next;
    repaint();
  };
  const local = (e: MouseEvent) => {
    const r = c.getBoundingClientRect();
    return [e.clientX - r.left, e.clientY - r.top] as const;
  };

  c.addEventListener(
    'wheel',
    (e) => {
      e.preventDefault();
      const [x, y] = local(e);
      zoomAt(x, y, Math.exp(-e.deltaY * 0.002));
    },
    { passive: false },
  );
  let drag: { x: number; y: number; zx: number; zy: number } | undefined;
  c.addEventListener('pointerdown', (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, zx: zm.x, zy: zm.y };
    c.setPointerCapture(e.pointerId);
    c.style.cursor = 'grabbing';
  });
  const endDrag = () => {
    drag = undefined;
    c.style.cursor = 'grab';
  };
  c.addEventListener('pointerup', endDrag);
  c.addEventListener('pointercancel', endDrag);
  c.addEventListener('pointermove', (e) => {
    const cell = base * zm.zoom;
    if (drag) {
      zm.x = drag.zx - (e.clientX - drag.x) / cell;
      zm.y = drag.zy - (e.clientY - drag.y) / cell;
      repaint();
      return;
    }
    const [x, y] = local(e);
    if (x < GUTTER || y < GUTTER || x >= GUTTER + S || y >= GUTTER + S) {
      tip.textContent = cursorLine;
      return;
    }
    const i = Math.min(n - 1, Math.floor(zm.y + (y - GUTTER) / cell));
    const j = Math.min(n - 1, Math.floor(zm.x + (x - GUTTER) / cell));
    tip.textContent = `${g.labels[i]} → ${g.labels[j]}: ${fmtWeight(values[i * n + j])}`;
  });
  c.addEventListener('pointerleave', () => {
    if (!drag) tip.textContent = cursorLine;
  });

  const button = (id: string, text: string, title: string, act: () => void) => {
    const b = el('button', 'secondary', text);
    b.type = 'button';
    b.id = id;
    b.title = title;
    b.addEventListener('click', act);
    return b;
  };
  const centre = () => GUTTER + S / 2;
  const bar = el('div', 'matrix-bar');
  Object.assign(bar.style, { display: 'flex', gap: '6px', alignItems: 'center', marginBottom: '4px' });
  bar.append(
    button('zoom-out', '−', l10n.t('Zoom out (or scroll the wheel over the matrix)'), () =>
      zoomAt(centre(), centre(), 0.5),
    ),
    button('zoom-in', '+', l10n.t('Zoom in (or scroll the wheel over the matrix); drag to pan'), () =>
      zoomAt(centre(), centre(), 2),
    ),
    button('zoom-fit', l10n.t('Fit'), l10n.t('Show the whole matrix'), () => {
      Object.assign(zm, { zoom: 1, x: 0, y: 0 });
      repaint();
    }),
    zoomLabel,
    tip,
  );
  const box = el('div', 'matrix');
  box.append(bar, c);
  return {
    el: box,
    mount() {
      // the panel's width, and its height below the canvas's top, less the body's bottom padding
      const width = box.clientWidth;
      const height = window.innerHeight - c.getBoundingClientRect().top - 20;
      S = Math.floor(Math.min(width - GUTTER - SCALE_W, height - GUTTER, n * MAX_CELL));
      S = Math.max(40, S);
      base = S / n;
      resize(c, ctx, GUTTER + S + SCALE_W, GUTTER + S);
      paint();
    },
  };
}
