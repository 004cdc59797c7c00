// The attention panel: head view (lines between two token columns), model view (a small heat map per
// layer and head) and matrix view (token × token for one head or a layer's average), all on canvas.
// Tokens can be merged into words: attention summed over the target pieces, averaged over the source.
import type {
  AttentionMode,
  AttentionView,
  FromAttentionPanel,
  ToAttentionPanel,
} from '../../shared/webviewProtocol';
import { el, numberEl, selectEl, vscodeApi } from '../common/vscodeApi';

interface UiState {
  mode: AttentionMode;
  layer: number;
  heads: number[]; // shown heads
  merge: boolean;
  threshold: number;
  direction: 'all' | 'ab' | 'ba';
  matrixHead: number; // -1 = average of the layer's heads
}

const api = vscodeApi<{ ui: UiState }>();
const app = document.getElementById('app')!;
let view: AttentionView | undefined;
let ui: UiState = api.getState()?.ui ?? {
  mode: 'head',
  layer: 0,
  heads: [],
  merge: false,
  threshold: 0,
  direction: 'all',
  matrixHead: -1,
};
let hover: { side: 'left' | 'right'; index: number } | undefined;
let focus: number | undefined;
let paints = 0; // counts renders, so tests can tell a new paint from the last one

const send = (m: FromAttentionPanel) => api.postMessage(m);
const css = (name: string, fallback: string) =>
  getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
const HEAD_COLOURS = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#46f0f0',
  '#f032e6',
  '#bcf60c',
  '#fabebe',
  '#008080',
  '#9a6324',
  '#800000',
];
const headColour = (h: number) => HEAD_COLOURS[h % HEAD_COLOURS.length];

/** Tokens and attention after optional WordPiece merging: groups of token indices and a matrix getter. */
interface Grid {
  labels: string[];
  segments: number[];
  groups: number[][];
  at(layer: number, head: number, i: number, j: number): number;
}

