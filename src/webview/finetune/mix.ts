// The scalar mix of an ELMo base as bars: one per biLM layer (its softmax weight, the bars summing to 1)
// and γ, the scale of the mixed vector, on its own axis. For one run (updating live while it trains)
// and, in Compare, one row of bars per run so the mixes of several tasks sit side by side.
import type { RunView } from '../../shared/protocol/finetune';
import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';

type Mix = NonNullable<RunView['mix']>;

const layerName = (j: number) => (j === 0 ? l10n.t('layer 0 (tokens)') : l10n.t('layer {0} (biLSTM {0})', j));

function bar(label: string, value: number, fraction: number, text: string): HTMLElement {
  const row = el('div', 'mix-row');
  const track = el('div', 'mix-track');
  const fill = el('div', 'mix-fill');
  fill.style.width = `${Math.max(0, Math.min(1, fraction)) * 100}%`;
  fill.style.height = '0.9em';
  fill.style.background = 'var(--vscode-charts-blue, #3794ff)';
  track.style.flex = '1';
  track.style.background = 'var(--vscode-editorWidget-background, #8882)';
  track.append(fill);
  row.style.display = 'flex';
  row.style.alignItems = 'center';
  row.style.gap = '0.5em';
  const name = el('span', 'mix-label', label);
  name.style.minWidth = '11em';
  const num = el('span', 'num', text);
  num.style.minWidth = '4em';
  row.append(name, track, num);
  row.dataset.value = String(value);
  return row;
}

/** Bars of one mix; γ is drawn against the largest γ shown (`gammaScale`). */
export function mixBars(m: Mix, gammaScale = Math.max(1, m.gamma)): HTMLElement {
  const box = el('div', 'mix');
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', l10n.t('Scalar mix of the ELMo layers'));
  m.weights.forEach((w, j) => {
    box.append(bar(layerName(j), w, w, w.toFixed(3)));
  });
  box.append(bar(l10n.t('γ (scale)'), m.gamma, m.gamma / gammaScale, m.gamma.toFixed(3)));
  return box;
}

/** A section for the runs that have a mix: one run's bars, or one block per run side by side. */
export function mixSection(runs: readonly RunView[]): HTMLElement | undefined {
  const withMix = runs.filter((r) => r.mix);
  if (withMix.length === 0) return undefined;
  const box = el('section', 'mixes');
  box.append(
    el(
      'h3',
      undefined,
      withMix.length > 1
        ? l10n.t('Scalar mixes of the ELMo runs, side by side')
        : l10n.t('Scalar mix of the ELMo layers'),
    ),
  );
  box.append(
    el(
      'p',
      'muted',
      l10n.t('What each task learned to read from the frozen biLM: softmax weights per layer (sum 1) and γ.'),
    ),
  );
  const gammaScale = Math.max(1, ...withMix.map((r) => r.mix!.gamma));
  const grid = el('div', 'mix-grid');
  grid.style.display = 'grid';
  grid.style.gridTemplateColumns = `repeat(${Math.min(withMix.length, 3)}, minmax(14em, 1fr))`;
  grid.style.gap = '1em';
  for (const r of withMix) {
    const cell = el('div', 'mix-run');
    cell.dataset.run = r.name;
    cell.append(el('h4', undefined, `${r.name} — ${r.task}${r.running ? l10n.t(' (training…)') : ''}`));
    cell.append(mixBars(r.mix!, gammaScale));
    grid.append(cell);
  }
  box.append(grid);
  return box;
}
