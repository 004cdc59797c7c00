// The Embedding Explorer (sidebar): pick a model, search words, neighbours with cosine scores, analogy,
// a 2D/3D projection (PCA with explained variance, UMAP, t-SNE, animated with pause), and the static
// vs contextual view of one word. Every string from a model or corpus is set as text.
import { TSNE } from '@keckelt/tsne';
import { UMAP } from 'umap-js';
import type { Neighbour, VectorsAnswer, VectorsInfo, VectorsQuery, W2vProgress } from '../../shared/configs';
import type {
  ExplorerContextual,
  ExplorerModel,
  ExplorerTable,
  FromExplorer,
  ToExplorer,
} from '../../shared/webviewProtocol';
import { el, numberEl, selectEl, vscodeApi } from '../common/vscodeApi';
import { fitUnit, kmeansCosine, pca } from './projection';
import { Scatter, type ScatterPoint } from './scatter';

type Method = 'pca' | 'umap' | 'tsne';
type Subset = 'top' | 'search' | 'neighbourhood';

interface UiState {
  word: string;
  k: number;
  search: string;
  regex: boolean;
  a: string;
  b: string;
  c: string;
  analogyMethod: 'add' | 'mul';
  method: Method;
  dims: 2 | 3;
  subset: Subset;
  topN: number;
  axes: [number, number, number];
}

// Most points each method keeps interactive here; more are sampled, and the view says how many.
export const LIMITS: Record<Method, number> = { pca: 20000, umap: 5000, tsne: 1500 };

const api = vscodeApi<{ ui: UiState }>();
const send = (m: FromExplorer) => api.postMessage(m);
const ui: UiState = {
  word: '',
  k: 10,
  search: '',
  regex: false,
  a: '',
  b: '',
  c: '',
  analogyMethod: 'add',
  method: 'pca',
  dims: 2,
  subset: 'top',
  topN: 1000,
  axes: [0, 1, 2],
  ...api.getState()?.ui,
};
const save = () => api.setState({ ui });

let models: ExplorerModel[] = [];
let selectedModel: string | undefined;
let info: VectorsInfo | undefined;
let nextId = 1;
const waiting = new Map<number, (m: ToExplorer) => void>();
let searchWords: string[] = [];
let neighbours: Neighbour[] = [];
// what is on screen: the words, their coordinates (dims per word) and corpus counts when known
let projected: { words: string[]; coords: Float32Array; dims: number; counts?: number[] } | undefined;
let isolated = false;
let anim: { step: () => void; running: boolean; epoch: number; max: number } | undefined;
let pcaInfo: { explained: number[] } | undefined;

// ---- layout
const app = document.getElementById('app')!;
app.className = 'explorer';
const section = (title: string) => {
  const s = el('section', 'ex-section');
  s.appendChild(el('h3', undefined, title));
  app.appendChild(s);
  return s;
};

const top = el('div', 'ex-row');
const modelSelect = el('select');
modelSelect.id = 'model';
modelSelect.title = 'Model';
top.append(el('label', 'muted', 'Model'), modelSelect);
app.appendChild(top);
const infoLine = el('div', 'muted ex-info');
app.appendChild(infoLine);
const trainLine = el('div', 'ex-train');
app.appendChild(trainLine);
const errorLine = el('div', 'error ex-error');
errorLine.hidden = true;
app.appendChild(errorLine);

function textInput(id: string, placeholder: string, value: string, cls?: string): HTMLInputElement {
  const i = el('input', cls);
  i.id = id;
  i.placeholder = placeholder;
  i.value = value;
  return i;
}

// search
const sSearch = section('Search');
const searchRow = el('div', 'ex-row');
const searchBox = textInput('search', 'word, part of a word, or a pattern', ui.search);
const regexBox = el('input');
regexBox.type = 'checkbox';
regexBox.id = 'regex';
regexBox.checked = ui.regex;
const regexLabel = el('label', undefined, '.* regex');
regexLabel.prepend(regexBox);
searchRow.append(searchBox, regexLabel);
const searchOut = el('div', 'ex-chips');
searchOut.id = 'search-results';
sSearch.append(searchRow, searchOut);

