// Starts the engine worker lazily, sends typed requests, maps VS Code cancellation to engine cancel,
// and restarts a worker that crashed (telling the user once).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { BackendChoice } from '../shared/configs';
import type { EngineProgress, EngineRequest, EngineResponses } from '../shared/engineProtocol';
import { RpcEndpoint } from '../shared/rpc';
import { log } from './log';

export interface CallOptions {
  token?: vscode.CancellationToken;
  onProgress?: (p: EngineProgress) => void;
}

export class EngineClient implements vscode.Disposable {
  private worker: Worker | undefined;
  private rpc: RpcEndpoint | undefined;
  private starting: Promise<RpcEndpoint> | undefined;
  private readonly backendEmitter = new vscode.EventEmitter<string>();
  readonly onBackend = this.backendEmitter.event;
  backend: string | undefined;
  /** What runs forward-only work ("onnxruntime 1.30.0 (2 threads; …)"), when it is not the tfjs backend. */
  inference: string | undefined;
  /** What trains: the tfjs backend, with "+ onnxruntime matrix products" when they are on. */
  training: string | undefined;
  restarts = 0;

  constructor(
    private readonly extensionPath: string,
    private readonly backendSetting: () => BackendChoice,
  ) {}

  private start(): Promise<RpcEndpoint> {
    if (this.rpc) return Promise.resolve(this.rpc);
    this.starting ??= (async () => {
      const file = path.join(this.extensionPath, 'dist', 'worker.js');
      const choice = this.backendSetting();
      // the bundle of VS Code's display language (undefined in English): the engine's messages follow it
      const l10nBundle = vscode.l10n.bundle;
      const worker = new Worker(file, { workerData: { backend: choice, l10n: l10nBundle } });
      const rpc = new RpcEndpoint((m) => worker.postMessage(m));
      worker.on('message', (m) => rpc.handle(m));
      worker.on('error', (e) => log().error(`Engine error: ${e.message}`));
      worker.on('exit', (code) => {
        if (this.rpc !== rpc)
          rpc.failAll(
            vscode.l10n.t(
              'The Pretrain Lab engine could not start (exit code {0}); see the Pretrain Lab log.',
              code,
            ),
          );
        this.onExit(worker, code);
      });
      this.worker = worker;
      const info = (await rpc.request({
        type: 'init',
        backend: choice,
      } satisfies EngineRequest)) as EngineResponses['init'];
      if (this.worker !== worker)
        throw new Error(vscode.l10n.t('The engine stopped while it was starting; try again.'));
      this.rpc = rpc; // only once the backend is up, so that callers never see a half-started engine
      this.backend = info.backend;
      this.inference = info.inference;
      this.training = info.training ?? info.backend;
      const skipped = info.tried.filter((t) => t.error).map((t) => `${t.name}: ${t.error}`);
      const skippedPart = skipped.length ? vscode.l10n.t(' (skipped {0})', skipped.join('; ')) : '';
      const inferencePart = info.inference
        ? vscode.l10n.t('; inference: {0} · training: {1}', info.inference, this.training)
        : '';
      log().info(
        vscode.l10n.t('Engine started on the {0} backend{1}{2}.', info.backend, skippedPart, inferencePart),
      );
      this.backendEmitter.fire(info.backend);
      return rpc;
    })();
    return this.starting.finally(() => {
      this.starting = undefined;
    });
  }

  private onExit(worker: Worker, code: number): void {
    if (worker !== this.worker) return; // a deliberate restart
    const rpc = this.rpc;
    this.worker = undefined;
    this.rpc = undefined;
    this.backend = undefined;
    this.inference = undefined;
    this.training = undefined;
    this.restarts++;
    const msg = vscode.l10n.t(
      'The Pretrain Lab engine stopped unexpectedly (exit code {0}); it restarts on the next request.',
      code,
    );
    log().error(msg);
    rpc?.failAll(msg);
    void vscode.window.showWarningMessage(msg);
  }

  async call<T extends EngineRequest['type']>(
    req: Extract<EngineRequest, { type: T }>,
    opts: CallOptions = {},
  ): Promise<EngineResponses[T]> {
    const rpc = await this.start();
    const ac = new AbortController();
    const sub = opts.token?.onCancellationRequested(() => ac.abort());
    try {
      return (await rpc.request(req, {
        signal: ac.signal,
        onProgress: (b) => opts.onProgress?.(b as EngineProgress),
      })) as EngineResponses[T];
    } finally {
      sub?.dispose();
    }
  }

  /** Starts the engine now (to show the backend), without waiting for anything else. */
  async warmUp(): Promise<void> {
    await this.start();
  }

  async restart(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.rpc?.failAll(vscode.l10n.t('The engine was restarted.'));
    this.rpc = undefined;
    this.backend = undefined;
    this.inference = undefined;
    this.training = undefined;
    await w?.terminate();
  }

  dispose(): void {
    void this.restart();
    this.backendEmitter.dispose();
  }
}
