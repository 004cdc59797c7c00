import * as vscode from 'vscode';
import {
  type AttentionView,
  type FromAttentionPanel,
  isFromAttentionPanel,
  type ToAttentionPanel,
} from '../../shared/protocol/attention';
import { StatePanel } from './panelBase';

/** Head, model and matrix views of a selection's attention. */
export class AttentionPanel extends StatePanel<ToAttentionPanel, FromAttentionPanel> {
  static readonly viewType = 'pretrainLab.attention';
  /** Answers the page's view state and exports; a throw is shown in the panel. */
  onMessageFromView: ((m: Exclude<FromAttentionPanel, { type: 'ready' }>) => Promise<unknown>) | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, {
      viewType: AttentionPanel.viewType,
      title: vscode.l10n.t('Attention'),
      entry: 'attention',
      isMessage: isFromAttentionPanel,
    });
  }

  loading(text: string): void {
    this.showState({ type: 'loading', text });
  }

  attention(view: AttentionView): void {
    this.showState({ type: 'attention', view });
  }

  error(message: string): void {
    this.showState({ type: 'error', message });
  }

  focusToken(index: number): void {
    this.notify({ type: 'focusToken', index });
  }

  protected onMessage(m: FromAttentionPanel): unknown {
    if (m.type === 'ready') return undefined; // answered by PanelBase
    return this.onMessageFromView?.(m);
  }
}
