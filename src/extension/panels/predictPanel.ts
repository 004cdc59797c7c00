import * as vscode from 'vscode';
import {
  type FromPredictPanel,
  isFromPredictPanel,
  type PredictView,
  type ToPredictPanel,
} from '../../shared/protocol/predict';
import { StatePanel } from './panelBase';

/** What a panel VS Code restored after a reload says: the host no longer knows its candidates. */
export const RESTORED_STALE = vscode.l10n.t(
  'This prediction is from before the window was reloaded, so its candidates can no longer be written into the text; predict again.',
);

/**
 * Shows the candidates of every [MASK]; a click on one asks the host to apply it. The panel follows
 * the document (follow): an undo unmarks the candidate it took out.
 */
export class PredictPanel extends StatePanel<ToPredictPanel, FromPredictPanel> {
  static readonly viewType = 'pretrainLab.predictMask';
  /** Writes a candidate into the document; its answer is the token written, a throw is shown in the panel. */
  onApply: ((requestId: number, maskIndex: number, candidateIndex: number) => Promise<string>) | undefined;
  /** Finds the text shown in its document, selects it and predicts again. */
  onPredictAgain: ((source: string, uri?: string, offset?: number) => Promise<unknown>) | undefined;
  private holds: (string | null)[] = []; // of the prediction shown, replayed after a reload
  private stale: string | undefined;
  private hasState = false; // false in a panel restored after a reload: its page's candidates are stale

  constructor(extensionUri: vscode.Uri) {
    super(extensionUri, {
      viewType: PredictPanel.viewType,
      title: vscode.l10n.t('Predict Mask'),
      entry: 'predictMask',
      isMessage: isFromPredictPanel,
    });
  }

  loading(text: string): void {
    this.reset();
    this.showState({ type: 'loading', text });
  }

  result(view: PredictView): void {
    this.reset();
    this.holds = view.result.masks.map(() => null);
    this.showState({ type: 'result', view });
  }

  error(message: string): void {
    this.hasState = true;
    this.showState({ type: 'error', message });
  }

  applied(maskIndex: number, token: string): void {
    this.holds[maskIndex] = token;
    this.notify({ type: 'applied', maskIndex, token });
  }

  /**
   * What each mask holds now (null: as predicted) after a change to the document, and why the
   * candidates can no longer be written, if they cannot (the panel then offers Predict again).
   */
  follow(applied: (string | null)[], stale?: string): void {
    this.holds = applied;
    this.stale = stale;
    this.notify({ type: 'follow', applied, stale });
  }

  /** What the panel shows of the document (tests read it as a user reads the panel). */
  get following(): { applied: (string | null)[]; stale?: string; restored: boolean } {
    return { applied: [...this.holds], stale: this.stale, restored: !this.hasState };
  }

  private reset(): void {
    this.hasState = true;
    this.holds = [];
    this.stale = undefined;
  }

  protected override onReady(): void {
    if (!this.hasState) {
      this.notify({ type: 'stale', reason: RESTORED_STALE });
      return;
    }
    super.onReady();
    if (this.holds.some((t) => t !== null) || this.stale)
      this.notify({ type: 'follow', applied: this.holds, stale: this.stale });
  }

  protected async onMessage(m: FromPredictPanel): Promise<unknown> {
    switch (m.type) {
      case 'ready':
        return undefined; // answered by PanelBase
      case 'apply':
        if (!this.onApply || !this.hasState) throw new Error(RESTORED_STALE);
        return this.onApply(m.requestId, m.maskIndex, m.candidateIndex);
      case 'predictAgain':
        if (!this.onPredictAgain)
          throw new Error(vscode.l10n.t('Predict Mask is not ready yet; run it again.'));
        return this.onPredictAgain(m.source, m.uri, m.offset);
    }
  }
}