// neighbours
const sNear = section('Nearest neighbours');
const nearRow = el('div', 'ex-row');
const wordBox = textInput('word', 'a word', ui.word);
const kSlider = numberEl('range', 'k', 5, 200, ui.k);
const kLabel = el('span', 'muted', `top ${ui.k}`);
nearRow.append(wordBox, kSlider, kLabel);
const nearOut = el('ol', 'ex-list');
nearOut.id = 'neighbours';
const nearMsg = el('div', 'ex-msg');
sNear.append(nearRow, nearMsg, nearOut);

// analogy
const sAna = section('Analogy  a − b + c');
const anaRow = el('div', 'ex-row');
const aBox = textInput('analogy-a', 'king', ui.a, 'ex-short');
const bBox = textInput('analogy-b', 'man', ui.b, 'ex-short');
const cBox = textInput('analogy-c', 'woman', ui.c, 'ex-short');
const anaMethod = selectEl(
  'analogy-method',
  [
    ['add', '3CosAdd'],
    ['mul', '3CosMul'],
  ],
  ui.analogyMethod,
);
const anaGo = el('button', 'secondary', 'Solve');
anaGo.id = 'analogy-go';
anaRow.append(aBox, el('span', undefined, '−'), bBox, el('span', undefined, '+'), cBox, anaMethod, anaGo);
const anaMsg = el('div', 'ex-msg');
const anaOut = el('ol', 'ex-list');
anaOut.id = 'analogy-results';
sAna.append(anaRow, anaMsg, anaOut);

// projection
const sProj = section('Projection');
const projRow1 = el('div', 'ex-row');
const subsetSel = selectEl(
  'subset',
  [
    ['top', 'most frequent'],
    ['search', 'search results'],
    ['neighbourhood', 'neighbourhood of the word'],
  ],
  ui.subset,
);
const topNBox = numberEl('number', 'top-n', 10, 20000, ui.topN);
topNBox.className = 'ex-short';
projRow1.append(el('span', 'muted', 'points'), subsetSel, topNBox);
const projRow2 = el('div', 'ex-row');
const methodSel = selectEl(
  'method',
  [
    ['pca', 'PCA'],
    ['umap', 'UMAP'],
    ['tsne', 't-SNE'],
  ],
  ui.method,
);
const dimsSel = selectEl(
  'dims',
  [
    ['2', '2D'],
    ['3', '3D'],
  ],
  String(ui.dims),
);
const axesBox = el('span', 'ex-axes');
const axisSel = [0, 1, 2].map((a) => {
  const pcs = Array.from({ length: 10 }, (_, c) => [String(c), `PC${c + 1}`] as const);
  const s = selectEl(`axis-${a}`, pcs, String(ui.axes[a]));
  s.title = ['x', 'y', 'z'][a];
  return s;
});
axesBox.append(...axisSel);
const projectBtn = el('button', 'secondary', 'Project');
projectBtn.id = 'project';
const pauseBtn = el('button', 'secondary', 'Pause');
pauseBtn.id = 'pause';
pauseBtn.hidden = true;
projRow2.append(methodSel, dimsSel, axesBox, projectBtn, pauseBtn);
const projRow3 = el('div', 'ex-row');
const isolateBtn = el('button', 'secondary', 'Isolate selection');
isolateBtn.id = 'isolate';
isolateBtn.title = 'Re-project just the selected word and its listed neighbours';
const csvBtn = el('button', 'secondary', 'CSV');
csvBtn.id = 'export-csv';
const tsvBtn = el('button', 'secondary', 'TSV');
tsvBtn.id = 'export-tsv';
projRow3.append(isolateBtn, el('span', 'muted', 'export'), csvBtn, tsvBtn);
const projMsg = el('div', 'muted ex-msg');
projMsg.id = 'projection-status';
const plotWrap = el('div', 'ex-plot');
const tip = el('div', 'tip');
tip.id = 'tip';
sProj.append(projRow1, projRow2, projRow3, projMsg, plotWrap, tip);
const scatter = new Scatter(plotWrap, {
  onHover: (i) => {
    tip.textContent = i === undefined || !projected ? '' : hoverText(i);
  },
  onClick: (i) => {
    if (!projected) return;
    selectWord(projected.words[i]);
  },
});

