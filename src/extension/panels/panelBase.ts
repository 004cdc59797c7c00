// The shell every editor-area panel shares: a singleton created or revealed in its column, restored by
// a serializer through attach(), and one WebviewRpc channel (the same RPC class as the engine worker's
// and the Embedding Explorer's). What the webview asks is validated and answered; whatever the answer
// throws goes back as an error the webview shows. What the host tells a panel is sent only while its
// page is up: a hidden webview loses its page (retainContextWhenHidden is off), and when it says
// 'ready' again it is sent its whole state (onReady), so nothing is queued and nothing drawn twice.
import * as vscode from 'vscode';
import type { RequestContext } from '../../shared/rpc';
import { log } from '../log';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { WebviewRpc } from './webviewRpc';

export interface PanelOptions<From> {
  viewType: string;
  title: string;
  entry: string; // the webview bundle, dist/webview/<entry>.js
  isMessage: (x: unknown) => x is From;
  column?: vscode.ViewColumn; // Beside unless given
}

export abstract class PanelBase<To, From extends { type: string }> implements vscode.Disposable {
  protected panel: vscode.WebviewPanel | undefined;
  private rpc: WebviewRpc<From> | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private ready = false;
  onClose: (() => void) | undefined;

  constructor(
    protected readonly extensionUri: vscode.Uri,
    private readonly options: PanelOptions<From>,
  ) {}

  get visible(): boolean {
    return this.panel !== undefined;
  }

  /** The page is up and has said 'ready': what is sent now is shown. */
  get isReady(): boolean {
    return this.ready;
  }

  show(preserveFocus = true): void {
    const column = this.options.column ?? vscode.ViewColumn.Beside;
    if (this.panel) {
      this.panel.reveal(this.options.column ? (this.panel.viewColumn ?? column) : column, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      this.options.viewType,
      this.options.title,
      { viewColumn: column, preserveFocus },
      webviewOptions(this.extensionUri),
    );
    this.attach(panel);
  }

  /** Takes over a new panel, or one VS Code restored after a reload. */
  attach(panel: vscode.WebviewPanel): void {
    // a second attach replaces the first panel: its listeners must not pile up
    const old = this.panel;
    this.release();
    if (old && old !== panel) old.dispose();
    this.panel = panel;
    this.ready = false;
    // a panel restored after a reload keeps the title it had; the display language may have changed
    panel.title = this.options.title;
    panel.webview.options = webviewOptions(this.extensionUri);
    panel.webview.html = webviewHtml(
      panel.webview,
      this.extensionUri,
      this.options.entry,
      this.options.title,
    );
    const rpc = new WebviewRpc(
      panel.webview,
      this.options.isMessage,
      (m, ctx) => this.onRequest(m, ctx),
      (s) => log().warn(s),
    );
    this.rpc = rpc;
    this.subs.push(
      rpc,
      panel.onDidChangeViewState(() => {
        if (panel.visible) return;
        this.ready = false;
        rpc.reset();
      }),
      panel.onDidDispose(() => {
        if (this.panel !== panel) return;
        this.release();
        this.onPanelClosed();
        this.onClose?.();
      }),
    );
    this.onAttached();
  }

  private release(): void {
    this.panel = undefined;
    this.rpc = undefined;
    this.ready = false;
    for (const s of this.subs.splice(0)) s.dispose();
  }

  private async onRequest(m: From, ctx: RequestContext): Promise<unknown> {
    if (m.type === 'ready') {
      this.ready = true;
      this.onReady();
      return undefined;
    }
    return this.onMessage(m, ctx);
  }

  /** Tells the page something, if it is up; a page that comes up later is sent its state by onReady. */
  protected notify(m: To): void {
    if (this.ready) this.rpc?.notify(m);
  }

  /** Answers one request of the page other than 'ready'; a throw goes back to it as the error shown. */
  protected abstract onMessage(m: From, ctx: RequestContext): unknown;
  /** The page is up (first load, reload, or shown again): send it its whole state. */
  protected abstract onReady(): void;
  protected onAttached(): void {}
  protected onPanelClosed(): void {}

  dispose(): void {
    this.panel?.dispose();
  }
}

/** A panel whose state is one message (loading, a result, an error), replayed when its page reloads. */
export abstract class StatePanel<To, From extends { type: string }> extends PanelBase<To, From> {
  private last: To | undefined;

  /** Shows the panel and sends it a message that describes its whole state. */
  protected showState(m: To): void {
    this.last = m;
    this.show();
    this.notify(m);
  }

  protected onReady(): void {
    if (this.last) this.notify(this.last);
  }
}
