// Two status-bar items. The first is the engine and every training job: the backend while idle, the
// job's position and brief metrics while one runs; a click opens the training panel. The second names
// the active models (one per capability): the masked LM that Predict Mask and attention use, and the
// word vectors the Embedding Explorer opens; a click opens the Models view.
import * as vscode from 'vscode';
import { briefMetrics } from '../shared/protocol/training';
import type { EngineClient } from './engineClient';
import type { JobController } from './jobs/controller';
import type { ModelStore } from './modelStore';

/** What the models item says: the active masked LM and the active vectors, by name. */
export function activeModelsText(masked: string | undefined, vectors: string | undefined): string {
  return `$(symbol-class) ${masked ?? 'no masked LM'} · $(symbol-array) ${vectors ?? 'no vectors'}`;
}

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'pretrainLab.status',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly modelsItem = vscode.window.createStatusBarItem(
    'pretrainLab.activeModels',
    vscode.StatusBarAlignment.Left,
    9,
  );
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly engine: EngineClient,
    private readonly jobs: JobController,
    private readonly models: ModelStore,
  ) {
    this.item.name = 'Pretrain Lab';
    this.item.command = 'pretrainLab.showTraining';
    this.modelsItem.name = vscode.l10n.t('Pretrain Lab: active models');
    this.modelsItem.command = 'pretrainLab.models.focus';
    this.subs = [
      engine.onBackend(() => this.update()),
      jobs.onDidChange(() => this.update()),
      models.onDidChange(() => this.updateModels()),
    ];
    this.update();
    this.updateModels();
    this.item.show();
    this.modelsItem.show();
  }

  update(): void {
    const run = this.jobs.run;
    const last = this.jobs.last;
    if (this.jobs.running && run) {
      // 'BERT 12/400', 'word2vec epoch 2/5': a step count needs no unit, an epoch does
      const at = last
        ? `${last.unit === 'step' ? '' : `${vscode.l10n.t('epoch')} `}${last.done}/${last.total}`
        : vscode.l10n.t('starting…');
      this.item.text = `$(sync~spin) ${run.family.split(' ')[0]} ${at}`;
      const eta =
        last?.etaSeconds !== undefined && Number.isFinite(last.etaSeconds)
          ? vscode.l10n.t(', ETA {0} s', Math.round(last.etaSeconds))
          : '';
      this.item.tooltip = last
        ? vscode.l10n.t(
            'Pretraining {0} {1}: {2}{3}. Click for the training panel.',
            run.family,
            run.model,
            briefMetrics(last),
            eta,
          )
        : vscode.l10n.t('Pretraining {0} {1} is starting.', run.family, run.model);
    } else {
      const { backend, inference, training } = this.engine;
      // "onnxruntime + wasm": what infers, then what trains
      const names = inference && backend ? `onnxruntime + ${backend}` : backend;
      this.item.text = `$(beaker) Pretrain Lab: ${names ?? vscode.l10n.t('engine idle')}`;
      this.item.tooltip = backend
        ? vscode.l10n.t(
            'Inference runs on {0}; training on TensorFlow.js {1} (setting pretrainLab.backend). Click for the training panel.',
            inference ?? backend,
            training ?? backend,
          )
        : vscode.l10n.t('The engine starts on first use.');
    }
  }

  /** The active masked LM and vectors; read from the model folders, so only when the models change. */
  updateModels(): void {
    const masked = this.models.active('predictMask')?.name;
    const vectors = this.models.active('embeddings')?.name;
    this.modelsItem.text = activeModelsText(masked, vectors);
    this.modelsItem.tooltip = vscode.l10n.t(
      'Active masked language model (Predict Mask, attention): {0}. Active word vectors (Embedding Explorer): {1}. Click for the Models view.',
      masked ?? 'none',
      vectors ?? 'none',
    );
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
    this.modelsItem.dispose();
  }
}
