import type * as vscode from 'vscode';
import {
  type FromPredictPanel,
  isFromPredictPanel,
  type PredictView,
  type ToPredictPanel,
} from '../../shared/webviewProtocol';
import { PanelBase } from './panelBase';

/** Shows the candidates of every [MASK]; a click on one asks the host to apply it. */
export class PredictPanel extends PanelBase<ToPredictPanel, FromPredictPanel> {
  static readonly viewType = 'pretrainLab.predictMask';
  private last: ToPredictPanel | undefined;
  onApply: ((requestId: number, maskIndex: number, candidateIndex: number) => void) | undefined;
  onClose: (() => void) | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, PredictPanel.viewType, 'Predict Mask', 'predictMask', isFromPredictPanel);
  }

  loading(text: string): void {
    this.show();
    this.send({ type: 'loading', text });
  }

  result(view: PredictView): void {
    this.show();
    this.send({ type: 'result', view });
  }

  error(message: string): void {
    this.show();
    this.send({ type: 'error', message });
  }

  applied(maskIndex: number, token: string): void {
    this.post({ type: 'applied', maskIndex, token });
  }

  private send(m: ToPredictPanel): void {
    this.last = m;
    this.post(m);
  }

  protected override onReady(): void {
    // the webview keeps its own state, but after a reload it may not have the latest
    if (this.last) this.post(this.last);
  }

  protected onMessage(m: FromPredictPanel): void {
    switch (m.type) {
      case 'ready':
        return;
      case 'apply':
        this.onApply?.(m.requestId, m.maskIndex, m.candidateIndex);
        return;
    }
  }

  protected override onClosed(): void {
    this.onClose?.();
  }
}
