// A webview panel singleton: created or revealed beside the editor, messages validated, disposed once.
import * as vscode from 'vscode';
import { webviewHtml, webviewOptions } from '../webviewHtml';

export abstract class PanelBase<ToPanel, FromPanel extends { type: string }> implements vscode.Disposable {
  protected panel: vscode.WebviewPanel | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private queue: ToPanel[] = [];
  private last: ToPanel | undefined; // the latest state message, replayed when the webview (re)loads
  onClose: (() => void) | undefined;

  constructor(
    protected readonly extensionUri: vscode.Uri,
    private readonly viewType: string,
    private readonly title: string,
    private readonly entry: string,
    private readonly isMessage: (x: unknown) => x is FromPanel,
  ) {}

  get visible(): boolean {
    return this.panel !== undefined;
  }

  show(preserveFocus = true): void {
    if (this.panel) {
      this.panel.reveal(vscode.ViewColumn.Beside, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      this.viewType,
      this.title,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      webviewOptions(this.extensionUri),
    );
    this.attach(panel);
  }

  /** Takes over a panel VS Code restored after a reload. */
  attach(panel: vscode.WebviewPanel): void {
    this.panel = panel;
    this.ready = false;
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, this.entry, this.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (!this.isMessage(m)) return; // anything else from the webview is ignored
        if (m.type === 'ready') {
          this.ready = true;
          this.onReady();
          for (const q of this.queue.splice(0)) void panel.webview.postMessage(q);
        }
        this.onMessage(m);
      }),
      panel.onDidChangeViewState(() => {
        // a hidden webview is torn down (retainContextWhenHidden is off) and says 'ready' again
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.onPanelDisposed()),
    );
  }

  protected post(m: ToPanel): void {
    if (!this.panel) return;
    if (this.ready) void this.panel.webview.postMessage(m);
    else this.queue.push(m);
  }

  /** Shows the panel and sends a message that describes its whole state, replayed after a reload. */
  protected showState(m: ToPanel): void {
    this.show();
    this.last = m;
    this.post(m);
  }

  protected abstract onMessage(m: FromPanel): void;
  protected onReady(): void {
    if (this.last) this.post(this.last);
  }

  private onPanelDisposed(): void {
    this.panel = undefined;
    this.ready = false;
    this.queue = [];
    for (const d of this.disposables.splice(0)) d.dispose();
    this.onClose?.();
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
