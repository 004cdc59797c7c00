// The Embedding Explorer (sidebar): pick a model, search words, neighbours with cosine scores, analogy,
// a 2D/3D projection (PCA with explained variance, UMAP, t-SNE, animated with pause) that can open full
// size in the editor area, and the static vs contextual view of one word. This file wires the panels
// together and answers what the host pushes; every string from a model or corpus is set as text.
import type { ToExplorer } from '../../shared/protocol/explorer';
import { contextualView } from './contextualView';
import { header } from './header';
import { projectionView } from './projectionView';
import { handlePushes, state, tell, ui } from './state';
import { wordsPanel } from './words';

const app = document.getElementById('app')!;
app.className = 'explorer';

// a model's summary arrived: suggest its words, list the word's neighbours, project
const head = header(
  app,
  (info) => {
    words.setTopWords(info.top);
    void words.loadNeighbours().then(() => projection.project());
  },
  () => projection.stop(),
);
const words = wordsPanel(app, () => projection.markSelection());
const projection = projectionView(app, (w) => void words.selectWord(w));
const contextual = contextualView(app);

function onPush(m: ToExplorer): void {
  switch (m.type) {
    case 'models':
      state.models = m.models;
      state.selectedModel = m.selected;
      head.renderModels();
      contextual.setModels(m.contextual ?? [], m.contextualSelected);
      return;
    case 'info':
      head.renderInfo(m.info);
      return;
    case 'focusWord':
      contextual.setWord(m.word);
      void words.selectWord(m.word).then(() => {
        if (ui.subset === 'neighbourhood' || state.projected) return projection.project();
      });
      return;
    case 'selectWord':
      void words.selectWord(m.word);
      return;
    case 'contextual':
      contextual.show(m.data);
      return;
    case 'training':
      head.renderTraining(m.progress, m.status);
      return;
    case 'plotOpen':
      state.plotOpen = m.open;
      if (m.open) projection.sendPlot();
      return;
    case 'error':
      if (!contextual.showError(m.message)) head.showError(new Error(m.message));
      return;
  }
}

handlePushes((body) => onPush(body as ToExplorer));

// for the UI tests: what is on screen
(window as unknown as { explorer: unknown }).explorer = {
  get scatter() {
    return projection.scatter;
  },
  get ctxScatter() {
    return contextual.scatter;
  },
  get projected() {
    return state.projected;
  },
  get info() {
    return state.info;
  },
  get pca() {
    return projection.pca;
  },
  get animating() {
    return projection.animating;
  },
};
tell({ type: 'ready' });
