// Model view: a small heat map per layer and head, sized so that a row of heads fits the panel and set
// right beside its "layer N" label; coloured with viridis (perceptually even, not pale) on a fixed
// square-root scale shown above the grid. Clicking one opens it in the matrix view.
import type { AttentionView } from '../../shared/protocol/attention';
import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';
import { canvas, viridisImage, viridisLegend } from './draw';
import type { Grid } from './grid';
import { setUi } from './state';

const LABEL_W = 64; // px of the "layer N" column

export function drawModelView(v: AttentionView, g: Grid, width: number): HTMLElement {
  const n = g.labels.length;
  // 6 px of gap between heat maps
  const cell = Math.max(24, Math.min(100, Math.floor((width - LABEL_W) / v.heads) - 6));
  const box = el('div', 'model-view');
  const scale = el('div', 'model-scale');
  scale.append(
    el('span', 'muted', l10n.t('attention weight')),
    viridisLegend(Math.min(260, Math.max(140, width - 160))),
  );
  const wrap = el('div', 'model-grid');
  wrap.style.gridTemplateColumns = `${LABEL_W}px repeat(${v.heads}, ${cell}px)`;
  wrap.append(el('span'));
  for (let h = 0; h < v.heads; h++) wrap.append(el('span', 'axis', l10n.t('head {0}', h + 1)));
  for (let l = 0; l < v.layers; l++) {
    wrap.append(el('span', 'axis', l10n.t('layer {0}', l + 1)));
    for (let h = 0; h < v.heads; h++) {
      const [c, ctx] = canvas(cell, cell, l10n.t('layer {0} head {1}', l + 1, h + 1));
      c.className = 'thumb';
      c.dataset.layer = String(l);
      c.dataset.head = String(h);
      // one pixel per cell, scaled down with smoothing, so 512 tokens is one image, not 262,144 rectangles
      const image = viridisImage(n, (i, j) => g.at(l, h, i, j));
      ctx.imageSmoothingEnabled = n > cell;
      ctx.drawImage(image, 0, 0, cell, cell);
      c.title = l10n.t('Layer {0}, head {1}: click to open it large', l + 1, h + 1);
      c.addEventListener('click', () => setUi({ mode: 'matrix', layer: l, matrixHead: h }));
      wrap.append(c);
    }
  }
  box.append(scale, wrap);
  return box;
}
