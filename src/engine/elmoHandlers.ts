// The engine's ELMo requests (service.ts dispatches here): pretraining, and the ELMo Layers panel's
// view of a selection (three layers per token, compared with the word's other occurrences).
import type { EngineProgress, EngineRequest, EngineResponses } from '../shared/engineProtocol';
import type { RequestContext } from '../shared/rpc';
import { elmoOccurrences, requireLayerStates } from './analysis/elmoLayers';
import { type LoadedModel, modelName } from './analysis/loadedModel';
import type { ModelCache } from './modelCache';
import { elmoWithDefaults, pretrainElmo } from './train/tasks/pretrainElmo';

type RequestOf<T extends EngineRequest['type']> = Extract<EngineRequest, { type: T }>;

export async function handlePretrainElmo(
  req: RequestOf<'pretrainElmo'>,
  ctx: RequestContext,
  models: ModelCache,
): Promise<EngineResponses['pretrainElmo']> {
  const opts = elmoWithDefaults(req.options);
  models.forget(opts.outDir);
  const r = await pretrainElmo(opts, {
    onLog: (message) => ctx.progress({ type: 'log', message } satisfies EngineProgress),
    onProgress: (progress) => ctx.progress({ type: 'elmo', progress } satisfies EngineProgress),
    shouldStop: () => ctx.cancelled,
  });
  models.forget(opts.outDir);
  return { status: r.status, step: r.step, summary: r.summary };
}

export function handleElmoLayers(
  model: LoadedModel,
  req: RequestOf<'elmoLayers'>,
): EngineResponses['elmoLayers'] {
  const states = requireLayerStates(model);
  const r = elmoOccurrences(states, req.text, req.files);
  return {
    model: modelName(model.dir),
    text: req.text,
    numLayers: states.numLayers,
    tokens: r.tokens,
    truncated: r.truncated,
    maxTokens: states.maxTokens,
    occurrences: r.occurrences,
    mixes: [], // a task's scalar mix arrives with ELMo as a fine-tune base (not in this version)
  };
}
