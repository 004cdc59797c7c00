// The engine's seq2seq requests: fine-tuning (progress as 'seq2seq') and Rewrite Selection (the best
// output so far streams as 'rewrite'; a cancel stops decoding between steps).
import type { EngineProgress, EngineRequest, EngineResponses } from '../shared/engineProtocol';
import { missingCapabilityMessage } from '../shared/modelKinds';
import type { RequestContext } from '../shared/rpc';
import { type LoadedModel, MissingCapabilityError, modelName } from './analysis/loadedModel';
import { rewrite } from './analysis/seq2seqDecode';
import { codecs, Seq2seqLoaded } from './checkpoint/seq2seq';
import type { ModelCache } from './modelCache';
import { finetuneSeq2seq, withSeq2seqDefaults } from './train/tasks/finetuneSeq2seq';

type Req<T extends EngineRequest['type']> = Extract<EngineRequest, { type: T }>;

export async function handleFinetuneSeq2seq(
  req: Req<'finetuneSeq2seq'>,
  ctx: RequestContext,
  models: ModelCache,
): Promise<EngineResponses['finetuneSeq2seq']> {
  const o = withSeq2seqDefaults(req.options);
  models.forget(o.outDir);
  try {
    return await finetuneSeq2seq(o, {
      onLog: (message) => ctx.progress({ type: 'log', message } satisfies EngineProgress),
      onProgress: (progress) => ctx.progress({ type: 'seq2seq', progress } satisfies EngineProgress),
      shouldStop: () => ctx.cancelled,
    });
  } finally {
    models.forget(o.outDir);
  }
}

export async function handleRewrite(
  model: LoadedModel,
  req: Req<'rewrite'>,
  ctx: RequestContext,
): Promise<EngineResponses['rewrite']> {
  if (!(model instanceof Seq2seqLoaded))
    throw new MissingCapabilityError(missingCapabilityMessage(modelName(model.dir), model.kind, 'rewrite'));
  const f = model.folder;
  const { src, tgt } = codecs(f.tokenizers);
  return rewrite(f.model, src, tgt, req.text, {
    beamSize: req.beamSize,
    lengthPenalty: req.lengthPenalty,
    maxLength: req.maxLength,
    maxSourceLength: f.config.maxSourceLength,
    shouldStop: () => ctx.cancelled,
    onText: (text) => ctx.progress({ type: 'rewrite', text } satisfies EngineProgress),
    onnx: model.onnx,
  });
}