// static vs contextual
const sCtx = section('Static vs contextual');
const ctxRow = el('div', 'ex-row');
const ctxWord = textInput('ctx-word', 'a word of your text, e.g. play', '');
const ctxLayer = el('select');
ctxLayer.id = 'ctx-layer';
const ctxGo = el('button', 'secondary', 'Show occurrences');
ctxGo.id = 'ctx-go';
ctxRow.append(ctxWord, ctxLayer, ctxGo);
const ctxMsg = el('div', 'ex-msg');
ctxMsg.id = 'ctx-status';
const ctxWrap = el('div', 'ex-plot');
const ctxTip = el('div', 'tip');
const ctxList = el('div', 'ex-clusters');
ctxList.id = 'ctx-clusters';
sCtx.append(ctxRow, ctxMsg, ctxWrap, ctxTip, ctxList);
let ctxData: ExplorerContextual | undefined;
const ctxScatter = new Scatter(ctxWrap, {
  labelFew: false,
  onHover: (i) => {
    if (!ctxData || i === undefined) {
      ctxTip.textContent = '';
      return;
    }
    const o = ctxData.occurrences[i];
    ctxTip.textContent = o ? `${o.label}: ${o.context}` : staticLabel();
  },
  onClick: (i) => {
    if (ctxData && i < ctxData.occurrences.length) send({ type: 'openOccurrence', index: i });
  },
});
setLayers(0);

// ---- helpers
function request(m: FromExplorer & { id: number }): Promise<ToExplorer> {
  return new Promise((resolve) => {
    waiting.set(m.id, resolve);
    send(m);
  });
}

async function query(q: VectorsQuery): Promise<VectorsAnswer> {
  const r = await request({ type: 'query', id: nextId++, query: q });
  return r.type === 'answer' ? r.answer : { error: r.type === 'error' ? r.message : 'No answer.' };
}

function showError(message: string | undefined): void {
  errorLine.hidden = !message;
  errorLine.textContent = message ?? '';
}

function chip(word: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'ex-chip', word);
  b.addEventListener('click', onClick);
  return b;
}

function renderList(target: HTMLElement, list: Neighbour[]): void {
  target.replaceChildren();
  const max = Math.max(1e-6, ...list.map((n) => Math.abs(n.score)));
  for (const n of list) {
    const li = el('li');
    const b = el('button', 'candidate');
    b.append(el('span', 'token', n.word));
    const wrap = el('span', 'barwrap');
    const bar = el('span', 'bar');
    bar.style.width = `${Math.max(0, (100 * n.score) / max).toFixed(1)}%`;
    wrap.appendChild(bar);
    b.append(wrap, el('span', 'prob', n.score.toFixed(3)));
    b.addEventListener('click', () => selectWord(n.word));
    li.appendChild(b);
    target.appendChild(li);
  }
}

function renderUnknown(target: HTMLElement, a: VectorsAnswer, retry: (w: string) => void): void {
  target.replaceChildren(el('span', 'error', a.error ?? ''));
  if (a.suggestions?.length) {
    const chips = el('div', 'ex-chips');
    for (const s of a.suggestions) chips.appendChild(chip(s, () => retry(s)));
    target.appendChild(chips);
  }
}

async function selectWord(word: string): Promise<void> {
  ui.word = word;
  wordBox.value = word;
  save();
  await loadNeighbours();
}