function grid(v: AttentionView, merge: boolean): Grid {
  const T = v.tokens.length;
  const raw = (l: number, h: number, i: number, j: number) =>
    v.weights[((l * v.heads + h) * T + i) * T + j] / 255;
  if (!merge) {
    const groups = v.tokens.map((_, i) => [i]);
    return { labels: v.tokens, segments: v.segments, groups, at: raw };
  }
  const groups: number[][] = [];
  v.tokens.forEach((t, i) => {
    if (t.startsWith('##') && groups.length) groups[groups.length - 1].push(i);
    else groups.push([i]);
  });
  const labels = groups.map((g) => g.map((i) => v.tokens[i].replace(/^##/, '')).join(''));
  const segments = groups.map((g) => v.segments[g[0]]);
  const at = (l: number, h: number, i: number, j: number) => {
    let s = 0;
    for (const a of groups[i]) for (const b of groups[j]) s += raw(l, h, a, b);
    return s / groups[i].length;
  };
  return { labels, segments, groups, at };
}

function meanOver(g: Grid, layer: number, heads: number[], i: number, j: number): number {
  if (heads.length === 0) return 0;
  let s = 0;
  for (const h of heads) s += g.at(layer, h, i, j);
  return s / heads.length;
}

function save(): void {
  api.setState({ ui });
  // the editor highlight follows what is on screen: the matrix view's head (or all), else the shown heads
  const heads =
    ui.mode === 'matrix'
      ? ui.matrixHead >= 0
        ? [ui.matrixHead]
        : [...Array(view?.heads ?? 0).keys()]
      : ui.heads;
  if (view) send({ type: 'viewState', layer: ui.layer, heads, merge: ui.merge });
}

function canvas(w: number, h: number, label: string): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = el('canvas');
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  c.style.width = `${w}px`;
  c.style.height = `${h}px`;
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  const g = c.getContext('2d')!;
  g.scale(dpr, dpr);
  return [c, g];
}

function font(): string {
  return `12px ${css('--vscode-editor-font-family', 'monospace')}`;
}

// ---- head view
function drawHeadView(g: Grid): HTMLElement {
  const n = g.labels.length;
  const rowH = 18;
  const colW = 150;
  const gap = 220;
  const W = colW * 2 + gap;
  const full = n * rowH + 10;
  // Only the rows in view are drawn: the canvas is one viewport high and stays put while a spacer
  // gives the scroll range, so 512 tokens cost what 33 do.
  const viewH = Math.min(full, 600);
  const [c, ctx] = canvas(W, viewH, `head view of layer ${ui.layer + 1}, ${ui.heads.length} heads`);
  c.id = 'head-canvas';
  c.style.position = 'sticky';
  c.style.top = '0';
  c.style.display = 'block';
  const scroller = el('div', 'head-scroll');
  scroller.style.height = `${viewH}px`;
  scroller.style.overflowY = 'auto';
  const spacer = el('div');
  spacer.style.height = `${full - viewH}px`;
  scroller.append(c, spacer);
  const fg = css('--vscode-foreground', '#ccc');
  const draw = () => {
    const top = scroller.scrollTop;
    const first = Math.max(0, Math.floor((top - 5) / rowH));
    const last = Math.min(n - 1, Math.ceil((top + viewH) / rowH));
    ctx.clearRect(0, 0, W, viewH);
    ctx.font = font();
    ctx.textBaseline = 'middle';
    const y = (i: number) => 5 + i * rowH + rowH / 2 - top;
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
          ctx.moveTo(colW, y(i));
          ctx.lineTo(colW + gap, y(j));
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
      const text = g.labels[i].length > 18 ? `${g.labels[i].slice(0, 17)}…` : g.labels[i];
      ctx.fillText(text, colW - 6, y(i));
      ctx.textAlign = 'left';
      ctx.fillText(text, colW + gap + 6, y(i));
    }
    c.dataset.lines = String(lines);
    c.dataset.rows = String(last - first + 1);
  };
  c.addEventListener('mousemove', (e) => {
    const r = c.getBoundingClientRect();
    const x = e.clientX - r.left;
    const i = Math.floor((e.clientY - r.top - 5 + scroller.scrollTop) / rowH);
    const next =
      i >= 0 && i < n
        ? x < colW
          ? { side: 'left' as const, index: i }
          : x > colW + gap
            ? { side: 'right' as const, index: i }
            : undefined
        : undefined;
    if (next?.side !== hover?.side || next?.index !== hover?.index) {
      hover = next;
      draw();
    }
  });
  c.addEventListener('mouseleave', () => {
    hover = undefined;
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

// ---- model view
function drawModelView(v: AttentionView, g: Grid): HTMLElement {
  const n = g.labels.length;
  const cell = Math.max(40, Math.min(100, Math.floor(900 / v.heads) - 8));
  const wrap = el('div', 'model-grid');
  wrap.style.gridTemplateColumns = `auto repeat(${v.heads}, ${cell}px)`;
  wrap.append(el('span'));
  for (let h = 0; h < v.heads; h++) wrap.append(el('span', 'axis', `head ${h + 1}`));
  for (let l = 0; l < v.layers; l++) {
    wrap.append(el('span', 'axis', `layer ${l + 1}`));
    for (let h = 0; h < v.heads; h++) {
      const [c, ctx] = canvas(cell, cell, `layer ${l + 1} head ${h + 1}`);
      c.className = 'thumb';
      c.dataset.layer = String(l);
      c.dataset.head = String(h);
      const px = cell / n;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const w = g.at(l, h, i, j);
          if (w < 0.02) continue;
          ctx.globalAlpha = Math.min(1, w);
          ctx.fillStyle = headColour(h);
          ctx.fillRect(j * px, i * px, Math.ceil(px), Math.ceil(px));
        }
      }
      c.title = `Layer ${l + 1}, head ${h + 1}: click to open it large`;
      c.addEventListener('click', () => {
        ui = { ...ui, mode: 'matrix', layer: l, matrixHead: h };
        save();
        render();
      });
      wrap.append(c);
    }
  }
  return wrap;
}

// ---- matrix view
function drawMatrixView(v: AttentionView, g: Grid): HTMLElement {
  const n = g.labels.length;
  const label = 90;
  const cell = Math.max(2, Math.min(28, Math.floor(720 / n)));
  const W = label + n * cell + 60;
  const H = label + n * cell + 10;
  const heads = ui.matrixHead >= 0 ? [ui.matrixHead] : [...Array(v.heads).keys()];
  const what = ui.matrixHead >= 0 ? `head ${ui.matrixHead + 1}` : 'average of all heads';
  const [c, ctx] = canvas(W, H, `attention matrix of layer ${ui.layer + 1}, ${what}`);
  c.id = 'matrix-canvas';
  const fg = css('--vscode-foreground', '#ccc');
  const hot = css('--vscode-charts-blue', '#3794ff');
  let cellsDrawn = 0;
  const values: number[][] = [];
  for (let i = 0; i < n; i++) {
    values.push([]);
    for (let j = 0; j < n; j++) values[i].push(meanOver(g, ui.layer, heads, i, j));
  }
  // colour relative to the largest weight shown, so that long inputs (weights near 1/n) stay visible
  let top = 0;
  for (const row of values) for (const w of row) top = Math.max(top, w);
  ctx.font = font();
  ctx.fillStyle = hot;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const w = values[i][j];
      if (w < ui.threshold || w <= 0) continue;
      ctx.globalAlpha = Math.min(1, w / (top || 1));
      ctx.fillRect(label + j * cell, label + i * cell, cell, cell);
      cellsDrawn++;
    }
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = fg;
  if (cell >= 8) {
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i < n; i++)
      ctx.fillText(g.labels[i].slice(0, 12), label - 4, label + i * cell + cell / 2);
    for (let j = 0; j < n; j++) {
      ctx.save();
      ctx.translate(label + j * cell + cell / 2, label - 4);
      ctx.rotate(-Math.PI / 2);
      ctx.textAlign = 'left';
      ctx.fillText(g.labels[j].slice(0, 12), 0, 0);
      ctx.restore();
    }
  }
  // the editor cursor's token (the panel follows the cursor): its row outlined, its strongest targets named
  const fi = focus === undefined ? -1 : g.groups.findIndex((grp) => grp.includes(focus!));
  c.dataset.focusRow = String(fi);
  const tip = el('div', 'tip');
  if (fi >= 0) {
    const orange = css('--vscode-charts-orange', '#d18616');
    ctx.strokeStyle = orange;
    ctx.lineWidth = 2;
    ctx.strokeRect(label - 1, label + fi * cell - 1, n * cell + 2, cell + 2);
    ctx.fillStyle = orange;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText('▶', label - 4 - Math.min(12, g.labels[fi].length) * 7.5, label + fi * cell + cell / 2);
    const best = values[fi]
      .map((w, j) => [w, j] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3)
      .map(([w, j]) => `${g.labels[j]} ${w.toFixed(3)}`);
    tip.textContent = `cursor on "${g.labels[fi]}": attends most to ${best.join(', ')}`;
  }
  // colour scale
  const sx = label + n * cell + 20;
  for (let k = 0; k < 100; k++) {
    ctx.globalAlpha = 1 - k / 100;
    ctx.fillStyle = hot;
    ctx.fillRect(sx, label + k * ((n * cell) / 100), 14, (n * cell) / 100 + 1);
  }
  ctx.globalAlpha = 1;
  ctx.fillStyle = fg;
  ctx.textAlign = 'left';
  ctx.fillText(top.toFixed(2), sx + 18, label + 6);
  ctx.fillText('0', sx + 18, label + n * cell - 6);
  c.dataset.cells = String(cellsDrawn);
  c.addEventListener('mousemove', (e) => {
    const r = c.getBoundingClientRect();
    const j = Math.floor((e.clientX - r.left - label) / cell);
    const i = Math.floor((e.clientY - r.top - label) / cell);
    if (i < 0 || j < 0 || i >= n || j >= n) {
      tip.textContent = '';
      return;
    }
    tip.textContent = `${g.labels[i]} → ${g.labels[j]}: ${values[i][j].toFixed(3)}`;
  });
  const box = el('div');
  box.append(tip, c);
  return box;
}

