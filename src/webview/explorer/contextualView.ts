// Static vs contextual: every occurrence of a word in the workspace as its own BERT vector (PCA to 2D,
// two k-means clusters when there are enough), beside the star of word2vec's single static vector.
import type { ExplorerContextual } from '../../shared/protocol/explorer';
import { el } from '../common/vscodeApi';
import { button, revealResult, section, showFailure, textInput } from './dom';
import { fitUnit, kmeansCosine, pca } from './projection';
import { Scatter, type ScatterPoint } from './scatter';
import { ask, latest, tell } from './state';

export interface ContextualView {
  readonly scatter: Scatter;
  /** The host gathered the occurrences (a test, or a replay after the view was hidden). */
  show(d: ExplorerContextual): void;
  /** A word from the editor: fill it in, ready to show. */
  setWord(word: string): void;
  /** A failure the host reports while this view is waiting for occurrences; false when it is not. */
  showError(message: string): boolean;
}

export function contextualView(app: HTMLElement): ContextualView {
  const s = section(app, 'Static vs contextual');
  const row = el('div', 'ex-row');
  const wordBox = textInput('ctx-word', 'a word of your text, e.g. play', '');
  const layerSel = el('select');
  layerSel.id = 'ctx-layer';
  const go = button('ctx-go', 'Show occurrences');
  row.append(wordBox, layerSel, go);
  const msg = el('div', 'ex-msg');
  msg.id = 'ctx-status';
  const wrap = el('div', 'ex-plot');
  const tip = el('div', 'tip');
  const list = el('div', 'ex-clusters');
  list.id = 'ctx-clusters';
  s.append(row, msg, wrap, tip, list);

  let data: ExplorerContextual | undefined;
  let waiting = false;
  const gathers = latest();
  const scatter = new Scatter(wrap, {
    labelFew: false,
    onHover: (i) => {
      if (!data || i === undefined) {
        tip.textContent = '';
        return;
      }
      const o = data.occurrences[i];
      tip.textContent = o ? `${o.label}: ${o.context}` : staticLabel();
    },
    onClick: (i) => {
      if (data && i < data.occurrences.length) tell({ type: 'openOccurrence', index: i });
    },
  });
  setLayers(0);

  function setLayers(layers: number): void {
    layerSel.replaceChildren();
    const last = el('option', undefined, 'last layer');
    last.value = '1000';
    layerSel.appendChild(last);
    for (let l = layers - 1; l >= 0; l--) {
      const o = el('option', undefined, l === 0 ? 'embedding output' : `layer ${l}`);
      o.value = String(l);
      layerSel.appendChild(o);
    }
  }

  function staticLabel(): string {
    return data ? `word2vec: one vector for all ${data.occurrences.length} occurrences` : '';
  }

  function show(d: ExplorerContextual): void {
    data = d;
    waiting = false;
    setLayers(d.layers);
    layerSel.value = d.layer >= d.layers ? '1000' : String(d.layer);
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
    // labels of occurrences would crowd the plot: only the star is labelled
    scatter.set(fitUnit(coords, 2), 2, pts);
    const layer =
      d.layer >= d.layers ? 'last layer' : d.layer === 0 ? 'embedding output' : `layer ${d.layer}`;
    const parts = [
      `${n} occurrences of "${d.word}" in the workspace, each its own point: ${d.modelLabel} "${d.model}", ${layer}. `,
      `The star is the word's single static vector: word2vec gives every occurrence the same one.`,
    ];
    if (d.notice) parts.push(` ${d.notice}`);
    msg.replaceChildren(el('span', undefined, parts.join('')));
    if (d.staticModel) {
      const st = el('div', 'muted');
      st.textContent = d.staticError
        ? `${d.staticModel}: ${d.staticError}`
        : `${d.staticModel} (static): ${(d.staticNeighbours ?? []).map((x) => x.word).join(', ')}`;
      msg.appendChild(st);
    }
    list.replaceChildren();
    for (let c = 0; c < k; c++) {
      const members = d.occurrences.map((o, i) => ({ o, i })).filter((x) => clusters[x.i] === c);
      const title = `${k > 1 ? `Cluster ${String.fromCharCode(65 + c)}` : 'Occurrences'} (${members.length})`;
      list.appendChild(el('h4', `ex-cluster c${c}`, title));
      const ul = el('ul', 'ex-occ');
      for (const { o, i } of members.slice(0, 8)) {
        const li = el('li');
        const b = el('button', 'ex-link');
        b.append(el('span', 'muted', `${o.label} `), el('span', undefined, o.context));
        b.addEventListener('click', () => tell({ type: 'openOccurrence', index: i }));
        li.appendChild(b);
        ul.appendChild(li);
      }
      if (members.length > 8)
        ul.appendChild(el('li', 'muted', `and ${members.length - 8} more (hover the points)`));
      list.appendChild(ul);
    }
    // the results sit below the word and vector plots: bring their start on screen
    revealResult(msg);
  }

  go.addEventListener('click', async () => {
    const w = wordBox.value.trim();
    if (!w) {
      msg.replaceChildren(el('span', 'error', 'Type or select a word that occurs in your text.'));
      return;
    }
    const current = gathers.start();
    waiting = true;
    msg.replaceChildren(el('span', 'muted', `Encoding every occurrence of "${w}" with BERT…`));
    try {
      const d = await ask({ type: 'contextual', word: w, layer: Number(layerSel.value) });
      if (current()) show(d);
    } catch (e) {
      if (current()) {
        waiting = false;
        showFailure(msg, e);
      }
    }
  });

  return {
    scatter,
    show,
    setWord(word) {
      wordBox.value = word;
    },
    showError(message) {
      if (!waiting) return false;
      waiting = false;
      msg.replaceChildren(el('span', 'error', message));
      return true;
    },
  };
}
