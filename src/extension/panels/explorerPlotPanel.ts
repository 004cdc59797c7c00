// The Embedding Explorer's projection in a full-size editor-area panel. The sidebar stays the one place
// that projects: it sends the points on its screen (and the selection) through the host, and a click
// here selects the word there, whose neighbours then come back as marks. Restored after a reload by a
// serializer; until the sidebar projects again it says where the points come from.
import * as vscode from 'vscode';
import {
  type ExplorerPlot,
  type FromExplorerPlot,
  isFromExplorerPlot,
  type PlotMarks,
  type ToExplorerPlot,
} from '../../shared/protocol/explorer';
import { PanelBase } from './panelBase';

export interface ExplorerPlotHost {
  /** A point was clicked: select the word in the sidebar. */
  select(word: string): void;
  /** Reveal the sidebar explorer. */
  showExplorer(): Promise<void>;
  /** The panel opened or closed (the sidebar sends points only while it is open). */
  openChanged(open: boolean): void;
}

const NOTHING_YET = vscode.l10n.t(
  'Nothing is projected yet: open the Embedding Explorer and project some words; this plot follows it.',
);

export class ExplorerPlotPanel extends PanelBase<ToExplorerPlot, FromExplorerPlot> {
  static readonly viewType = 'pretrainLab.explorerPlot';
  private state: ToExplorerPlot = { type: 'empty', message: NOTHING_YET };
  lastSelected: string | undefined; // for tests: the last word clicked here

  constructor(
    extensionUri: vscode.Uri,
    private readonly host: ExplorerPlotHost,
  ) {
    super(extensionUri, {
      viewType: ExplorerPlotPanel.viewType,
      title: vscode.l10n.t('Embedding Plot'),
      entry: 'explorerPlot',
      isMessage: isFromExplorerPlot,
      column: vscode.ViewColumn.Active,
    });
  }

  /** Opens in the active column and takes the focus, as a full-size view should. */
  override show(preserveFocus = false): void {
    super.show(preserveFocus);
  }

  get isOpen(): boolean {
    return this.visible;
  }

  /** What the panel shows (or will show when its page is up). */
  get shown(): ToExplorerPlot {
    return this.state;
  }

  protected override onAttached(): void {
    this.host.openChanged(true);
  }

  protected override onPanelClosed(): void {
    this.host.openChanged(false);
  }

  protected onReady(): void {
    this.notify(this.state);
  }

  protected async onMessage(m: FromExplorerPlot): Promise<unknown> {
    switch (m.type) {
      case 'ready':
        return undefined; // answered by PanelBase
      case 'select':
        this.lastSelected = m.word;
        this.host.select(m.word);
        return undefined;
      case 'showExplorer':
        await this.host.showExplorer();
        return undefined;
    }
  }

  /** The sidebar's projection changed. */
  update(plot: ExplorerPlot, modelName: string): void {
    this.state = { type: 'plot', plot, modelName };
    this.notify(this.state);
  }

  /** The sidebar's selection changed. */
  setMarks(marks: PlotMarks): void {
    if (this.state.type !== 'plot') return;
    this.state = { ...this.state, plot: { ...this.state.plot, marks } };
    this.notify({ type: 'marks', marks });
  }

  /** The points are gone (their model was removed). */
  clear(message: string): void {
    this.state = { type: 'empty', message };
    this.notify(this.state);
  }

  /** The model the points come from, if any. */
  get model(): string | undefined {
    return this.state.type === 'plot' ? this.state.plot.model : undefined;
  }
}
