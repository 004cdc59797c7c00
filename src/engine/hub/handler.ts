// The engine's `downloadModel` request: the download runs in the worker, its progress streams to the
// extension host as 'download' events, and the host's cancel aborts the transfer (part files kept).
import type { EngineProgress, EngineRequest, EngineResponses } from '../../shared/engineProtocol';
import type { RequestContext } from '../../shared/rpc';
import type { ModelCache } from '../modelCache';
import { downloadModel } from './download';

export async function handleDownloadModel(
  req: Extract<EngineRequest, { type: 'downloadModel' }>,
  ctx: RequestContext,
  models: ModelCache,
): Promise<EngineResponses['downloadModel']> {
  const ac = new AbortController();
  ctx.onCancel(() => ac.abort());
  models.forget(req.outDir); // an earlier download of the same model is replaced
  const r = await downloadModel({
    modelId: req.modelId,
    revision: req.revision,
    endpoint: req.endpoint,
    token: req.token,
    outDir: req.outDir,
    signal: ac.signal,
    onProgress: (progress) => ctx.progress({ type: 'download', progress } satisfies EngineProgress),
    onLog: (message) => ctx.progress({ type: 'log', message } satisfies EngineProgress),
  });
  models.forget(r.dir);
  return r;
}