async function loadNeighbours(): Promise<void> {
  const word = wordBox.value.trim();
  if (!word || !selectedModel) return;
  const a = await query({ op: 'neighbours', word, k: ui.k });
  if (a.error) {
    neighbours = [];
    nearOut.replaceChildren();
    renderUnknown(nearMsg, a, (w) => void selectWord(w));
  } else {
    neighbours = a.neighbours ?? [];
    nearMsg.replaceChildren(el('span', 'muted', `cosine similarity to "${word}"`));
    renderList(nearOut, neighbours);
  }
  markProjection();
}

/** The selected word and its listed neighbours, marked among the given words. */
function marks(words: string[]): ScatterPoint['mark'][] {
  const near = new Set(neighbours.map((n) => n.word));
  return words.map((w) => (w === ui.word ? 'selected' : near.has(w) ? 'near' : undefined));
}

function markProjection(): void {
  if (projected) scatter.setMarks(marks(projected.words));
}

function hoverText(i: number): string {
  if (!projected) return '';
  const w = projected.words[i];
  const c = projected.counts?.[i];
  const count = c !== undefined ? ` · ${c.toLocaleString('en')} occurrences` : '';
  return `${w}${count}`;
}

function setLayers(layers: number): void {
  ctxLayer.replaceChildren();
  const last = el('option', undefined, 'last layer');
  last.value = '1000';
  ctxLayer.appendChild(last);
  for (let l = layers - 1; l >= 0; l--) {
    const o = el('option', undefined, l === 0 ? 'embedding output' : `layer ${l}`);
    o.value = String(l);
    ctxLayer.appendChild(o);
  }
}

function staticLabel(): string {
  if (!ctxData) return '';
  return `word2vec: one vector for all ${ctxData.occurrences.length} occurrences`;
}

// ---- projection
async function fetchTable(): Promise<ExplorerTable | undefined> {
  let r: ToExplorer;
  if (isolated) {
    const words = [ui.word, ...neighbours.map((n) => n.word)].filter(Boolean);
    r = await request({ type: 'table', id: nextId++, words });
  } else if (ui.subset === 'search') {
    if (searchWords.length === 0) {
      projMsg.textContent = 'Search for words first; the projection then shows the results.';
      return undefined;
    }
    r = await request({ type: 'table', id: nextId++, words: searchWords });
  } else if (ui.subset === 'neighbourhood') {
    if (!ui.word || neighbours.length === 0) {
      projMsg.textContent = 'Pick a word first; the projection then shows it and its neighbours.';
      return undefined;
    }
    r = await request({ type: 'table', id: nextId++, words: [ui.word, ...neighbours.map((n) => n.word)] });
  } else {
    r = await request({ type: 'table', id: nextId++, top: Math.max(10, Math.min(20000, ui.topN)) });
  }
  if (r.type === 'error') {
    projMsg.textContent = r.message;
    return undefined;
  }
  return r.type === 'table' ? r.table : undefined;
}

function stopAnimation(): void {
  if (anim) anim.running = false;
  anim = undefined;
  pauseBtn.hidden = true;
}

