// The worker_threads entry: one RPC endpoint over the parent port, answered by the engine service.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendChoice } from '../shared/configs';
import { configureL10n } from '../shared/l10nCore';
import { RpcEndpoint } from '../shared/rpc';
import { EngineService } from './service';

if (!parentPort) throw new Error('worker.js must run in a worker thread.');
const port = parentPort;
const data = workerData as { backend?: BackendChoice; l10n?: Record<string, string> } | undefined;
const backend = (data?.backend ?? 'auto') as BackendChoice;
// the extension's l10n bundle (VS Code's display language): engine messages in the user's language
configureL10n(data?.l10n);
const service = new EngineService(backend);
const rpc = new RpcEndpoint(
  (m, transfer) => port.postMessage(m, transfer),
  (body, ctx) => service.handle(body, ctx),
);
port.on('message', (m) => rpc.handle(m));
