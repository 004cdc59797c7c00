// The projection: a table of vectors from the host, reduced here to 2D or 3D (PCA with explained
// variance, UMAP and t-SNE animated with pause), drawn by Scatter. When the editor-area plot is open,
// the points on screen and the selection are sent to it through the host.
import { TSNE } from '@keckelt/tsne';
import { UMAP } from 'umap-js';
import type { ExplorerTable, PlotMarks } from '../../shared/protocol/explorer';
import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';
import { section, showFailure } from './dom';
import { projectionText } from './exportProjection';
import { fitUnit, pca } from './projection';
import { projectionControls } from './projectionControls';
import { Scatter, type ScatterPoint } from './scatter';
import { ask, latest, type Method, state, tell, ui } from './state';

// Most points each method keeps interactive here; more are sampled, and the view says how many.
export const LIMITS: Record<Method, number> = { pca: 20000, umap: 5000, tsne: 1500 };
// While UMAP or t-SNE animates, the editor-area plot gets a frame at most this often.
const PLOT_FRAME_MS = 400;

export interface ProjectionView {
  readonly scatter: Scatter;
  readonly pca: { explained: number[] } | undefined;
  readonly animating: boolean;
  project(): Promise<void>;
  stop(): void;
  /** The selected word or its neighbours changed: mark them here and in the editor-area plot. */
  markSelection(): void;
  /** The editor-area plot opened: send it what is on screen. */
  sendPlot(): void;
}

