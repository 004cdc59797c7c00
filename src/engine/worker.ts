// The worker_threads entry: one RPC endpoint over the parent port, answered by the engine service.
import { parentPort, workerData } from 'node:worker_threads';
import type { BackendChoice } from '../shared/configs';
import { RpcEndpoint } from '../shared/rpc';
import { EngineService } from './service';

if (!parentPort) throw new Error('worker.js must run in a worker thread.');
const port = parentPort;
const backend = ((workerData as { backend?: BackendChoice } | undefined)?.backend ?? 'auto') as BackendChoice;
const service = new EngineService(backend);
const rpc = new RpcEndpoint(
  (m) => port.postMessage(m),
  (body, ctx) => service.handle(body, ctx),
);
port.on('message', (m) => rpc.handle(m));
