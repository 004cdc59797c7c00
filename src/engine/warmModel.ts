// warmModel: loads a model into the engine's cache ahead of its first use and, for a left-to-right
// model, runs the first steps of a generation (a prompt of a few tokens, then two tokens, nothing sent
// back), so the person's first Continue with GPT finds the weights loaded and both kinds of decoding
// step (a prompt, then one token at a time) run once. The extension asks for it when a GPT becomes the
// active generator, or another masked LM the active one (modelWarmUp.ts). Skipped
// while a training runs, which keeps the engine's time; a cancel is seen between the two steps.
import type { EngineResponses } from '../shared/engineProtocol';
import type { RequestContext } from '../shared/rpc';
import { generate } from './analysis/generate';
import { type LoadedModel, requireCapability } from './analysis/loadedModel';
import { trainingRuns } from './inferenceShare';

export async function handleWarmModel(
  load: () => Promise<LoadedModel>,
  ctx: RequestContext,
): Promise<EngineResponses['warmModel']> {
  if (trainingRuns()) return { warmed: false, ms: 0 };
  const t0 = performance.now();
  const model = await load();
  if (!ctx.cancelled && model.capabilities.includes('generate'))
    await generate(
      requireCapability(model, 'generate'),
      'Warm up, then go.',
      { maxNewTokens: 2, temperature: 0 },
      { shouldStop: () => ctx.cancelled },
    );
  return { warmed: true, ms: Math.round(performance.now() - t0) };
}
