import * as vscode from 'vscode';
import {
  type FromNextTokensPanel,
  isFromNextTokensPanel,
  type NextTokensView,
  type ToNextTokensPanel,
} from '../../shared/protocol/nextTokens';
import { StatePanel } from './panelBase';

/** Lists a GPT's next-token candidates for the text up to the cursor; a click writes one there. */
export class NextTokensPanel extends StatePanel<ToNextTokensPanel, FromNextTokensPanel> {
  static readonly viewType = 'pretrainLab.nextTokens';
  /** Writes a candidate at the cursor and shows the next tokens after it. */
  onInsert: ((requestId: number, candidateIndex: number) => Promise<unknown>) | undefined;
  private view: NextTokensView | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, {
      viewType: NextTokensPanel.viewType,
      title: vscode.l10n.t('Next Tokens'),
      entry: 'nextTokens',
      isMessage: isFromNextTokensPanel,
    });
  }

  loading(text: string): void {
    this.showState({ type: 'loading', text });
  }

  result(view: NextTokensView): void {
    this.view = view;
    this.showState({ type: 'result', view });
  }

  error(message: string): void {
    this.showState({ type: 'error', message });
  }

  /** What the panel shows (tests read it as a user reads the panel). */
  get shown(): NextTokensView | undefined {
    return this.view;
  }

  protected async onMessage(m: FromNextTokensPanel): Promise<unknown> {
    switch (m.type) {
      case 'ready':
        return undefined; // answered by PanelBase
      case 'insert':
        if (!this.onInsert)
          throw new Error(vscode.l10n.t('Show Next Tokens is not ready yet; run it again.'));
        return this.onInsert(m.requestId, m.candidateIndex);
    }
  }
}
