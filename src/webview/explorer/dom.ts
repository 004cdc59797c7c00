// Small pieces of the explorer's page. Every string from a model or corpus is set as text.
import type { Neighbour, VectorsAnswer } from '../../shared/configs';
import { CancelledError } from '../../shared/rpc';
import { errorText } from '../common/rpcClient';
import { el } from '../common/vscodeApi';

export function section(parent: HTMLElement, title: string): HTMLElement {
  const s = el('section', 'ex-section');
  s.appendChild(el('h3', undefined, title));
  parent.appendChild(s);
  return s;
}

export function textInput(id: string, placeholder: string, value: string, cls?: string): HTMLInputElement {
  const i = el('input', cls);
  i.id = id;
  i.placeholder = placeholder;
  i.value = value;
  return i;
}

export function button(id: string, label: string, title?: string): HTMLButtonElement {
  const b = el('button', 'secondary', label);
  b.id = id;
  if (title) b.title = title;
  return b;
}

export function chip(word: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', 'ex-chip', word);
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Words with a bar of their cosine similarity on a fixed 0–1 scale (a 0.2 neighbour draws a fifth of
 * a bar, not a full one; a negative cosine draws none); a click picks the word. The list is scrolled
 * into view, since it may be below the plot in a short sidebar.
 */
export function renderList(target: HTMLElement, list: Neighbour[], pick: (word: string) => void): void {
  target.replaceChildren();
  for (const n of list) {
    const li = el('li');
    const b = el('button', 'candidate');
    b.append(el('span', 'token', n.word));
    const wrap = el('span', 'barwrap');
    const bar = el('span', 'bar');
    bar.style.width = `${Math.min(100, Math.max(0, 100 * n.score)).toFixed(1)}%`;
    bar.dataset.value = String(n.score);
    wrap.appendChild(bar);
    b.append(wrap, el('span', 'prob', n.score.toFixed(3)));
    b.addEventListener('click', () => pick(n.word));
    li.appendChild(b);
    target.appendChild(li);
  }
  revealResult(target);
}

/** Scrolls a result that just arrived into view (jsdom-free browsers only have scrollIntoView). */
export function revealResult(target: HTMLElement): void {
  if (target.isConnected && typeof target.scrollIntoView === 'function')
    target.scrollIntoView({ block: 'nearest' });
}

/** The engine's sentence about an unknown word, with its closest spellings to retry. */
export function renderUnknown(target: HTMLElement, a: VectorsAnswer, retry: (w: string) => void): void {
  target.replaceChildren(el('span', 'error', a.error ?? ''));
  if (a.suggestions?.length) {
    const chips = el('div', 'ex-chips');
    for (const s of a.suggestions) chips.appendChild(chip(s, () => retry(s)));
    target.appendChild(chips);
  }
}

/**
 * Shows why a request failed, in the place its answer would have gone. A request the explorer
 * cancelled itself shows nothing. Returns whether there was something to show.
 */
export function showFailure(target: HTMLElement, e: unknown): boolean {
  if (e instanceof CancelledError) return false;
  const s = el('span', 'error ex-failure', errorText(e));
  s.setAttribute('role', 'alert');
  target.replaceChildren(s);
  return true;
}
