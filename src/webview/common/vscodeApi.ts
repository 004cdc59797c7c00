// The webview side of the host channel: the acquireVsCodeApi handle, typed.
interface VsCodeApi<State> {
  postMessage(message: unknown): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State>(): VsCodeApi<State>;

export function vscodeApi<State>(): VsCodeApi<State> {
  return acquireVsCodeApi<State>();
}

/** Creates an element with text content only: strings from a corpus or a model never become HTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls?: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function pct(x: number, digits = 1): string {
  return `${(x * 100).toFixed(digits)}%`;
}

/** A <select> with the given [value, label] options and the chosen value. */
export function selectEl(
  id: string,
  options: readonly (readonly [string, string])[],
  value: string,
): HTMLSelectElement {
  const s = el('select');
  s.id = id;
  for (const [v, label] of options) {
    const o = el('option', undefined, label);
    o.value = v;
    s.appendChild(o);
  }
  s.value = value;
  return s;
}

/** An <input type=range|number> with its bounds. */
export function numberEl(
  type: 'range' | 'number',
  id: string,
  min: number,
  max: number,
  value: number,
  step?: number,
): HTMLInputElement {
  const i = el('input');
  i.type = type;
  i.id = id;
  i.min = String(min);
  i.max = String(max);
  if (step !== undefined) i.step = String(step);
  i.value = String(value);
  return i;
}
