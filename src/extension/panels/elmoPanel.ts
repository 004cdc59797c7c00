// The ELMo Layers panel: per token of a selection, how similar its three layers are to the word's
// other occurrences (in the selection and the workspace), and a task's learned layer weights when one
// exists. A click on a workspace occurrence opens it (onReveal).
import * as vscode from 'vscode';
import {
  type ElmoLayersView,
  type FromElmoPanel,
  isFromElmoPanel,
  type ToElmoPanel,
} from '../../shared/protocol/elmo';
import { StatePanel } from './panelBase';

export class ElmoPanel extends StatePanel<ToElmoPanel, FromElmoPanel> {
  static readonly viewType = 'pretrainLab.elmoLayers';
  onReveal: ((file: string, line: number) => Promise<unknown>) | undefined;
  /** The view shown last (tests read it as a user reads the panel). */
  shownView: ElmoLayersView | undefined;

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, {
      viewType: ElmoPanel.viewType,
      title: vscode.l10n.t('ELMo Layers'),
      entry: 'elmo',
      isMessage: isFromElmoPanel,
    });
  }

  loading(text: string): void {
    this.showState({ type: 'loading', text });
  }

  result(view: ElmoLayersView): void {
    this.shownView = view;
    this.showState({ type: 'result', view });
  }

  error(message: string): void {
    this.showState({ type: 'error', message });
  }

  protected async onMessage(m: FromElmoPanel): Promise<unknown> {
    switch (m.type) {
      case 'ready':
        return undefined; // answered by PanelBase
      case 'reveal':
        return this.onReveal?.(m.file, m.line);
    }
  }
}
