// Canvas helpers shared by the three views: theme colours, a crisp canvas at the device's pixel
// ratio, and a heat map drawn once as one pixel per cell so that it scales to any size in one drawImage.

import { l10n } from '../common/l10n';
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

// viridis (matplotlib's perceptually uniform map), sampled at 9 stops from 0 to 1
const VIRIDIS: [number, number, number][] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

/** viridis at t in [0, 1]: dark purple (0) through teal to yellow (1), even steps of lightness. */
export function viridis(t: number): [number, number, number] {
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const k = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - k;
  const a = VIRIDIS[k];
  const b = VIRIDIS[k + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * f)) as [number, number, number];
}

/**
 * Where a weight sits on the model view's colour scale: the square root of the weight, so that the
 * many small weights of a long input (near 1/n) are not all the same dark colour; 1 stays 1.
 */
export const weightScale = (w: number): number => Math.sqrt(Math.min(1, Math.max(0, w)));

/** An n × n canvas, one opaque pixel per cell, coloured by viridis(weightScale(value)). */
export function viridisImage(n: number, value: (i: number, j: number) => number): HTMLCanvasElement {
  const image = document.createElement('canvas');
  image.width = image.height = Math.max(1, n);
  const g = image.getContext('2d')!;
  const data = g.createImageData(image.width, image.height);
  const px = data.data; // [n, n, RGBA]
  // a lookup table of 256 colours: one multiply and one index per cell
  const lut = Array.from({ length: 256 }, (_, k) => viridis(k / 255));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const [r, gr, b] = lut[Math.round(weightScale(value(i, j)) * 255)];
      const k = (i * n + j) * 4;
      px[k] = r;
      px[k + 1] = gr;
      px[k + 2] = b;
      px[k + 3] = 255;
    }
  }
  g.putImageData(data, 0, 0);
  return image;
}

/** The colour scale as a horizontal bar with its ticks (0, 0.25, 1 on the square-root scale). */
export function viridisLegend(width: number): HTMLCanvasElement {
  const h = 28;
  const [c, g] = canvas(
    width,
    h,
    l10n.t('colour scale: attention weight from 0 to 1, square-root scale, viridis'),
  );
  c.className = 'scale-legend';
  for (let x = 0; x < width; x++) {
    const [r, gr, b] = viridis(x / Math.max(1, width - 1));
    g.fillStyle = `rgb(${r},${gr},${b})`;
    g.fillRect(x, 0, 1, 12);
  }
  g.fillStyle = css('--vscode-foreground', '#ccc');
  g.font = `11px ${css('--vscode-font-family', 'sans-serif')}`;
  g.textBaseline = 'top';
  for (const w of [0, 0.05, 0.25, 0.5, 1]) {
    const x = weightScale(w) * (width - 1);
    const text = String(w);
    const tw = g.measureText(text).width;
    g.fillRect(Math.round(x), 12, 1, 3);
    g.fillText(text, Math.min(width - tw, Math.max(0, x - tw / 2)), 15);
  }
  return c;
}
