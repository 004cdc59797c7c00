import type * as vscode from 'vscode';
import {
  type FromTrainingPanel,
  isFromTrainingPanel,
  type ToTrainingPanel,
} from '../../shared/protocol/training';
import { PanelBase } from './panelBase';

/** Live charts of a training job, whatever its kind; Cancel asks the host to stop it. */
export class TrainingPanel extends PanelBase<ToTrainingPanel, FromTrainingPanel> {
  static readonly viewType = 'pretrainLab.training';
  onCancel: (() => void) | undefined;
  history: (() => ToTrainingPanel) | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, TrainingPanel.viewType, 'Pretrain Lab: Training', 'training', isFromTrainingPanel);
  }

  send(m: ToTrainingPanel): void {
    this.post(m);
  }

  protected override onReady(): void {
    const h = this.history?.();
    if (h) this.post(h);
  }

  protected onMessage(m: FromTrainingPanel): void {
    switch (m.type) {
      case 'cancel':
        this.onCancel?.();
        break;
      case 'ready':
        break; // the history is replayed in onReady
    }
  }
}