export function projectionView(app: HTMLElement, selectWord: (w: string) => void): ProjectionView {
  const s = section(app, l10n.t('Projection'));
  const c = projectionControls(s);
  const msg = el('div', 'muted ex-msg');
  msg.id = 'projection-status';
  const plotWrap = el('div', 'ex-plot');
  // what the plot's axes are, beside it: a method and axis names, not an unlabelled square
  const axesLine = el('div', 'muted ex-axes');
  axesLine.id = 'plot-axes';
  const tip = el('div', 'tip');
  tip.id = 'tip';
  s.append(msg, axesLine, plotWrap, tip);

  function labelAxes(text: string): void {
    axesLine.textContent = text;
    plotWrap.setAttribute('aria-label', l10n.t('Projection plot. {0}', text));
  }
  const scatter = new Scatter(plotWrap, {
    onHover: (i) => {
      tip.textContent = i === undefined ? '' : hoverText(i);
    },
    onClick: (i) => {
      const w = state.projected?.words[i];
      if (w !== undefined) selectWord(w);
    },
  });

  let isolated = false;
  let anim: { step: () => void; running: boolean; epoch: number; max: number } | undefined;
  let pcaInfo: { explained: number[] } | undefined;
  let lastPlotSent = 0;
  const tables = latest();

  function hoverText(i: number): string {
    const p = state.projected;
    if (!p) return '';
    const count =
      p.counts?.[i] !== undefined ? l10n.t(' · {0} occurrences', p.counts[i].toLocaleString('en')) : '';
    return `${p.words[i]}${count}`;
  }

  function plotMarks(): PlotMarks {
    return { selected: ui.word || undefined, near: state.neighbours.map((n) => n.word) };
  }

  /** The selected word and its listed neighbours, marked among the given words. */
  function marks(words: string[]): ScatterPoint['mark'][] {
    const near = new Set(state.neighbours.map((n) => n.word));
    return words.map((w) => (w === ui.word ? 'selected' : near.has(w) ? 'near' : undefined));
  }

  function sendPlot(): void {
    const p = state.projected;
    if (!state.plotOpen || !p || !state.selectedModel) return;
    lastPlotSent = performance.now();
    tell({
      type: 'plot',
      plot: {
        model: state.selectedModel,
        words: p.words,
        coords: Array.from(p.coords, (x) => Math.round(x * 1e5) / 1e5),
        dims: p.dims === 3 ? 3 : 2,
        counts: p.counts,
        status: msg.textContent ?? '',
        marks: plotMarks(),
      },
    });
  }

  async function fetchTable(): Promise<ExplorerTable | undefined> {
    const current = tables.start();
    let req: { words?: string[]; top?: number };
    if (isolated) {
      req = { words: [ui.word, ...state.neighbours.map((n) => n.word)].filter(Boolean) };
    } else if (ui.subset === 'search') {
      if (state.searchWords.length === 0) {
        msg.textContent = l10n.t('Search for words first; the projection then shows the results.');
        return undefined;
      }
      req = { words: state.searchWords };
    } else if (ui.subset === 'neighbourhood') {
      if (!ui.word || state.neighbours.length === 0) {
        msg.textContent = l10n.t('Pick a word first; the projection then shows it and its neighbours.');
        return undefined;
      }
      req = { words: [ui.word, ...state.neighbours.map((n) => n.word)] };
    } else {
      req = { top: Math.max(10, Math.min(20000, ui.topN)) };
    }
    try {
      const t = await ask({ type: 'table', ...req });
      return current() ? t : undefined;
    } catch (e) {
      if (current()) showFailure(msg, e);
      return undefined;
    }
  }

  function stop(): void {
    if (anim) anim.running = false;
    anim = undefined;
    c.pause.hidden = true;
  }

  function show(
    words: string[],
    coords: Float32Array,
    dims: number,
    counts?: number[],
    keepView = false,
  ): void {
    state.projected = { words, coords, dims, counts };
    const m = marks(words);
    scatter.set(
      coords,
      dims,
      words.map((w, i) => ({ label: w, mark: m[i] })),
      keepView,
    );
  }

  async function project(): Promise<void> {
    stop();
    const t = await fetchTable();
    if (!t) return;
    let n = t.words.length;
    const limit = LIMITS[ui.method];
    let rows = Array.from({ length: n }, (_, i) => i);
    let note = '';
    if (n > limit) {
      // the most frequent rows come first in every table; keep those
      rows = rows.slice(0, limit);
      note = l10n.t(
        ' Showing {0} of {1} points: {2} stays responsive up to {3} here.',
        limit.toLocaleString('en'),
        n.toLocaleString('en'),
        methodName(ui.method),
        limit.toLocaleString('en'),
      );
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
      msg.textContent = l10n.t('At least 3 points are needed for a projection.');
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
      const names = ['x', 'y', 'z'];
      labelAxes(
        `PCA · ${axes
          .map((a, d) =>
            l10n.t(
              '{0}: PC{1} ({2}% of variance)',
              names[d],
              a + 1,
              ((p.explained[a] ?? 0) * 100).toFixed(1),
            ),
          )
          .join(' · ')}`,
      );
      const ev = p.explained.map((e, i) => `PC${i + 1} ${(e * 100).toFixed(1)}%`).join(', ');
      msg.textContent = l10n.t(
        'PCA of {0} words ({1} dimensions) in {2} ms. Explained variance: {3}.{4}',
        n.toLocaleString('en'),
        dim,
        Math.round(performance.now() - t0),
        ev,
        note,
      );
      sendPlot();
      return;
    }
    pcaInfo = undefined;
    labelAxes(
      l10n.t(
        '{0} · {1}: its {2} dimensions, without units; near points have similar vectors, distances between clusters mean little',
        methodName(ui.method),
        dims === 3 ? 'x, y, z' : 'x, y',
        dims,
      ),
    );
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
    c.pause.hidden = false;
    c.pause.textContent = l10n.t('Pause');
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
      const done = a.epoch >= a.max;
      msg.textContent = `${methodName(ui.method)} (${lib}) of ${n.toLocaleString('en')} words: epoch ${a.epoch} of ${a.max}${done ? l10n.t(', done') : ''}.${note}`;
      if (done || performance.now() - lastPlotSent > PLOT_FRAME_MS) sendPlot();
      if (done) {
        a.running = false;
        c.pause.hidden = true;
        return;
      }
      requestAnimationFrame(a.step);
    };
    requestAnimationFrame(a.step);
  }

  function exportAs(format: 'csv' | 'tsv'): void {
    const p = state.projected;
    if (!p) {
      msg.textContent = l10n.t('Project some words first; the export holds the coordinates on screen.');
      return;
    }
    const near = new Set(state.neighbours.map((x) => x.word));
    ask({ type: 'export', format, data: projectionText(p, format, ui.word, near) }).catch((e) =>
      showFailure(msg, e),
    );
  }

  const reproject = () => {
    isolated = false;
    void project();
  };
  c.onChange(reproject);
  c.project.addEventListener('click', reproject);
  c.pause.addEventListener('click', () => {
    if (!anim) return;
    anim.running = !anim.running;
    c.pause.textContent = anim.running ? l10n.t('Pause') : l10n.t('Resume');
    if (anim.running) requestAnimationFrame(anim.step);
    else sendPlot();
  });
  c.isolate.addEventListener('click', () => {
    if (!ui.word || state.neighbours.length === 0) {
      msg.textContent = l10n.t(
        'Pick a word first: "isolate" re-projects it with its listed neighbours only.',
      );
      return;
    }
    isolated = true;
    void project();
  });
  c.csv.addEventListener('click', () => exportAs('csv'));
  c.tsv.addEventListener('click', () => exportAs('tsv'));
  c.openPlot.addEventListener('click', () => {
    ask({ type: 'openPlot' }).catch((e) => showFailure(msg, e));
  });

  return {
    scatter,
    get pca() {
      return pcaInfo;
    },
    get animating() {
      return anim?.running ?? false;
    },
    project,
    stop,
    markSelection() {
      if (!state.projected) return;
      scatter.setMarks(marks(state.projected.words));
      if (state.plotOpen) tell({ type: 'marks', marks: plotMarks() });
    },
    sendPlot,
  };
}

function methodName(m: Method): string {
  return m === 'pca' ? 'PCA' : m === 'umap' ? 'UMAP' : 't-SNE';
}
