import * as vscode from 'vscode';
import {
  type FromTrainingPanel,
  isFromTrainingPanel,
  type ToTrainingPanel,
} from '../../shared/protocol/training';
import { PanelBase } from './panelBase';

/**
 * Live charts of a training job, whatever its kind; Cancel asks the host to stop it. Progress is sent
 * only while the page is up: a page that (re)loads is sent the whole history instead, so no point is
 * queued while hidden and none is drawn twice.
 */
export class TrainingPanel extends PanelBase<ToTrainingPanel, FromTrainingPanel> {
  static readonly viewType = 'pretrainLab.training';
  onCancel: (() => void) | undefined;
  history: (() => ToTrainingPanel) | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, {
      viewType: TrainingPanel.viewType,
      title: vscode.l10n.t('Pretrain Lab: Training'),
      entry: 'training',
      isMessage: isFromTrainingPanel,
    });
  }

  send(m: ToTrainingPanel): void {
    this.notify(m);
  }

  protected onReady(): void {
    const h = this.history?.();
    if (h) this.notify(h);
  }

  protected onMessage(m: FromTrainingPanel): undefined {
    switch (m.type) {
      case 'cancel':
        this.onCancel?.();
        return undefined;
      case 'ready':
        return undefined; // answered by PanelBase
    }
  }
}
