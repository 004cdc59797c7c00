// The projection's controls: which points (most frequent, search results, a word's neighbourhood),
// the method (PCA with its axes, UMAP, t-SNE), 2D or 3D, and the buttons beside the plot.

import { l10n } from '../common/l10n';
import { el, numberEl, selectEl } from '../common/vscodeApi';
import { button } from './dom';
import { type Method, type Subset, save, ui } from './state';

export interface ProjectionControls {
  project: HTMLButtonElement;
  pause: HTMLButtonElement;
  isolate: HTMLButtonElement;
  csv: HTMLButtonElement;
  tsv: HTMLButtonElement;
  openPlot: HTMLButtonElement;
  /** Any of the selects or the count changed (ui is already updated). */
  onChange(fn: () => void): void;
}

export function projectionControls(parent: HTMLElement): ProjectionControls {
  const row1 = el('div', 'ex-row');
  const subsetSel = selectEl(
    'subset',
    [
      ['top', l10n.t('most frequent')],
      ['search', l10n.t('search results')],
      ['neighbourhood', l10n.t('neighbourhood of the word')],
    ],
    ui.subset,
  );
  const topNBox = numberEl('number', 'top-n', 10, 20000, ui.topN);
  topNBox.className = 'ex-short';
  row1.append(el('span', 'muted', l10n.t('points')), subsetSel, topNBox);

  const row2 = el('div', 'ex-row');
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
  const project = button('project', l10n.t('Project'));
  const pause = button('pause', l10n.t('Pause'));
  pause.hidden = true;
  row2.append(methodSel, dimsSel, axesBox, project, pause);

  const row3 = el('div', 'ex-row');
  const isolate = button(
    'isolate',
    l10n.t('Isolate selection'),
    l10n.t('Re-project just the selected word and its listed neighbours'),
  );
  const csv = button('export-csv', 'CSV');
  const tsv = button('export-tsv', 'TSV');
  const openPlot = button(
    'open-plot',
    l10n.t('Open in Editor Area'),
    l10n.t('Show this projection full size in an editor tab; a click there selects the word here'),
  );
  row3.append(isolate, el('span', 'muted', l10n.t('export')), csv, tsv, openPlot);
  parent.append(row1, row2, row3);

  const read = () => {
    ui.subset = subsetSel.value as Subset;
    ui.method = methodSel.value as Method;
    ui.dims = dimsSel.value === '3' ? 3 : 2;
    ui.topN = Number(topNBox.value) || 1000;
    ui.axes = axisSel.map((s) => Number(s.value)) as [number, number, number];
    axisSel[2].hidden = ui.dims === 2;
    axesBox.hidden = ui.method !== 'pca';
    save();
  };
  read();
  const listeners: (() => void)[] = [];
  for (const s of [subsetSel, methodSel, dimsSel, topNBox, ...axisSel])
    s.addEventListener('change', () => {
      read();
      for (const fn of listeners) fn();
    });
  return {
    project,
    pause,
    isolate,
    csv,
    tsv,
    openPlot,
    onChange: (fn) => listeners.push(fn),
  };
}
