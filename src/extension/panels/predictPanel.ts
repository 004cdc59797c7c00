import type * as vscode from 'vscode';
import {
  type FromPredictPanel,
  isFromPredictPanel,
  type PredictView,
  type ToPredictPanel,
} from '../../shared/protocol/predict';
import { PanelBase } from './panelBase';

/** Shows the candidates of every [MASK]; a click on one asks the host to apply it. */
export class PredictPanel extends PanelBase<ToPredictPanel, FromPredictPanel> {
  static readonly viewType = 'pretrainLab.predictMask';
  onApply: ((requestId: number, maskIndex: number, candidateIndex: number) => void) | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, PredictPanel.viewType, 'Predict Mask', 'predictMask', isFromPredictPanel);
  }

  loading(text: string): void {
    this.showState({ type: 'loading', text });
  }

  result(view: PredictView): void {
    this.showState({ type: 'result', view });
  }

  error(message: string): void {
    this.showState({ type: 'error', message });
  }

  applied(maskIndex: number, token: string): void {
    this.post({ type: 'applied', maskIndex, token });
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
}