async function project(): Promise<void> {
  stopAnimation();
  const t = await fetchTable();
  if (!t) return;
  let n = t.words.length;
  const limit = LIMITS[ui.method];
  let rows = Array.from({ length: n }, (_, i) => i);
  let note = '';
  if (n > limit) {
    // the most frequent rows come first in every table; keep those
    rows = rows.slice(0, limit);
    note = ` Showing ${limit.toLocaleString('en')} of ${n.toLocaleString('en')} points: ${methodName(ui.method)} stays responsive up to ${limit.toLocaleString('en')} here.`;
    n = limit;
  }
  const dim = t.dim;
  const data = new Float32Array(n * dim);
  rows.forEach((r, i) => {
    data.set(t.vectors.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  const words = rows.map((r) => t.words[r]);
  const counts = t.counts ? rows.map((r) => t.counts![r]) : undefined;
  const dims = ui.dims;
  if (n < 3) {
    projMsg.textContent = 'At least 3 points are needed for a projection.';
    return;
  }
  if (ui.method === 'pca') {
    const t0 = performance.now();
    const p = pca(data, n, dim, Math.min(10, dim));
    pcaInfo = { explained: p.explained };
    const axes = ui.axes.slice(0, dims).map((a) => Math.min(a, p.scores.length - 1));
    const coords = new Float32Array(n * dims);
    for (let i = 0; i < n; i++)
      for (let d = 0; d < dims; d++) coords[i * dims + d] = p.scores[axes[d]][i] * (d === 1 ? -1 : 1);
    show(words, fitUnit(coords, dims), dims, counts);
    const ev = p.explained.map((e, i) => `PC${i + 1} ${(e * 100).toFixed(1)}%`).join(', ');
    projMsg.textContent = `PCA of ${n.toLocaleString('en')} words (${dim} dimensions) in ${Math.round(performance.now() - t0)} ms. Explained variance: ${ev}.${note}`;
    return;
  }
  pcaInfo = undefined;
  const rowsArr = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * dim, (i + 1) * dim)));
  let step: () => number[][];
  let max: number;
  if (ui.method === 'umap') {
    const u = new UMAP({ nComponents: dims, nNeighbors: Math.min(15, n - 1), minDist: 0.1, nEpochs: 300 });
    max = u.initializeFit(rowsArr);
    step = () => {
      u.step();
      return u.getEmbedding();
    };
  } else {
    const ts = new TSNE({
      dim: dims,
      perplexity: Math.min(30, Math.max(2, Math.floor((n - 1) / 3))),
      epsilon: 10,
    });
    ts.initDataRaw(rowsArr);
    max = 500;
    step = () => {
      ts.step();
      return ts.getSolution();
    };
  }
  const a = { step: () => {}, running: true, epoch: 0, max };
  anim = a;
  pauseBtn.hidden = false;
  pauseBtn.textContent = 'Pause';
  let first = true;
  const lib = ui.method === 'umap' ? 'umap-js' : '@keckelt/tsne';
  a.step = () => {
    if (anim !== a || !a.running) return;
    const t0 = performance.now();
    let sol: number[][] = [];
    do {
      sol = step();
      a.epoch++;
    } while (performance.now() - t0 < 30 && a.epoch < a.max);
    const coords = new Float32Array(n * dims);
    sol.forEach((p, i) => {
      for (let d = 0; d < dims; d++) coords[i * dims + d] = p[d];
    });
    show(words, fitUnit(coords, dims), dims, counts, !first);
    first = false;
    projMsg.textContent = `${methodName(ui.method)} (${lib}) of ${n.toLocaleString('en')} words: epoch ${a.epoch} of ${a.max}${a.epoch >= a.max ? ', done' : ''}.${note}`;
    if (a.epoch >= a.max) {
      a.running = false;
      pauseBtn.hidden = true;
      return;
    }
    requestAnimationFrame(a.step);
  };
  requestAnimationFrame(a.step);
}

function methodName(m: Method): string {
  return m === 'pca' ? 'PCA' : m === 'umap' ? 'UMAP' : 't-SNE';
}

function show(
  words: string[],
  coords: Float32Array,
  dims: number,
  counts?: number[],
  keepView = false,
): void {
  projected = { words, coords, dims, counts };
  const m = marks(words);
  scatter.set(
    coords,
    dims,
    words.map((w, i) => ({ label: w, mark: m[i] })),
    keepView,
  );
}

function exportProjection(format: 'csv' | 'tsv'): void {
  if (!projected) {
    projMsg.textContent = 'Project some words first; the export holds the coordinates on screen.';
    return;
  }
  const sep = format === 'csv' ? ',' : '\t';
  const cell = (s: string) =>
    format === 'csv' ? (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s) : s.replace(/[\t\n]/g, ' ');
  const axes = ['x', 'y', 'z'].slice(0, projected.dims);
  const near = new Set(neighbours.map((x) => x.word));
  const lines = [['word', ...axes, 'count', 'selected'].join(sep)];
  projected.words.forEach((w, i) => {
    const count = projected!.counts?.[i] !== undefined ? String(projected!.counts[i]) : '';
    const c = axes.map((_, d) => projected!.coords[i * projected!.dims + d].toFixed(6));
    lines.push([cell(w), ...c, count, w === ui.word || near.has(w) ? '1' : '0'].join(sep));
  });
  send({ type: 'export', format, data: lines.join('\n') + '\n' });
}

