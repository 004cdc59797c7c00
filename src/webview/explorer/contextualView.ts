// Static vs contextual: every occurrence of a word in the workspace as its own vector of a contextual
// model picked beside the word (a BERT, or an ELMo at one of its three layers) (PCA to 2D, two k-means
// clusters when there are enough), beside the star of word2vec's single static vector.
import type { ModelKind } from '../../shared/modelKinds';
import type { ExplorerContextual, ExplorerContextualModel } from '../../shared/protocol/explorer';
import { l10n } from '../common/l10n';
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
  /** The contextual models to pick from (BERT, ELMo), and the one picked. */
  setModels(models: readonly ExplorerContextualModel[], selected?: string): void;
}

/** A layer as a person reads it: ELMo's 0 is its token layer, a BERT's the embedding output. */
function layerName(l: number, kind: ModelKind | undefined): string {
  if (kind === 'elmo')
    return l === 0 ? l10n.t('token layer (the same everywhere)') : l10n.t('biLSTM layer {0}', l);
  return l === 0 ? l10n.t('embedding output') : l10n.t('layer {0}', l);
}

export function contextualView(app: HTMLElement): ContextualView {
  const s = section(app, l10n.t('Static vs contextual'));
  const row = el('div', 'ex-row');
  const wordBox = textInput('ctx-word', l10n.t('a word of your text, e.g. play'), '');
  const modelSel = el('select');
  modelSel.id = 'ctx-model';
  modelSel.title = l10n.t('The contextual model that reads every occurrence');
  modelSel.hidden = true;
  const layerSel = el('select');
  layerSel.id = 'ctx-layer';
  const go = button('ctx-go', l10n.t('Show occurrences'));
  row.append(wordBox, modelSel, layerSel, go);
  const msg = el('div', 'ex-msg');
  msg.id = 'ctx-status';
  const wrap = el('div', 'ex-plot');
  const tip = el('div', 'tip');
  const list = el('div', 'ex-clusters');
  list.id = 'ctx-clusters';
  s.append(row, msg, wrap, tip, list);

  let data: ExplorerContextual | undefined;
  let models: readonly ExplorerContextualModel[] = [];
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
  setLayers(0, undefined);

  /** The layer choices of a model whose last layer is `layers`, the current choice kept when it can be. */
  function setLayers(layers: number, kind: ModelKind | undefined): void {
    const before = layerSel.value;
    layerSel.replaceChildren();
    // an ELMo's layers are few and each has its own name: all listed, the last one included
    const elmo = kind === 'elmo';
    if (!elmo) {
      const last = el('option', undefined, l10n.t('last layer'));
      last.value = '1000';
      layerSel.appendChild(last);
    }
    for (let l = elmo ? layers : layers - 1; l >= 0; l--) {
      const o = el('option', undefined, layerName(l, kind));
      o.value = String(l);
      layerSel.appendChild(o);
    }
    if ([...layerSel.options].some((o) => o.value === before)) layerSel.value = before;
  }

  function picked(): ExplorerContextualModel | undefined {
    return models.find((m) => m.id === modelSel.value);
  }

  modelSel.addEventListener('change', () => {
    const m = picked();
    if (m) setLayers(m.layers ?? 0, m.kind);
  });

  function setModels(list: readonly ExplorerContextualModel[], selected?: string): void {
    models = list;
    const keep = modelSel.value;
    modelSel.replaceChildren();
    for (const m of list) {
      const o = el('option', undefined, `${m.name} (${m.kind === 'elmo' ? 'ELMo' : 'BERT'})`);
      o.value = m.id;
      modelSel.appendChild(o);
    }
    const pick = [keep, selected].find((id) => list.some((m) => m.id === id));
    if (pick !== undefined) modelSel.value = pick;
    modelSel.hidden = list.length === 0;
    const m = picked();
    if (m && !data) setLayers(m.layers ?? 0, m.kind);
  }

  function staticLabel(): string {
    return data ? l10n.t('word2vec: one vector for all {0} occurrences', data.occurrences.length) : '';
  }

  function show(d: ExplorerContextual): void {
    data = d;
    waiting = false;
    if (d.modelId && models.some((m) => m.id === d.modelId)) modelSel.value = d.modelId;
    setLayers(d.layers, d.modelKind);
    layerSel.value =
      d.layer < d.layers ? String(d.layer) : d.modelKind === 'elmo' ? String(d.layers) : '1000';
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
      d.layer >= d.layers && d.modelKind !== 'elmo'
        ? l10n.t('last layer')
        : layerName(Math.min(d.layer, d.layers), d.modelKind);
    const parts = [
      l10n.t(
        '{0} occurrences of "{1}" in the workspace, each its own point: {2} "{3}", {4}. ',
        n,
        d.word,
        d.modelLabel,
        d.model,
        layer,
      ),
      l10n.t("The star is the word's single static vector: word2vec gives every occurrence the same one."),
    ];
    if (d.notice) parts.push(` ${d.notice}`);
    msg.replaceChildren(el('span', undefined, parts.join('')));
    if (d.staticModel) {
      const st = el('div', 'muted');
      st.textContent = d.staticError
        ? `${d.staticModel}: ${d.staticError}`
        : l10n.t(
            '{0} (static): {1}',
            d.staticModel,
            (d.staticNeighbours ?? []).map((x) => x.word).join(', '),
          );
      msg.appendChild(st);
    }
    list.replaceChildren();
    for (let c = 0; c < k; c++) {
      const members = d.occurrences.map((o, i) => ({ o, i })).filter((x) => clusters[x.i] === c);
      const title = `${k > 1 ? l10n.t('Cluster {0}', String.fromCharCode(65 + c)) : l10n.t('Occurrences')} (${members.length})`;
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
        ul.appendChild(el('li', 'muted', l10n.t('and {0} more (hover the points)', members.length - 8)));
      list.appendChild(ul);
    }
    // the results sit below the word and vector plots: bring their start on screen
    revealResult(msg);
  }

  go.addEventListener('click', async () => {
    const w = wordBox.value.trim();
    if (!w) {
      msg.replaceChildren(el('span', 'error', l10n.t('Type or select a word that occurs in your text.')));
      return;
    }
    const current = gathers.start();
    waiting = true;
    const m = picked();
    msg.replaceChildren(
      el('span', 'muted', l10n.t('Encoding every occurrence of "{0}" with {1}…', w, m?.name ?? 'BERT')),
    );
    try {
      const d = await ask({ type: 'contextual', word: w, layer: Number(layerSel.value), model: m?.id });
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
    setModels,
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
