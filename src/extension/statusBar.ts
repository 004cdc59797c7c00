// One status-bar item for the engine and every training job: the backend while idle, the job's
// position and brief metrics while one runs; a click opens the training panel.
import * as vscode from 'vscode';
import { briefMetrics } from '../shared/protocol/training';
import type { EngineClient } from './engineClient';
import type { JobController } from './jobs/controller';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'pretrainLab.status',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly engine: EngineClient,
    private readonly jobs: JobController,
  ) {
    this.item.name = 'Pretrain Lab';
    this.item.command = 'pretrainLab.showTraining';
    this.subs = [engine.onBackend(() => this.update()), jobs.onDidChange(() => this.update())];
    this.update();
    this.item.show();
  }

  update(): void {
    const run = this.jobs.run;
    const last = this.jobs.last;
    if (this.jobs.running && run) {
      // 'BERT 12/400', 'word2vec epoch 2/5': a step count needs no unit, an epoch does
      const at = last
        ? `${last.unit === 'step' ? '' : `${last.unit} `}${last.done}/${last.total}`
        : 'starting…';
      this.item.text = `$(sync~spin) ${run.family.split(' ')[0]} ${at}`;
      const eta =
        last?.etaSeconds !== undefined && Number.isFinite(last.etaSeconds)
          ? `, ETA ${Math.round(last.etaSeconds)} s`
          : '';
      this.item.tooltip = last
        ? `Pretraining ${run.family} ${run.model}: ${briefMetrics(last)}${eta}. Click for the training panel.`
        : `Pretraining ${run.family} ${run.model} is starting.`;
    } else {
      this.item.text = `$(beaker) Pretrain Lab: ${this.engine.backend ?? 'engine idle'}`;
      this.item.tooltip = this.engine.backend
        ? `The engine runs TensorFlow.js on the ${this.engine.backend} backend (setting pretrainLab.backend). Click for the training panel.`
        : 'The engine starts on first use.';
    }
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