// ---- static vs contextual
function showContextual(d: ExplorerContextual): void {
  ctxData = d;
  setLayers(d.layers);
  ctxLayer.value = d.layer >= d.layers ? '1000' : String(d.layer);
  const n = d.occurrences.length;
  const k = n >= 6 ? 2 : 1;
  const clusters = kmeansCosine(d.vectors, n, d.dim, k);
  const p = pca(d.vectors, n, d.dim, 2);
  // the static point: where every occurrence would sit if the word had one vector (their centre)
  const coords = new Float32Array((n + 1) * 2);
  for (let i = 0; i < n; i++) {
    coords[i * 2] = p.scores[0][i];
    coords[i * 2 + 1] = p.scores[1]?.[i] ?? 0;
  }
  const pts: ScatterPoint[] = d.occurrences.map((o, i) => ({ label: o.label, mark: clusters[i] }));
  pts.push({ label: `word2vec "${d.word}"`, mark: 'star' });
  const fitted = fitUnit(coords, 2);
  // labels of occurrences would crowd the plot: only the star is labelled
  ctxScatter.set(fitted, 2, pts);
  const parts = [
    `${n} occurrences of "${d.word}" in the workspace, each its own point: BERT "${d.bertModel}", ${d.layer >= d.layers ? 'last layer' : d.layer === 0 ? 'embedding output' : `layer ${d.layer}`}. `,
    `The star is the word's single static vector: word2vec gives every occurrence the same one.`,
  ];
  if (d.notice) parts.push(` ${d.notice}`);
  ctxMsg.replaceChildren(el('span', undefined, parts.join('')));
  if (d.staticModel) {
    const s = el('div', 'muted');
    s.textContent = d.staticError
      ? `${d.staticModel}: ${d.staticError}`
      : `${d.staticModel} (static): ${(d.staticNeighbours ?? []).map((x) => x.word).join(', ')}`;
    ctxMsg.appendChild(s);
  }
  ctxList.replaceChildren();
  for (let c = 0; c < k; c++) {
    const members = d.occurrences.map((o, i) => ({ o, i })).filter((x) => clusters[x.i] === c);
    const h = el(
      'h4',
      `ex-cluster c${c}`,
      `${k > 1 ? `Cluster ${String.fromCharCode(65 + c)}` : 'Occurrences'} (${members.length})`,
    );
    ctxList.appendChild(h);
    const ul = el('ul', 'ex-occ');
    for (const { o, i } of members.slice(0, 8)) {
      const li = el('li');
      const b = el('button', 'ex-link');
      b.append(el('span', 'muted', `${o.label} `), el('span', undefined, o.context));
      b.addEventListener('click', () => send({ type: 'openOccurrence', index: i }));
      li.appendChild(b);
      ul.appendChild(li);
    }
    if (members.length > 8)
      ul.appendChild(el('li', 'muted', `and ${members.length - 8} more (hover the points)`));
    ctxList.appendChild(ul);
  }
}

