// The engine's GPT requests: `pretrainGpt` (with the worker's progress channel, the output folder
// forgotten in the model cache before and after), `generate` (the continuation streamed as progress,
// cancellable between tokens) and `nextTokens`.
import type { EngineProgress, EngineRequest, EngineResponses } from '../shared/engineProtocol';
import type { RequestContext } from '../shared/rpc';
import { generate } from './analysis/generate';
import { type LoadedModel, requireCapability } from './analysis/loadedModel';
import { nextTokens } from './analysis/nextToken';
import type { ModelCache } from './modelCache';
import { pretrainGpt, withGptDefaults } from './train/tasks/pretrainGpt';

type Req<T extends EngineRequest['type']> = Extract<EngineRequest, { type: T }>;

export async function handlePretrainGpt(
  req: Req<'pretrainGpt'>,
  ctx: RequestContext,
  models: ModelCache,
): Promise<EngineResponses['pretrainGpt']> {
  const o = withGptDefaults(req.options);
  models.forget(o.outDir);
  try {
    const r = await pretrainGpt(o, {
      onLog: (message) => ctx.progress({ type: 'log', message } satisfies EngineProgress),
      onProgress: (progress) => ctx.progress({ type: 'gpt', progress } satisfies EngineProgress),
      shouldStop: () => ctx.cancelled,
    });
    return { status: r.status, step: r.step, summary: r.summary };
  } finally {
    models.forget(o.outDir);
  }
}

export function handleGenerate(
  model: LoadedModel,
  req: Req<'generate'>,
  ctx: RequestContext,
): Promise<EngineResponses['generate']> {
  const lm = requireCapability(model, 'generate');
  return generate(
    lm,
    req.text,
    {
      maxNewTokens: req.maxNewTokens,
      temperature: req.temperature,
      topK: req.topK,
      topP: req.topP,
      seed: req.seed,
    },
    {
      onText: (text) => ctx.progress({ type: 'generate', text } satisfies EngineProgress),
      shouldStop: () => ctx.cancelled,
    },
  );
}

export function handleNextTokens(model: LoadedModel, req: Req<'nextTokens'>): EngineResponses['nextTokens'] {
  return nextTokens(requireCapability(model, 'generate'), req.text, req.topK);
}
