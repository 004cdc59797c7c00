// The engine's `finetune` request: runs a fine-tune with the worker's progress channel and forgets the
// output folder in the model cache before and after, so the next request loads the new weights.
import type { EngineProgress, EngineRequest, EngineResponses } from '../shared/engineProtocol';
import type { RequestContext } from '../shared/rpc';
import type { ModelCache } from './modelCache';
import { finetune, withFinetuneDefaults } from './train/tasks/finetune';

export async function handleFinetune(
  req: Extract<EngineRequest, { type: 'finetune' }>,
  ctx: RequestContext,
  models: ModelCache,
): Promise<EngineResponses['finetune']> {
  const o = withFinetuneDefaults(req.options);
  models.forget(o.outDir);
  try {
    return await finetune(o, {
      onLog: (message) => ctx.progress({ type: 'log', message } satisfies EngineProgress),
      onProgress: (progress) => ctx.progress({ type: 'finetune', progress } satisfies EngineProgress),
      shouldStop: () => ctx.cancelled,
    });
  } finally {
    models.forget(o.outDir);
  }
}
