// Head view: two columns of the same tokens, a line from each source to each target per shown head,
// as strong as the weight. Hovering a token on the left (right) keeps only its lines out (in).

import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';
import { canvas, css, font, headColour } from './draw';
import type { Grid } from './grid';
import { store } from './state';

export const ROW_H = 18;
const COL_W = 150; // px of each token column, in a panel wide enough
const GAP = 220; // px between the columns, where the lines are
const MIN_COL = 64;
const MIN_GAP = 48;
const SCROLLBAR = 14; // px a vertical scrollbar may take

/**
 * The columns for a panel `width` px wide: the full 150 + 220 + 150 when it fits, else narrower, so
 * the canvas never overflows sideways (a horizontal scrollbar would hide the last row, [SEP]).
 */
export function headLayout(width: number): { col: number; gap: number; chars: number } {
  if (!(width > 0) || width >= COL_W * 2 + GAP) return { col: COL_W, gap: GAP, chars: 18 };
  const col = Math.max(MIN_COL, Math.floor(width * 0.3));
  const gap = Math.max(MIN_GAP, width - 2 * col);
  return { col, gap, chars: Math.max(4, Math.floor((col - 6) / 7.5)) };
}

export function drawHeadView(g: Grid, panelWidth = 0): HTMLElement {
  const { ui } = store;
  const n = g.labels.length;
  const full = n * ROW_H + 10;
  // Only the rows in view are drawn: the canvas is one viewport high and stays put while a spacer
  // gives the scroll range, so 512 tokens cost what 33 do. A short input gets no scrollbar at all.
  const viewH = Math.min(full, 600);
  const scrolls = full > viewH;
  const { col: COL, gap: GAP_W, chars } = headLayout(panelWidth - (scrolls ? SCROLLBAR : 0));
  const W = COL * 2 + GAP_W;
  const [c, ctx] = canvas(
    W,
    viewH,
    l10n.t('head view of layer {0}, {1} heads', ui.layer + 1, ui.heads.length),
  );
  c.id = 'head-canvas';
  c.style.position = 'sticky';
  c.style.top = '0';
  c.style.display = 'block';
  const scroller = el('div', 'head-scroll');
  scroller.style.height = `${viewH}px`;
  scroller.style.overflowY = scrolls ? 'auto' : 'hidden';
  scroller.style.overflowX = 'hidden';
  const spacer = el('div');
  spacer.style.height = `${full - viewH}px`;
  scroller.append(c, spacer);
  const fg = css('--vscode-foreground', '#ccc');
  const draw = () => {
    const { hover, focus } = store;
    const top = scroller.scrollTop;
    const first = Math.max(0, Math.floor((top - 5) / ROW_H));
    const last = Math.min(n - 1, Math.ceil((top + viewH) / ROW_H));
    ctx.clearRect(0, 0, W, viewH);
    ctx.font = font();
    ctx.textBaseline = 'middle';
    const y = (i: number) => 5 + i * ROW_H + ROW_H / 2 - top;
    let lines = 0;
    for (const h of ui.heads) {
      ctx.strokeStyle = headColour(h);
      for (let i = first; i <= last; i++) {
        if (hover?.side === 'left' && hover.index !== i) continue;
        for (let j = first; j <= last; j++) {
          if (hover?.side === 'right' && hover.index !== j) continue;
          if (ui.direction === 'ab' && !(g.segments[i] === 0 && g.segments[j] === 1)) continue;
          if (ui.direction === 'ba' && !(g.segments[i] === 1 && g.segments[j] === 0)) continue;
          const w = g.at(ui.layer, h, i, j);
          if (w < 0.01) continue;
          ctx.globalAlpha = Math.min(1, w * (hover ? 1 : 0.8));
          ctx.lineWidth = 2;
          ctx.beginPath();
          ctx.moveTo(COL, y(i));
          ctx.lineTo(COL + GAP_W, y(j));
          ctx.stroke();
          lines++;
        }
      }
    }
    ctx.globalAlpha = 1;
    for (let i = first; i <= last; i++) {
      const strong = focus !== undefined && g.groups[i].includes(focus);
      ctx.fillStyle = strong ? css('--vscode-charts-orange', '#d18616') : fg;
      ctx.textAlign = 'right';
      const text = g.labels[i].length > chars ? `${g.labels[i].slice(0, chars - 1)}…` : g.labels[i];
      ctx.fillText(text, COL - 6, y(i));
      ctx.textAlign = 'left';
      ctx.fillText(text, COL + GAP_W + 6, y(i));
    }
    c.dataset.lines = String(lines);
    c.dataset.rows = String(last - first + 1);
  };
  c.addEventListener('mousemove', (e) => {
    const r = c.getBoundingClientRect();
    const x = e.clientX - r.left;
    const i = Math.floor((e.clientY - r.top - 5 + scroller.scrollTop) / ROW_H);
    const next =
      i >= 0 && i < n
        ? x < COL
          ? { side: 'left' as const, index: i }
          : x > COL + GAP_W
            ? { side: 'right' as const, index: i }
            : undefined
        : undefined;
    if (next?.side !== store.hover?.side || next?.index !== store.hover?.index) {
      store.hover = next;
      draw();
    }
  });
  c.addEventListener('mouseleave', () => {
    store.hover = undefined;
    draw();
  });
  let pending = 0;
  scroller.addEventListener('scroll', () => {
    if (pending) return;
    pending = requestAnimationFrame(() => {
      pending = 0;
      draw();
    });
  });
  draw();
  return scroller;
}