// ---- SVG export of the current matrix or head view (vector, with its text)
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function toSvg(v: AttentionView, g: Grid): string {
  const n = g.labels.length;
  const parts: string[] = [];
  if (ui.mode === 'head') {
    const rowH = 18;
    const W = 520;
    const H = n * rowH + 10;
    parts.push(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="monospace" font-size="12">`,
    );
    for (const h of ui.heads) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const w = g.at(ui.layer, h, i, j);
          if (w >= 0.01)
            parts.push(
              `<line x1="150" y1="${14 + i * rowH}" x2="370" y2="${14 + j * rowH}" stroke="${headColour(h)}" stroke-width="2" stroke-opacity="${w.toFixed(3)}"/>`,
            );
        }
      }
    }
    g.labels.forEach((t, i) => {
      parts.push(`<text x="144" y="${18 + i * rowH}" text-anchor="end">${esc(t)}</text>`);
      parts.push(`<text x="376" y="${18 + i * rowH}">${esc(t)}</text>`);
    });
  } else {
    const cell = 16;
    const label = 90;
    const heads = ui.matrixHead >= 0 ? [ui.matrixHead] : [...Array(v.heads).keys()];
    const S = label + n * cell + 10;
    parts.push(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}" font-family="monospace" font-size="11">`,
    );
    for (let i = 0; i < n; i++) {
      parts.push(
        `<text x="${label - 4}" y="${label + i * cell + 12}" text-anchor="end">${esc(g.labels[i])}</text>`,
      );
      parts.push(
        `<text transform="translate(${label + i * cell + 12},${label - 4}) rotate(-90)">${esc(g.labels[i])}</text>`,
      );
      for (let j = 0; j < n; j++) {
        const w = meanOver(g, ui.layer, heads, i, j);
        if (w >= ui.threshold && w > 0)
          parts.push(
            `<rect x="${label + j * cell}" y="${label + i * cell}" width="${cell}" height="${cell}" fill="#3794ff" fill-opacity="${w.toFixed(3)}"><title>${esc(g.labels[i])} → ${esc(g.labels[j])}: ${w.toFixed(3)}</title></rect>`,
          );
      }
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

function controls(v: AttentionView, g: Grid): HTMLElement {
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
  modeSel.addEventListener('change', () => {
    ui.mode = modeSel.value as AttentionMode;
    save();
    render();
  });
  const layerSel = selectEl(
    'layer',
    Array.from({ length: v.layers }, (_, l) => [String(l), `Layer ${l + 1}`] as const),
    String(ui.layer),
  );
  layerSel.addEventListener('change', () => {
    ui.layer = Number(layerSel.value);
    save();
    render();
  });
  const merge = el('label');
  const cb = el('input');
  cb.type = 'checkbox';
  cb.id = 'merge';
  cb.checked = ui.merge;
  cb.addEventListener('change', () => {
    ui.merge = cb.checked;
    save();
    render();
  });
  merge.append(cb, document.createTextNode(' merge WordPieces into words'));
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
    dir.addEventListener('change', () => {
      ui.direction = dir.value as UiState['direction'];
      save();
      render();
    });
    const tiles = el('span', 'tiles');
    for (let h = 0; h < v.heads; h++) {
      const t = el('button', ui.heads.includes(h) ? 'tile on' : 'tile');
      t.type = 'button';
      t.dataset.head = String(h);
      t.style.background = ui.heads.includes(h) ? headColour(h) : 'transparent';
      t.style.borderColor = headColour(h);
      t.title = `Head ${h + 1}: click to show or hide, double-click to show only this head`;
      t.addEventListener('click', () => {
        ui.heads = ui.heads.includes(h)
          ? ui.heads.filter((x) => x !== h)
          : [...ui.heads, h].sort((a, b) => a - b);
        save();
        render();
      });
      t.addEventListener('dblclick', () => {
        ui.heads = [h];
        save();
        render();
      });
      tiles.append(t);
    }
    bar.append(dir, tiles);
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
    headSel.addEventListener('change', () => {
      ui.matrixHead = Number(headSel.value);
      save();
      render();
    });
    const th = numberEl('range', 'threshold', 0, 1, ui.threshold, 0.01);
    th.title = 'Hide weights below this value';
    const thLabel = el('span', 'muted', `hide below ${ui.threshold.toFixed(2)}`);
    th.addEventListener('input', () => {
      ui.threshold = Number(th.value);
      save();
      render();
    });
    bar.append(headSel, th, thLabel);
  }
  const exp = el('span', 'export');
  for (const f of ['png', 'svg', 'json'] as const) {
    const b = el('button', 'secondary', `Export ${f.toUpperCase()}`);
    b.type = 'button';
    b.id = `export-${f}`;
    b.addEventListener('click', () => {
      if (f === 'json') send({ type: 'export', format: 'json', data: '' });
      else if (f === 'svg') send({ type: 'export', format: 'svg', data: toSvg(v, g) });
      else {
        const c = document.querySelector<HTMLCanvasElement>('#head-canvas, #matrix-canvas, canvas.thumb');
        if (c) send({ type: 'export', format: 'png', data: c.toDataURL('image/png') });
      }
    });
    exp.append(b);
  }
  bar.append(exp);
  return bar;
}

function render(): void {
  if (!view) return;
  const v = view;
  ui.layer = Math.min(ui.layer, v.layers - 1);
  const g = grid(v, ui.merge);
  const body =
    ui.mode === 'head' ? drawHeadView(g) : ui.mode === 'model' ? drawModelView(v, g) : drawMatrixView(v, g);
  const head = el('header');
  head.append(
    el('h2', undefined, 'Attention'),
    el(
      'span',
      'muted',
      `model: ${v.model} · ${v.layers} layers × ${v.heads} heads · ${v.tokens.length} tokens`,
    ),
  );
  app.replaceChildren(head);
  if (v.notice) app.append(el('p', 'notice', v.notice));
  app.append(controls(v, g), body);
  document.body.dataset.tokens = String(g.labels.length);
  document.body.dataset.paint = String(++paints);
}

window.addEventListener('message', (e: MessageEvent<ToAttentionPanel>) => {
  const m = e.data;
  switch (m.type) {
    case 'loading':
      view = undefined;
      app.replaceChildren(el('p', 'muted', 'Computing attention…'));
      return;
    case 'error':
      view = undefined;
      app.replaceChildren(el('p', 'error', m.message));
      return;
    case 'attention': {
      const fresh = !view || view.layers !== m.view.layers || view.heads !== m.view.heads;
      view = m.view;
      if (fresh)
        ui = { ...ui, layer: m.view.layers - 1, heads: [...Array(m.view.heads).keys()], matrixHead: -1 };
      save();
      render();
      return;
    }
    case 'focusToken':
      focus = m.index;
      render();
      return;
  }
});

send({ type: 'ready' });
