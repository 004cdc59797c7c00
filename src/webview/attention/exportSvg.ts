// SVG export of the head or matrix view (vector, with its text; the matrix always whole, not zoomed),
// under a caption that names the model, layer, heads and text (caption.ts).
import type { AttentionView } from '../../shared/protocol/attention';
import { CAPTION_LINE, CAPTION_PAD, captionLines } from './caption';
import { headColour } from './draw';
import { fmtWeight, type Grid, matrix } from './grid';
import { matrixHeads, store } from './state';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function toSvg(v: AttentionView, g: Grid): string {
  const { ui } = store;
  const n = g.labels.length;
  const parts: string[] = [];
  if (ui.mode === 'head') {
    const rowH = 18;
    const W = 520;
    const H = n * rowH + 10;
    parts.push(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="monospace" font-size="12">`,
    );
    for (const h of ui.heads) {
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          const w = g.at(ui.layer, h, i, j);
          if (w >= 0.01)
            parts.push(
              `<line x1="150" y1="${14 + i * rowH}" x2="370" y2="${14 + j * rowH}" stroke="${headColour(h)}" stroke-width="2" stroke-opacity="${w.toFixed(3)}"/>`,
            );
        }
      }
    }
    g.labels.forEach((t, i) => {
      parts.push(`<text x="144" y="${18 + i * rowH}" text-anchor="end">${esc(t)}</text>`);
      parts.push(`<text x="376" y="${18 + i * rowH}">${esc(t)}</text>`);
    });
  } else {
    const cell = 16;
    const label = 90;
    const values = matrix(g, ui.layer, matrixHeads(v));
    const S = label + n * cell + 10;
    parts.push(
      `<svg xmlns="http://www.w3.org/2000/svg" width="${S}" height="${S}" font-family="monospace" font-size="11">`,
    );
    for (let i = 0; i < n; i++) {
      parts.push(
        `<text x="${label - 4}" y="${label + i * cell + 12}" text-anchor="end">${esc(g.labels[i])}</text>`,
      );
      parts.push(
        `<text transform="translate(${label + i * cell + 12},${label - 4}) rotate(-90)">${esc(g.labels[i])}</text>`,
      );
      for (let j = 0; j < n; j++) {
        const w = values[i * n + j];
        if (w >= ui.threshold && w > 0)
          parts.push(
            `<rect x="${label + j * cell}" y="${label + i * cell}" width="${cell}" height="${cell}" fill="#3794ff" fill-opacity="${w.toFixed(3)}"><title>${esc(g.labels[i])} → ${esc(g.labels[j])}: ${fmtWeight(w)}</title></rect>`,
          );
      }
    }
  }
  parts.push('</svg>');
  // the model view exports the matrix of its layer (as drawn here), and its caption says so
  return withCaption(parts, captionLines(v, ui.mode === 'head' ? 'head' : 'matrix'));
}

/** Moves the drawing down under the caption's lines: the <svg> tag grows, the body is translated. */
function withCaption(parts: string[], lines: string[]): string {
  const capH = CAPTION_PAD * 2 + CAPTION_LINE * lines.length;
  const open = parts[0].replace(/height="(\d+)"/, (_, h: string) => `height="${Number(h) + capH}"`);
  const caption = lines
    .map(
      (t, i) =>
        `<text class="caption" x="${CAPTION_PAD}" y="${CAPTION_PAD + (i + 1) * CAPTION_LINE - 4}">${esc(t)}</text>`,
    )
    .join('');
  const body = parts.slice(1, -1).join('');
  return `${open}<title>${esc(lines.join(' '))}</title>${caption}<g transform="translate(0,${capH})">${body}</g></svg>`;
}