// ---- events
modelSelect.addEventListener('change', () => {
  selectedModel = modelSelect.value;
  stopAnimation();
  send({ type: 'selectModel', model: modelSelect.value });
});
let searchTimer: ReturnType<typeof setTimeout> | undefined;
const runSearch = async () => {
  ui.search = searchBox.value;
  ui.regex = regexBox.checked;
  save();
  const q = searchBox.value.trim();
  if (!q) {
    searchOut.replaceChildren();
    searchWords = [];
    return;
  }
  const a = await query({ op: 'search', query: q, regex: regexBox.checked, limit: 500 });
  searchOut.replaceChildren();
  if (a.error) {
    searchOut.appendChild(el('span', 'error', a.error));
    return;
  }
  searchWords = a.words ?? [];
  const shown = searchWords.slice(0, 60);
  for (const w of shown) searchOut.appendChild(chip(w, () => void selectWord(w)));
  const total = a.total ?? 0;
  searchOut.appendChild(
    el(
      'span',
      'muted',
      total === 0
        ? 'no word matches'
        : total > shown.length
          ? ` ${total.toLocaleString('en')} matches, ${shown.length} shown`
          : ` ${total} matches`,
    ),
  );
};
searchBox.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void runSearch(), 200);
});
regexBox.addEventListener('change', () => void runSearch());
wordBox.addEventListener('keydown', (e) => {
  if (e.key === 'Enter') void selectWord(wordBox.value.trim());
});
kSlider.addEventListener('input', () => {
  kLabel.textContent = `top ${kSlider.value}`;
});
kSlider.addEventListener('change', () => {
  ui.k = Number(kSlider.value);
  save();
  void loadNeighbours();
});
const solve = async () => {
  ui.a = aBox.value.trim();
  ui.b = bBox.value.trim();
  ui.c = cBox.value.trim();
  ui.analogyMethod = anaMethod.value as 'add' | 'mul';
  save();
  if (!ui.a || !ui.b || !ui.c) {
    anaMsg.replaceChildren(
      el('span', 'error', 'Fill in all three words: a − b + c, e.g. king − man + woman.'),
    );
    return;
  }
  const r = await query({ op: 'analogy', a: ui.a, b: ui.b, c: ui.c, k: 10, method: ui.analogyMethod });
  if (r.error) {
    anaOut.replaceChildren();
    renderUnknown(anaMsg, r, () => {});
    return;
  }
  anaMsg.replaceChildren(el('span', 'muted', `${ui.a} − ${ui.b} + ${ui.c} ≈`));
  renderList(anaOut, r.neighbours ?? []);
};
anaGo.addEventListener('click', () => void solve());
for (const b of [aBox, bBox, cBox])
  b.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void solve();
  });
const projControls = () => {
  ui.subset = subsetSel.value as Subset;
  ui.method = methodSel.value as Method;
  ui.dims = dimsSel.value === '3' ? 3 : 2;
  ui.topN = Number(topNBox.value) || 1000;
  ui.axes = axisSel.map((s) => Number(s.value)) as [number, number, number];
  axisSel[2].hidden = ui.dims === 2;
  axesBox.hidden = ui.method !== 'pca';
  save();
};
for (const s of [subsetSel, methodSel, dimsSel, topNBox, ...axisSel])
  s.addEventListener('change', () => {
    projControls();
    isolated = false;
    void project();
  });
projectBtn.addEventListener('click', () => {
  isolated = false;
  void project();
});
pauseBtn.addEventListener('click', () => {
  if (!anim) return;
  anim.running = !anim.running;
  pauseBtn.textContent = anim.running ? 'Pause' : 'Resume';
  if (anim.running) requestAnimationFrame(anim.step);
});
isolateBtn.addEventListener('click', () => {
  if (!ui.word || neighbours.length === 0) {
    projMsg.textContent = 'Pick a word first: "isolate" re-projects it with its listed neighbours only.';
    return;
  }
  isolated = true;
  void project();
});
csvBtn.addEventListener('click', () => exportProjection('csv'));
tsvBtn.addEventListener('click', () => exportProjection('tsv'));
ctxGo.addEventListener('click', () => {
  const w = ctxWord.value.trim();
  if (!w) {
    ctxMsg.replaceChildren(el('span', 'error', 'Type or select a word that occurs in your text.'));
    return;
  }
  ctxMsg.replaceChildren(el('span', 'muted', `Encoding every occurrence of "${w}" with BERT…`));
  send({ type: 'contextual', word: w, layer: Number(ctxLayer.value) });
});

