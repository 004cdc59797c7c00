// Search, nearest neighbours and analogy: questions about words, each an RPC request to the host whose
// answer (or one-sentence failure) shows under its own controls.
import type { VectorsQuery } from '../../shared/configs';
import { l10n } from '../common/l10n';
import { el, numberEl, selectEl } from '../common/vscodeApi';
import { chip, renderList, renderUnknown, section, showFailure, textInput } from './dom';
import { ask, latest, save, state, ui } from './state';

export interface WordsPanel {
  /** Picks a word: lists its neighbours (and marks it in the projection). */
  selectWord(word: string): Promise<void>;
  loadNeighbours(): Promise<void>;
  /** A new model: its most frequent words suggest what to type. */
  setTopWords(top: string[]): void;
}

function query(q: VectorsQuery) {
  return ask({ type: 'query', query: q });
}

/** onSelection: the selected word or its neighbours changed. */
export function wordsPanel(app: HTMLElement, onSelection: () => void): WordsPanel {
  // search
  const sSearch = section(app, l10n.t('Search'));
  const searchRow = el('div', 'ex-row');
  const searchBox = textInput('search', l10n.t('word, part of a word, or a pattern'), ui.search);
  const regexBox = el('input');
  regexBox.type = 'checkbox';
  regexBox.id = 'regex';
  regexBox.checked = ui.regex;
  const regexLabel = el('label', undefined, l10n.t('.* regex'));
  regexLabel.prepend(regexBox);
  searchRow.append(searchBox, regexLabel);
  const searchOut = el('div', 'ex-chips');
  searchOut.id = 'search-results';
  sSearch.append(searchRow, searchOut);

  // neighbours
  const sNear = section(app, l10n.t('Nearest neighbours'));
  const nearRow = el('div', 'ex-row');
  const wordBox = textInput('word', l10n.t('a word'), ui.word);
  const kSlider = numberEl('range', 'k', 5, 200, ui.k);
  const kLabel = el('span', 'muted', l10n.t('top {0}', ui.k));
  nearRow.append(wordBox, kSlider, kLabel);
  const nearOut = el('ol', 'ex-list');
  nearOut.id = 'neighbours';
  const nearMsg = el('div', 'ex-msg');
  nearMsg.id = 'neighbours-status';
  sNear.append(nearRow, nearMsg, nearOut);

  // analogy
  const sAna = section(app, l10n.t('Analogy  a − b + c'));
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
  const anaGo = el('button', 'secondary', l10n.t('Solve'));
  anaGo.id = 'analogy-go';
  anaRow.append(aBox, el('span', undefined, '−'), bBox, el('span', undefined, '+'), cBox, anaMethod, anaGo);
  const anaMsg = el('div', 'ex-msg');
  anaMsg.id = 'analogy-status';
  const anaOut = el('ol', 'ex-list');
  anaOut.id = 'analogy-results';
  sAna.append(anaRow, anaMsg, anaOut);

  const searches = latest();
  const lookups = latest();
  const solves = latest();

  async function selectWord(word: string): Promise<void> {
    ui.word = word;
    wordBox.value = word;
    save();
    await loadNeighbours();
  }

  async function loadNeighbours(): Promise<void> {
    const word = wordBox.value.trim();
    if (!word || !state.selectedModel) return;
    const current = lookups.start();
    nearMsg.replaceChildren(el('span', 'muted', l10n.t('asking for the neighbours of "{0}"…', word)));
    try {
      const a = await query({ op: 'neighbours', word, k: ui.k });
      if (!current()) return;
      if (a.error) {
        state.neighbours = [];
        nearOut.replaceChildren();
        renderUnknown(nearMsg, a, (w) => void selectWord(w));
      } else {
        state.neighbours = a.neighbours ?? [];
        nearMsg.replaceChildren(
          el('span', 'muted', l10n.t('cosine similarity to "{0}" (bars: 0 to 1)', word)),
        );
        renderList(nearOut, state.neighbours, (w) => void selectWord(w));
      }
    } catch (e) {
      if (!current()) return;
      state.neighbours = [];
      nearOut.replaceChildren();
      showFailure(nearMsg, e);
    }
    onSelection();
  }

  async function runSearch(): Promise<void> {
    ui.search = searchBox.value;
    ui.regex = regexBox.checked;
    save();
    const q = searchBox.value.trim();
    const current = searches.start();
    if (!q) {
      searchOut.replaceChildren();
      state.searchWords = [];
      return;
    }
    try {
      const a = await query({ op: 'search', query: q, regex: regexBox.checked, limit: 500 });
      if (!current()) return;
      searchOut.replaceChildren();
      if (a.error) {
        searchOut.appendChild(el('span', 'error', a.error));
        return;
      }
      state.searchWords = a.words ?? [];
      const shown = state.searchWords.slice(0, 60);
      for (const w of shown) searchOut.appendChild(chip(w, () => void selectWord(w)));
      const total = a.total ?? 0;
      searchOut.appendChild(
        el(
          'span',
          'muted',
          total === 0
            ? l10n.t('no word matches')
            : total > shown.length
              ? l10n.t(' {0} matches, {1} shown', total.toLocaleString('en'), shown.length)
              : l10n.t(' {0} matches', total),
        ),
      );
    } catch (e) {
      if (current()) showFailure(searchOut, e);
    }
  }

  async function solve(): Promise<void> {
    ui.a = aBox.value.trim();
    ui.b = bBox.value.trim();
    ui.c = cBox.value.trim();
    ui.analogyMethod = anaMethod.value === 'mul' ? 'mul' : 'add';
    save();
    if (!ui.a || !ui.b || !ui.c) {
      anaMsg.replaceChildren(
        el('span', 'error', l10n.t('Fill in all three words: a − b + c, e.g. king − man + woman.')),
      );
      return;
    }
    const current = solves.start();
    try {
      const r = await query({ op: 'analogy', a: ui.a, b: ui.b, c: ui.c, k: 10, method: ui.analogyMethod });
      if (!current()) return;
      if (r.error) {
        anaOut.replaceChildren();
        renderUnknown(anaMsg, r, () => {});
        return;
      }
      anaMsg.replaceChildren(el('span', 'muted', `${ui.a} − ${ui.b} + ${ui.c} ≈`));
      renderList(anaOut, r.neighbours ?? [], (w) => void selectWord(w));
    } catch (e) {
      if (!current()) return;
      anaOut.replaceChildren();
      showFailure(anaMsg, e);
    }
  }

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  searchBox.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => void runSearch(), 200);
  });
  regexBox.addEventListener('change', () => void runSearch());
  wordBox.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') void selectWord(wordBox.value.trim());
  });
  kSlider.addEventListener('input', () => {
    kLabel.textContent = l10n.t('top {0}', kSlider.value);
  });
  kSlider.addEventListener('change', () => {
    ui.k = Number(kSlider.value);
    save();
    void loadNeighbours();
  });
  anaGo.addEventListener('click', () => void solve());
  for (const b of [aBox, bBox, cBox])
    b.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') void solve();
    });

  return {
    selectWord,
    loadNeighbours,
    setTopWords(top) {
      wordBox.placeholder = top.slice(0, 3).join(', ');
      if (!ui.word && top.length) ui.word = top.find((w) => /\p{L}/u.test(w) && w.length > 2) ?? top[0];
      wordBox.value = ui.word;
    },
  };
}
