import type * as vscode from 'vscode';
import {
  type AttentionView,
  type FromAttentionPanel,
  isFromAttentionPanel,
  type ToAttentionPanel,
} from '../../shared/protocol/attention';
import { PanelBase } from './panelBase';

/** Head, model and matrix views of a selection's attention. */
export class AttentionPanel extends PanelBase<ToAttentionPanel, FromAttentionPanel> {
  static readonly viewType = 'pretrainLab.attention';
  onMessageFromView: ((m: FromAttentionPanel) => void) | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, AttentionPanel.viewType, 'Attention', 'attention', isFromAttentionPanel);
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
    this.post({ type: 'focusToken', index });
  }

  protected onMessage(m: FromAttentionPanel): void {
    this.onMessageFromView?.(m);
  }
}