function renderModels(): void {
  modelSelect.replaceChildren();
  for (const m of models) {
    const o = el('option', undefined, `${m.name} — ${m.detail}`);
    o.value = m.id;
    modelSelect.appendChild(o);
  }
  if (models.length === 0) {
    const o = el('option', undefined, 'no model yet');
    o.value = '';
    modelSelect.appendChild(o);
    infoLine.replaceChildren(el('span', undefined, 'No model yet. '));
    const b = el('button', 'secondary', 'Pretrain word2vec…');
    b.id = 'pretrain';
    b.addEventListener('click', () => send({ type: 'pretrain' }));
    infoLine.appendChild(b);
  }
  if (selectedModel) modelSelect.value = selectedModel;
}

function renderInfo(i: VectorsInfo): void {
  info = i;
  const kind = i.bert
    ? 'BERT input embeddings (one static vector per WordPiece)'
    : `word2vec${i.algo ? ` ${i.algo === 'cbow' ? 'CBOW' : 'skip-gram'}` : ''}`;
  const parts = [`${kind} · ${i.vocabSize.toLocaleString('en')} words · ${i.dim} dimensions`];
  if (i.epochsDone !== undefined) parts.push(`${i.epochsDone}/${i.epochs} epochs`);
  if (i.epochLosses?.length)
    parts.push(`loss per epoch ${i.epochLosses.map((l) => l.toFixed(3)).join(' → ')}`);
  infoLine.textContent = parts.join(' · ');
  wordBox.placeholder = i.top.slice(0, 3).join(', ');
  if (!ui.word && i.top.length) ui.word = i.top.find((w) => /\p{L}/u.test(w) && w.length > 2) ?? i.top[0];
  wordBox.value = ui.word;
  void loadNeighbours().then(() => project());
}

function renderTraining(p?: W2vProgress, status?: string): void {
  trainLine.replaceChildren();
  if (p) {
    const bar = el('progress');
    bar.max = 1;
    bar.value = p.wordsDone / Math.max(1, p.totalWords);
    trainLine.append(
      bar,
      el(
        'span',
        'muted',
        ` epoch ${p.epoch}/${p.epochs} · loss ${p.loss.toFixed(3)} · ${Math.round(p.wordsPerSecond).toLocaleString('en')} words/s`,
      ),
    );
  }
  if (status) trainLine.appendChild(el('div', 'muted', status));
}

window.addEventListener('message', (ev: MessageEvent<ToExplorer>) => {
  const m = ev.data;
  if (!m || typeof m !== 'object') return;
  if ((m.type === 'answer' || m.type === 'table' || m.type === 'error') && m.id !== undefined) {
    const w = waiting.get(m.id);
    if (w) {
      waiting.delete(m.id);
      w(m);
      return;
    }
  }
  switch (m.type) {
    case 'models':
      models = m.models;
      selectedModel = m.selected;
      renderModels();
      return;
    case 'info':
      showError(undefined);
      selectedModel = m.info.dir;
      if (models.some((x) => x.id === m.info.dir)) modelSelect.value = m.info.dir;
      renderInfo(m.info);
      return;
    case 'focusWord':
      ctxWord.value = m.word;
      void selectWord(m.word).then(() => {
        if (ui.subset === 'neighbourhood' || projected) return project();
      });
      return;
    case 'contextual':
      showContextual(m.data);
      return;
    case 'training':
      renderTraining(m.progress, m.status);
      return;
    case 'error':
      if (ctxMsg.textContent?.startsWith('Encoding')) ctxMsg.replaceChildren(el('span', 'error', m.message));
      else showError(m.message);
      return;
  }
});

projControls();
(window as unknown as { explorer: unknown }).explorer = {
  get scatter() {
    return scatter;
  },
  get ctxScatter() {
    return ctxScatter;
  },
  get projected() {
    return projected;
  },
  get info() {
    return info;
  },
  get pca() {
    return pcaInfo;
  },
  get animating() {
    return anim?.running ?? false;
  },
};
send({ type: 'ready' });
