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
import { log } from '../log';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { WebviewRpc } from './webviewRpc';

export interface ExplorerPlotHost {
  /** A point was clicked: select the word in the sidebar. */
  select(word: string): void;
  /** Reveal the sidebar explorer. */
  showExplorer(): Promise<void>;
  /** The panel opened or closed (the sidebar sends points only while it is open). */
  openChanged(open: boolean): void;
}

const NOTHING_YET =
  'Nothing is projected yet: open the Embedding Explorer and project some words; this plot follows it.';

export class ExplorerPlotPanel implements vscode.Disposable {
  static readonly viewType = 'pretrainLab.explorerPlot';
  private panel: vscode.WebviewPanel | undefined;
  private rpc: WebviewRpc<FromExplorerPlot> | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private ready = false;
  private state: ToExplorerPlot = { type: 'empty', message: NOTHING_YET };
  lastSelected: string | undefined; // for tests: the last word clicked here

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly host: ExplorerPlotHost,
  ) {}

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** What the panel shows (or will show when its page is up). */
  get shown(): ToExplorerPlot {
    return this.state;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Active);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      ExplorerPlotPanel.viewType,
      'Embedding Plot',
      vscode.ViewColumn.Active,
      webviewOptions(this.extensionUri),
    );
    this.attach(panel);
  }

  /** Takes over a panel VS Code restored after a reload. */
  attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, 'explorerPlot', 'Embedding Plot');
    const rpc = new WebviewRpc(
      panel.webview,
      isFromExplorerPlot,
      (m) => this.onRequest(m),
      (s) => log().warn(s),
    );
    this.rpc = rpc;
    this.subs.push(
      rpc,
      panel.onDidChangeViewState(() => {
        // a hidden panel loses its page (retainContextWhenHidden is off) and says 'ready' again
        if (!panel.visible) {
          this.ready = false;
          rpc.reset();
        }
      }),
      panel.onDidDispose(() => {
        this.panel = undefined;
        this.rpc = undefined;
        this.ready = false;
        for (const s of this.subs.splice(0)) s.dispose();
        this.host.openChanged(false);
      }),
    );
    this.host.openChanged(true);
  }

  private async onRequest(m: FromExplorerPlot): Promise<unknown> {
    switch (m.type) {
      case 'ready':
        this.ready = true;
        this.rpc?.notify(this.state);
        return undefined;
      case 'select':
        this.lastSelected = m.word;
        this.host.select(m.word);
        return undefined;
      case 'showExplorer':
        await this.host.showExplorer();
        return undefined;
    }
  }

  private push(): void {
    if (this.ready) this.rpc?.notify(this.state);
  }

  /** The sidebar's projection changed. */
  update(plot: ExplorerPlot, modelName: string): void {
    this.state = { type: 'plot', plot, modelName };
    this.push();
  }

  /** The sidebar's selection changed. */
  setMarks(marks: PlotMarks): void {
    if (this.state.type !== 'plot') return;
    this.state = { ...this.state, plot: { ...this.state.plot, marks } };
    if (this.ready) this.rpc?.notify({ type: 'marks', marks } satisfies ToExplorerPlot);
  }

  /** The points are gone (their model was removed). */
  clear(message: string): void {
    this.state = { type: 'empty', message };
    this.push();
  }

  /** The model the points come from, if any. */
  get model(): string | undefined {
    return this.state.type === 'plot' ? this.state.plot.model : undefined;
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
