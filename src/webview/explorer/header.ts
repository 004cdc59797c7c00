// The top of the explorer: the model picker, a line about the model, word2vec training progress, and
// failures that belong to no section (a model that cannot be opened).
import type { VectorsInfo } from '../../shared/configs';
import { type JobProgress, progressLine } from '../../shared/protocol/training';
import { l10n } from '../common/l10n';
import { el } from '../common/vscodeApi';
import { showFailure } from './dom';
import { ask, latest, state, tell } from './state';

export interface Header {
  renderModels(): void;
  renderInfo(i: VectorsInfo): void;
  renderTraining(p?: JobProgress, status?: string): void;
  showError(e: unknown): void;
}

/** onInfo: a model's summary arrived (picked here, or pushed by the host). */
export function header(app: HTMLElement, onInfo: (i: VectorsInfo) => void, onPick: () => void): Header {
  // a narrow sidebar cuts a <select>'s text: the full name is its title and wraps on the line below
  const top = el('div', 'ex-row ex-model-row');
  const modelSelect = el('select');
  modelSelect.id = 'model';
  modelSelect.title = l10n.t('Model');
  const label = el('label', 'muted', l10n.t('Model'));
  label.htmlFor = 'model';
  const fullName = el('div', 'ex-model-name');
  fullName.id = 'model-name';
  top.append(label, modelSelect, fullName);
  app.appendChild(top);

  /** The chosen option's whole text, as the dropdown's title and on the line below it. */
  function showFullName(): void {
    const text = modelSelect.selectedOptions[0]?.textContent ?? '';
    modelSelect.title = text || l10n.t('Model');
    fullName.textContent = text;
  }
  const infoLine = el('div', 'muted ex-info');
  app.appendChild(infoLine);
  const trainLine = el('div', 'ex-train');
  app.appendChild(trainLine);
  const errorLine = el('div', 'ex-error');
  errorLine.id = 'explorer-error';
  errorLine.hidden = true;
  app.appendChild(errorLine);
  const picks = latest();

  function showError(e: unknown): void {
    errorLine.hidden = !showFailure(errorLine, e);
  }

  function renderInfo(i: VectorsInfo): void {
    errorLine.hidden = true;
    state.info = i;
    state.selectedModel = i.dir;
    if (state.models.some((x) => x.id === i.dir)) modelSelect.value = i.dir;
    showFullName();
    const parts = [
      l10n.t('{0} · {1} words · {2} dimensions', i.label, i.vocabSize.toLocaleString('en'), i.dim),
    ];
    if (i.epochsDone !== undefined) parts.push(l10n.t('{0}/{1} epochs', i.epochsDone, i.epochs ?? '?'));
    if (i.epochLosses?.length)
      parts.push(l10n.t('loss per epoch {0}', i.epochLosses.map((l) => l.toFixed(3)).join(' → ')));
    infoLine.textContent = parts.join(' · ');
    onInfo(i);
  }

  modelSelect.addEventListener('change', async () => {
    const model = modelSelect.value;
    showFullName();
    state.selectedModel = model;
    onPick();
    const current = picks.start();
    try {
      const i = await ask({ type: 'selectModel', model });
      if (current()) renderInfo(i);
    } catch (e) {
      if (current()) showError(e);
    }
  });

  return {
    renderModels() {
      modelSelect.replaceChildren();
      for (const m of state.models) {
        const o = el('option', undefined, `${m.name} — ${m.detail}`);
        o.value = m.id;
        modelSelect.appendChild(o);
      }
      if (state.models.length === 0) {
        const o = el('option', undefined, l10n.t('no model yet'));
        o.value = '';
        modelSelect.appendChild(o);
        infoLine.replaceChildren(el('span', undefined, l10n.t('No model yet. ')));
        const b = el('button', 'secondary', l10n.t('Pretrain word2vec…'));
        b.id = 'pretrain';
        b.addEventListener('click', () => tell({ type: 'pretrain' }));
        infoLine.appendChild(b);
      }
      if (state.selectedModel) modelSelect.value = state.selectedModel;
      showFullName();
    },
    renderInfo,
    renderTraining(p, status) {
      trainLine.replaceChildren();
      if (p) {
        const bar = el('progress');
        bar.max = 1;
        bar.value = p.fraction;
        trainLine.append(bar, el('span', 'muted', ` ${progressLine(p)}`));
      }
      if (status) trainLine.appendChild(el('div', 'muted', status));
    },
    showError,
  };
}
