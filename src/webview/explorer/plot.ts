// The Embedding Explorer's projection, full size in an editor tab (bundle `explorerPlot`). It makes no
// projection of its own: the sidebar sends the points on its screen and its selection through the host,
// so both show the same model and the same points; a click here selects the word in the sidebar, whose
// neighbours come back as marks.
import * as v from 'valibot';
import {
  type ExplorerPlot,
  type FromExplorerPlot,
  FromExplorerPlotSchema,
  type PlotMarks,
  type ToExplorerPlot,
} from '../../shared/protocol/explorer';
import { l10n } from '../common/l10n';
import { errorText, RpcClient } from '../common/rpcClient';
import { el, vscodeApi } from '../common/vscodeApi';
import { Scatter, type ScatterPoint } from './scatter';

const app = document.getElementById('app')!;
app.className = 'explorer explorer-plot';
const top = el('div', 'ex-row');
const title = el('strong', undefined, l10n.t('Embedding Plot'));
title.id = 'plot-title';
const toSidebar = el('button', 'secondary', l10n.t('Show Explorer'));
toSidebar.id = 'plot-explorer';
toSidebar.title = l10n.t('Change the points, the method or the model in the Embedding Explorer');
top.append(title, toSidebar);
const status = el('div', 'muted ex-msg');
status.id = 'plot-status';
const plotWrap = el('div', 'ex-plot');
// full size: the tab's height, less the two lines above (the sidebar's plot is square instead)
plotWrap.style.aspectRatio = 'auto';
plotWrap.style.maxHeight = 'none';
plotWrap.style.height = 'calc(100vh - 110px)';
const tip = el('div', 'tip');
tip.id = 'plot-tip';
app.append(top, status, plotWrap, tip);

let plot: ExplorerPlot | undefined;

const scatter = new Scatter(plotWrap, {
  onHover: (i) => {
    if (!plot || i === undefined) {
      tip.textContent = '';
      return;
    }
    const c = plot.counts?.[i];
    tip.textContent = `${plot.words[i]}${c !== undefined ? l10n.t(' · {0} occurrences', c.toLocaleString('en')) : ''}`;
  },
  onClick: (i) => {
    const word = plot?.words[i];
    if (word === undefined || !plot) return;
    // shown at once; the sidebar answers with the word's neighbours
    setMarks({ selected: word, near: [] });
    ask({ type: 'select', word });
  },
});

function marksOf(words: string[], m: PlotMarks): ScatterPoint['mark'][] {
  const near = new Set(m.near);
  return words.map((w) => (w === m.selected ? 'selected' : near.has(w) ? 'near' : undefined));
}

function setMarks(m: PlotMarks): void {
  if (!plot) return;
  plot = { ...plot, marks: m };
  scatter.setMarks(marksOf(plot.words, m));
}

function onPush(m: ToExplorerPlot): void {
  switch (m.type) {
    case 'plot': {
      const keepView =
        plot !== undefined && plot.model === m.plot.model && plot.words.length === m.plot.words.length;
      plot = m.plot;
      const marks = marksOf(plot.words, plot.marks);
      scatter.set(
        Float32Array.from(plot.coords),
        plot.dims,
        plot.words.map((w, i) => ({ label: w, mark: marks[i] })),
        keepView, // an animation frame of the same points keeps the zoom
      );
      title.textContent = l10n.t('Embedding Plot · {0}', m.modelName);
      status.textContent = plot.status;
      return;
    }
    case 'marks':
      setMarks(m.marks);
      return;
    case 'empty':
      plot = undefined;
      scatter.set(new Float32Array(0), 2, []);
      title.textContent = l10n.t('Embedding Plot');
      status.textContent = m.message;
      return;
  }
}

const rpc = new RpcClient(vscodeApi<unknown>(), { onRequest: (b) => onPush(b as ToExplorerPlot) });

function ask(m: FromExplorerPlot): void {
  if (!v.is(FromExplorerPlotSchema, m)) return;
  rpc.request(m).catch((e) => {
    status.textContent = errorText(e);
  });
}

toSidebar.addEventListener('click', () => ask({ type: 'showExplorer' }));

// for the UI tests: what is on screen
(window as unknown as { explorerPlot: unknown }).explorerPlot = {
  scatter,
  get plot() {
    return plot;
  },
};
ask({ type: 'ready' });
