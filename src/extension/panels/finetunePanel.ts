import * as vscode from 'vscode';
import {
  type FromFinetunePanel,
  isFromFinetunePanel,
  type RunView,
  type ToFinetunePanel,
} from '../../shared/protocol/finetune';
import { StatePanel } from './panelBase';

/**
 * Fine-tune results: one run (its dev metrics per epoch, the confusion matrix and per-label scores of
 * its best epoch), live while it trains, or several side by side (Compare Fine-tune Runs). Its whole
 * state is one message, replayed when its page reloads.
 */
export class FinetunePanel extends StatePanel<ToFinetunePanel, FromFinetunePanel> {
  static readonly viewType = 'pretrainLab.finetune';
  private shown: ToFinetunePanel | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, {
      viewType: FinetunePanel.viewType,
      title: vscode.l10n.t('Pretrain Lab: Fine-tune'),
      entry: 'finetune',
      isMessage: isFromFinetunePanel,
    });
  }

  /** What the panel shows now (the integration tests read it). */
  get state(): ToFinetunePanel | undefined {
    return this.shown;
  }

  showRuns(runs: RunView[], problems: string[] = []): void {
    this.shown = { type: 'runs', runs, problems };
    this.showState(this.shown);
  }

  error(message: string): void {
    this.shown = { type: 'error', message };
    this.showState(this.shown);
  }

  protected onMessage(m: FromFinetunePanel): undefined {
    switch (m.type) {
      case 'ready':
        return undefined; // answered by PanelBase
    }
  }
}
