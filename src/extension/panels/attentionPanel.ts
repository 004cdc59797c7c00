import type * as vscode from 'vscode';
import {
  type AttentionView,
  type FromAttentionPanel,
  isFromAttentionPanel,
  type ToAttentionPanel,
} from '../../shared/webviewProtocol';
import { PanelBase } from './panelBase';

/** Head, model and matrix views of a selection's attention. */
export class AttentionPanel extends PanelBase<ToAttentionPanel, FromAttentionPanel> {
  static readonly viewType = 'pretrainLab.attention';
  private last: ToAttentionPanel | undefined;
  onMessageFromView: ((m: FromAttentionPanel) => void) | undefined;
  onClose: (() => void) | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, AttentionPanel.viewType, 'Attention', 'attention', isFromAttentionPanel);
  }

  loading(text: string): void {
    this.show();
    this.send({ type: 'loading', text });
  }

  attention(view: AttentionView): void {
    this.show();
    this.send({ type: 'attention', view });
  }

  error(message: string): void {
    this.show();
    this.send({ type: 'error', message });
  }

  focusToken(index: number): void {
    this.post({ type: 'focusToken', index });
  }

  private send(m: ToAttentionPanel): void {
    this.last = m;
    this.post(m);
  }

  protected override onReady(): void {
    if (this.last) this.post(this.last);
  }

  protected onMessage(m: FromAttentionPanel): void {
    this.onMessageFromView?.(m);
  }

  protected override onClosed(): void {
    this.onClose?.();
  }
}
