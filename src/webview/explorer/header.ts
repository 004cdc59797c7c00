// The top of the explorer: the model picker, a line about the model, word2vec training progress, and
// failures that belong to no section (a model that cannot be opened).
import type { VectorsInfo, W2vProgress } from '../../shared/configs';
import { el } from '../common/vscodeApi';
import { showFailure } from './dom';
import { ask, latest, state, tell } from './state';

export interface Header {
  renderModels(): void;
  renderInfo(i: VectorsInfo): void;
  renderTraining(p?: W2vProgress, status?: string): void;
  showError(e: unknown): void;
}

/** onInfo: a model's summary arrived (picked here, or pushed by the host). */
export function header(app: HTMLElement, onInfo: (i: VectorsInfo) => void, onPick: () => void): Header {
  const top = el('div', 'ex-row');
  const modelSelect = el('select');
  modelSelect.id = 'model';
  modelSelect.title = 'Model';
  top.append(el('label', 'muted', 'Model'), modelSelect);
  app.appendChild(top);
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
    const kind = i.bert
      ? 'BERT input embeddings (one static vector per WordPiece)'
      : `word2vec${i.algo ? ` ${i.algo === 'cbow' ? 'CBOW' : 'skip-gram'}` : ''}`;
    const parts = [`${kind} · ${i.vocabSize.toLocaleString('en')} words · ${i.dim} dimensions`];
    if (i.epochsDone !== undefined) parts.push(`${i.epochsDone}/${i.epochs} epochs`);
    if (i.epochLosses?.length)
      parts.push(`loss per epoch ${i.epochLosses.map((l) => l.toFixed(3)).join(' → ')}`);
    infoLine.textContent = parts.join(' · ');
    onInfo(i);
  }

  modelSelect.addEventListener('change', async () => {
    const model = modelSelect.value;
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
        const o = el('option', undefined, 'no model yet');
        o.value = '';
        modelSelect.appendChild(o);
        infoLine.replaceChildren(el('span', undefined, 'No model yet. '));
        const b = el('button', 'secondary', 'Pretrain word2vec…');
        b.id = 'pretrain';
        b.addEventListener('click', () => tell({ type: 'pretrain' }));
        infoLine.appendChild(b);
      }
      if (state.selectedModel) modelSelect.value = state.selectedModel;
    },
    renderInfo,
    renderTraining(p, status) {
      trainLine.replaceChildren();
      if (p) {
        const bar = el('progress');
        bar.max = 1;
        bar.value = p.wordsDone / Math.max(1, p.totalWords);
        trainLine.append(
          bar,
          el(
            'span',
            'muted',
            ` epoch ${p.epoch}/${p.epochs} · loss ${p.loss.toFixed(3)} · ${Math.round(p.wordsPerSecond).toLocaleString('en')} words/s`,
          ),
        );
      }
      if (status) trainLine.appendChild(el('div', 'muted', status));
    },
    showError,
  };
}
