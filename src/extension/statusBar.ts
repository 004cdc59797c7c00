import * as vscode from 'vscode';
import type { EngineClient } from './engineClient';
import type { TrainingController } from './training';

/** Shows the engine's backend, and a training's progress while one runs; a click opens the training panel. */
export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'pretrainLab.status',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly subs: vscode.Disposable[];

  constructor(
    private readonly engine: EngineClient,
    private readonly training: TrainingController,
  ) {
    this.item.name = 'Pretrain Lab';
    this.item.command = 'pretrainLab.showTraining';
    this.subs = [engine.onBackend(() => this.update()), training.onDidChange(() => this.update())];
    this.update();
    this.item.show();
  }

  update(): void {
    const last = this.training.last;
    if (this.training.running) {
      this.item.text = last
        ? `$(sync~spin) BERT ${last.step}/${last.totalSteps}`
        : '$(sync~spin) BERT starting…';
      this.item.tooltip = last
        ? `Pretraining: MLM loss ${last.mlmLoss.toFixed(3)}, ${Math.round(last.tokensPerSecond)} tokens/s, ETA ${Math.round(last.etaSeconds)} s. Click for the training panel.`
        : 'Pretraining is starting.';
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
