// The host end of a webview's channel: the same RpcEndpoint as the engine worker's. Every request from
// the webview is validated before the handler sees it; whatever the handler throws goes back as an
// error with its message, so the webview can show it. What the host pushes are requests too, answered
// by the webview's handler. A webview that is hidden loses its page (retainContextWhenHidden is off)
// and starts over with request id 1, so each page gets its own endpoint: answers meant for the old
// page are dropped instead of reaching the new one.
import * as vscode from 'vscode';
import { type RequestContext, RpcEndpoint } from '../../shared/rpc';

export type WebviewRequestHandler<From> = (m: From, ctx: RequestContext) => Promise<unknown>;

export class WebviewRpc<From> implements vscode.Disposable {
  private endpoint: RpcEndpoint;
  private page = 0;
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly webview: vscode.Webview,
    private readonly isMessage: (x: unknown) => x is From,
    private readonly handler: WebviewRequestHandler<From>,
    private readonly log?: (message: string) => void,
  ) {
    this.endpoint = this.makeEndpoint();
    this.sub = webview.onDidReceiveMessage((m: unknown) => this.endpoint.handle(m));
  }

  private makeEndpoint(): RpcEndpoint {
    const page = ++this.page;
    return new RpcEndpoint(
      (m) => {
        if (page === this.page) void this.webview.postMessage(m);
      },
      async (body, ctx) => {
        if (!this.isMessage(body)) {
          this.log?.(`A webview sent a malformed request: ${JSON.stringify(body)?.slice(0, 200)}`);
          throw new Error(
            vscode.l10n.t('The view sent a request Pretrain Lab does not understand; reload the window.'),
          );
        }
        return this.handler(body, ctx);
      },
    );
  }

  /** The webview's page is gone (hidden or reloaded): forget what it asked and what it was told. */
  reset(): void {
    const old = this.endpoint;
    this.endpoint = this.makeEndpoint();
    old.failAll(vscode.l10n.t('The view was closed before it answered.'));
  }

  /** Asks the webview; rejects with the webview's error. */
  request(body: unknown): Promise<unknown> {
    return this.endpoint.request(body);
  }

  /** Tells the webview something; a failure there is logged, not thrown. */
  notify(body: unknown): void {
    const page = this.page;
    this.endpoint.request(body).catch((e: Error) => {
      // a page that went away is not a failure: the next page is sent the whole state when it is ready
      if (page === this.page) this.log?.(`A view failed to show an update: ${e.message}`);
    });
  }

  dispose(): void {
    this.sub.dispose();
    this.page++;
    this.endpoint.failAll(vscode.l10n.t('The view was closed.'));
  }
}
