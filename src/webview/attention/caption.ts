// What an exported picture says about itself: the model, the layer, the heads and the text, drawn
// above the PNG and written as text into the SVG, so a figure pasted elsewhere still names its source.
import type { AttentionView } from '../../shared/protocol/attention';
import { l10n } from '../common/l10n';
import { css } from './draw';
import type { Grid } from './grid';
import { store } from './state';

const MAX_TEXT = 140; // characters of the text quoted in a caption
export const CAPTION_LINE = 16; // px per caption line
export const CAPTION_PAD = 8;

/** The text the attention was computed on, as written (CJK characters without spaces between). */
export function captionText(v: AttentionView): string {
  const joined = v.words
    .map((w) => w.text)
    .filter((t) => !/^\[(CLS|SEP|PAD)\]$/.test(t))
    .join(' ')
    .replace(/(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])/gu, '');
  return joined.length > MAX_TEXT ? `${joined.slice(0, MAX_TEXT - 1)}…` : joined;
}

/** Two lines: "Attention · model m · layer 2 · head 3" and the quoted text; `mode` is what is drawn. */
export function captionLines(v: AttentionView, mode = store.ui.mode): [string, string] {
  const { ui } = store;
  let what: string;
  if (mode === 'model') what = `all ${v.layers} layers × ${v.heads} heads`;
  else {
    const heads =
      mode === 'matrix'
        ? ui.matrixHead >= 0
          ? l10n.t('head {0}', ui.matrixHead + 1)
          : l10n.t('average of all heads')
        : ui.heads.length === v.heads
          ? l10n.t('all {0} heads', v.heads)
          : `head${ui.heads.length === 1 ? '' : 's'} ${ui.heads.map((h) => h + 1).join(', ')}`;
    what = l10n.t('layer {0} · {1}', ui.layer + 1, heads);
  }
  return [l10n.t('Attention · model {0} · {1}', v.model, what), `“${captionText(v)}”`];
}

/** The view as a PNG data URL, with the caption above it. */
export function captionedPng(v: AttentionView, g: Grid): string | undefined {
  const lines = captionLines(v);
  const dpr = window.devicePixelRatio || 1;
  const src = sourceImage(v, g);
  if (!src) return undefined;
  const capH = CAPTION_PAD * 2 + CAPTION_LINE * lines.length;
  const out = document.createElement('canvas');
  out.width = Math.max(src.width, Math.round(520 * dpr));
  out.height = src.height + Math.round(capH * dpr);
  const ctx = out.getContext('2d')!;
  // an opaque background: a transparent PNG is unreadable on a page of the other theme
  ctx.fillStyle = css('--vscode-editor-background', '#1e1e1e');
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.scale(dpr, dpr);
  ctx.fillStyle = css('--vscode-foreground', '#ccc');
  ctx.font = `12px ${css('--vscode-font-family', 'sans-serif')}`;
  ctx.textBaseline = 'top';
  lines.forEach((t, i) => {
    ctx.fillText(t, CAPTION_PAD, CAPTION_PAD + i * CAPTION_LINE, out.width / dpr - 16);
  });
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.drawImage(src, 0, Math.round(capH * dpr));
  out.dataset.caption = lines.join('\n');
  return out.toDataURL('image/png');
}

/** The canvas on screen; for the model view, every heat map laid out in one picture. */
function sourceImage(v: AttentionView, _g: Grid): HTMLCanvasElement | undefined {
  const single = document.querySelector<HTMLCanvasElement>('#head-canvas, #matrix-canvas');
  if (single) return single;
  const thumbs = [...document.querySelectorAll<HTMLCanvasElement>('canvas.thumb')];
  if (thumbs.length === 0) return undefined;
  const cell = thumbs[0].width; // device pixels
  const gap = Math.round(cell / 12) + 2;
  const label = Math.round(64 * (window.devicePixelRatio || 1));
  const out = document.createElement('canvas');
  out.width = label + v.heads * (cell + gap);
  out.height = label / 2 + v.layers * (cell + gap);
  const ctx = out.getContext('2d')!;
  ctx.fillStyle = css('--vscode-foreground', '#ccc');
  ctx.font = `${Math.round(12 * (window.devicePixelRatio || 1))}px ${css('--vscode-font-family', 'sans-serif')}`;
  ctx.textBaseline = 'middle';
  for (let h = 0; h < v.heads; h++)
    ctx.fillText(l10n.t('head {0}', h + 1), label + h * (cell + gap), label / 4);
  for (const t of thumbs) {
    const l = Number(t.dataset.layer);
    const h = Number(t.dataset.head);
    const y = label / 2 + l * (cell + gap);
    if (h === 0) ctx.fillText(l10n.t('layer {0}', l + 1), 0, y + cell / 2);
    ctx.drawImage(t, label + h * (cell + gap), y);
  }
  return out;
}
