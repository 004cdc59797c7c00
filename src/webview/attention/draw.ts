// Canvas helpers shared by the three views: theme colours, a crisp canvas at the device's pixel
// ratio, and a heat map drawn once as one pixel per cell so that it scales to any size in one drawImage.
import { el } from '../common/vscodeApi';

export const css = (name: string, fallback: string): string =>
  getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;

const HEAD_COLOURS = [
  '#e6194b',
  '#3cb44b',
  '#4363d8',
  '#f58231',
  '#911eb4',
  '#46f0f0',
  '#f032e6',
  '#bcf60c',
  '#fabebe',
  '#008080',
  '#9a6324',
  '#800000',
];
export const headColour = (h: number): string => HEAD_COLOURS[h % HEAD_COLOURS.length];

export function font(): string {
  return `12px ${css('--vscode-editor-font-family', 'monospace')}`;
}
export const LABEL_HEIGHT = 12; // px of the 12px font: labels are drawn only on cells at least this tall

export function canvas(w: number, h: number, label: string): [HTMLCanvasElement, CanvasRenderingContext2D] {
  const c = el('canvas');
  const g = c.getContext('2d')!;
  resize(c, g, w, h);
  c.setAttribute('role', 'img');
  c.setAttribute('aria-label', label);
  return [c, g];
}

/** Sizes a canvas to w × h CSS pixels, drawn at the device's pixel ratio; clears it. */
export function resize(c: HTMLCanvasElement, g: CanvasRenderingContext2D, w: number, h: number): void {
  const dpr = window.devicePixelRatio || 1;
  c.width = Math.round(w * dpr);
  c.height = Math.round(h * dpr);
  c.style.width = `${w}px`;
  c.style.height = `${h}px`;
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
}

/** Any CSS colour as [r, g, b], read back from a one-pixel canvas. */
export function rgb(colour: string): [number, number, number] {
  const c = document.createElement('canvas');
  c.width = c.height = 1;
  const g = c.getContext('2d', { willReadFrequently: true })!;
  g.fillStyle = colour;
  g.fillRect(0, 0, 1, 1);
  const [r, gr, b] = g.getImageData(0, 0, 1, 1).data;
  return [r, gr, b];
}

/**
 * An n × n canvas, one pixel per cell, in one colour whose opacity is value / top; values under
 * `min` (or 0) stay clear. Returns it with the number of cells coloured.
 */
export function heatImage(
  n: number,
  value: (i: number, j: number) => number,
  colour: [number, number, number],
  top: number,
  min: number,
): { image: HTMLCanvasElement; cells: number } {
  const image = document.createElement('canvas');
  image.width = image.height = Math.max(1, n);
  const g = image.getContext('2d')!;
  const data = g.createImageData(image.width, image.height);
  const px = data.data; // [n, n, RGBA]
  const scale = 255 / (top || 1);
  let cells = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const w = value(i, j);
      if (w < min || w <= 0) continue;
      const k = (i * n + j) * 4;
      px[k] = colour[0];
      px[k + 1] = colour[1];
      px[k + 2] = colour[2];
      px[k + 3] = Math.min(255, Math.round(w * scale));
      cells++;
    }
  }
  g.putImageData(data, 0, 0);
  return { image, cells };
}
