// The engine's request handler, shared by the worker and tests: a table from request type to handler.
// Models come from the cache by path; a handler asks the loaded model for the capability it needs.
// One training runs at a time.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendChoice, VectorsAnswer, VectorsQuery } from '../shared/configs';
import type { EngineProgress, EngineRequest, EngineResponses } from '../shared/engineProtocol';
import { isEngineRequest } from '../shared/engineProtocol';
import { l10n } from '../shared/l10nCore';
import { handOverOnReply, type RequestContext } from '../shared/rpc';
import { computeAttention } from './analysis/attention';
import { contextualOccurrences } from './analysis/contextual';
import { elmoContextualOccurrences } from './analysis/elmoContextual';
import { type LoadedModel, requireCapability } from './analysis/loadedModel';
import { inferenceLine, initBackend, trainingLine } from './backend';
import { requireTask } from './checkpoint/finetuned';
import { handleElmoLayers, handlePretrainElmo } from './elmoHandlers';
import { handleFinetune } from './finetuneHandler';
import { handleGenerate, handleNextTokens, handlePretrainGpt } from './gptHandler';
import { handleDownloadModel } from './hub/handler';
import { FORWARD_REQUESTS, shareWithTraining, whileTraining } from './inferenceShare';
import { ModelCache } from './modelCache';
import { handleFinetuneSeq2seq, handleRewrite } from './seq2seqHandler';
import { pretrainBert, withDefaults } from './train/pretrainBert';
import { handleWarmModel } from './warmModel';
import { withW2vDefaults } from './word2vec/options';
import { pretrainWord2vec } from './word2vec/train';
import { UnknownWordError, type WordVectors } from './word2vec/vectors';

type RequestOf<T extends EngineRequest['type']> = Extract<EngineRequest, { type: T }>;
type Handler<T extends EngineRequest['type']> = (
  req: RequestOf<T>,
  ctx: RequestContext,
) => Promise<EngineResponses[T]> | EngineResponses[T];
type Handlers = { [T in EngineRequest['type']]: Handler<T> };

export class EngineService {
  readonly models = new ModelCache();
  private training = false;

  constructor(private backendChoice: BackendChoice = 'auto') {}

  private readonly handlers: Handlers = {
    init: async (req) => {
      this.backendChoice = req.backend;
      const info = await initBackend(req.backend);
      const inference = inferenceLine(info);
      return {
        backend: info.name,
        tried: info.tried,
        training: trainingLine(info),
        ...(inference ? { inference } : {}),
      };
    },
    warmModel: (req, ctx) => handleWarmModel(() => this.model(req.modelDir), ctx),
    describeModel: async (req) => {
      const m = await this.model(req.modelDir);
      return { kind: m.kind, capabilities: [...m.capabilities], summary: m.summary };
    },
    predictMask: async (req) =>
      requireCapability(await this.model(req.modelDir), 'predictMask').predictMasks(req.text, req.topK),
    predictWord: async (req) =>
      requireCapability(await this.model(req.modelDir), 'predictMask').predictWord(
        req.text,
        req.start,
        req.end,
        req.topK,
      ),
    attention: async (req) => {
      const t0 = performance.now();
      const model = requireCapability(await this.model(req.modelDir), 'attention');
      const r = computeAttention(model, req.text, { firstLayer: req.firstLayer });
      handOverOnReply(r.weights); // a fresh array, up to 151 MB: moved to the host, not copied
      return { ...r, workerMs: Math.round(performance.now() - t0) };
    },
    contextual: async (req) => {
      const m = await this.model(req.modelDir);
      const opts = { layer: req.layer, max: req.max };
      // an ELMo reads words, not WordPieces: its own reader gives the same answer
      if (m.layerStates) return elmoContextualOccurrences(m.layerStates, req.word, req.files, opts);
      return contextualOccurrences(requireCapability(m, 'contextual'), req.word, req.files, opts);
    },
    vectorsInfo: async (req) => {
      const l = requireCapability(await this.model(req.model), 'embeddings');
      return { ...l.summary, kind: l.kind, label: l.label, top: l.vectors.words.slice(0, 20) };
    },
    vectorsQuery: async (req) =>
      answer(requireCapability(await this.model(req.model), 'embeddings').vectors, req.query),
    vectorsTable: async (req) => {
      const v = requireCapability(await this.model(req.model), 'embeddings').vectors;
      return vectorsTable(v, req.words, req.top);
    },
    pretrainBert: (req, ctx) => this.pretrainBert(req, ctx),
    pretrainWord2vec: (req, ctx) => this.pretrainWord2vec(req, ctx),
    finetune: (req, ctx) =>
      this.oneTraining(async () => {
        await initBackend(this.backendChoice);
        return handleFinetune(req, ctx, this.models);
      }),
    classify: async (req) =>
      requireTask(await this.model(req.modelDir), 'classify').classify(req.text, req.textB),
    tag: async (req) => requireTask(await this.model(req.modelDir), 'tag').tag(req.text),
    pretrainElmo: (req, ctx) =>
      this.oneTraining(async () => {
        await initBackend(this.backendChoice);
        return handlePretrainElmo(req, ctx, this.models);
      }),
    elmoLayers: async (req) => handleElmoLayers(await this.model(req.modelDir), req),
    pretrainGpt: (req, ctx) =>
      this.oneTraining(async () => {
        await initBackend(this.backendChoice);
        return handlePretrainGpt(req, ctx, this.models);
      }),
    generate: async (req, ctx) => handleGenerate(await this.model(req.modelDir), req, ctx),
    nextTokens: async (req) => handleNextTokens(await this.model(req.modelDir), req),
    finetuneSeq2seq: (req, ctx) =>
      this.oneTraining(async () => {
        await initBackend(this.backendChoice);
        return handleFinetuneSeq2seq(req, ctx, this.models);
      }),
    rewrite: async (req, ctx) => handleRewrite(await this.model(req.modelDir), req, ctx),
    downloadModel: (req, ctx) => handleDownloadModel(req, ctx, this.models),
    crash: () => process.exit(3),
  };

  async handle(body: unknown, ctx: RequestContext): Promise<unknown> {
    if (!isEngineRequest(body))
      throw new Error(l10n.t('The engine received a malformed request; this is a bug in Pretrain Lab.'));
    const handler = this.handlers[body.type] as Handler<EngineRequest['type']>;
    // while a training runs, forward passes take turns with it (inferenceShare.ts)
    return FORWARD_REQUESTS.has(body.type) ? shareWithTraining(() => handler(body, ctx)) : handler(body, ctx);
  }

  /** The model at a path, with the tensor backend up (a BERT's weights are tensors). */
  private async model(p: string): Promise<LoadedModel> {
    await initBackend(this.backendChoice);
    return this.models.get(p);
  }

  private async pretrainBert(
    req: RequestOf<'pretrainBert'>,
    ctx: RequestContext,
  ): Promise<EngineResponses['pretrainBert']> {
    return this.oneTraining(async () => {
      await initBackend(this.backendChoice);
      const opts = withDefaults(req.options);
      this.models.forget(opts.outDir);
      const send = (p: EngineProgress) => ctx.progress(p);
      const r = await pretrainBert(opts, {
        onLog: (message) => send({ type: 'log', message }),
        onProgress: (progress, sample) => send({ type: 'train', progress, sample }),
        shouldStop: () => ctx.cancelled,
      });
      this.models.forget(opts.outDir);
      return { status: r.status, step: r.step, summary: r.summary };
    });
  }

  private async pretrainWord2vec(
    req: RequestOf<'pretrainWord2vec'>,
    ctx: RequestContext,
  ): Promise<EngineResponses['pretrainWord2vec']> {
    return this.oneTraining(async () => {
      const opts = withW2vDefaults(req.options);
      this.models.forget(opts.outDir);
      const r = await pretrainWord2vec(opts, {
        onLog: (message) => ctx.progress({ type: 'log', message } satisfies EngineProgress),
        onProgress: (progress) => ctx.progress({ type: 'w2v', progress } satisfies EngineProgress),
        shouldStop: () => ctx.cancelled,
        reportEveryMs: 500,
      });
      this.models.forget(opts.outDir);
      return r;
    });
  }

  private async oneTraining<T>(run: () => Promise<T>): Promise<T> {
    if (this.training)
      throw new Error(l10n.t('A training is already running; wait for it to finish or cancel it first.'));
    this.training = true;
    try {
      return await whileTraining(run);
    } finally {
      this.training = false;
    }
  }

  dispose(): void {
    this.models.dispose();
  }

  get tensors(): number {
    return tf.memory().numTensors;
  }
}

/** Rows of the table: the given words (unknown ones skipped), or the `top` most frequent. */
function vectorsTable(v: WordVectors, words?: string[], top?: number): EngineResponses['vectorsTable'] {
  const ids = words
    ? [...new Set(words.map((w) => v.index.get(w)).filter((i) => i !== undefined))]
    : Array.from({ length: Math.min(v.size, top ?? 1000) }, (_, i) => i);
  const vectors = new Float32Array(ids.length * v.dim);
  ids.forEach((id, j) => {
    vectors.set(v.vectors.subarray(id * v.dim, (id + 1) * v.dim), j * v.dim);
  });
  const counts = v.counts;
  return {
    words: ids.map((i) => v.words[i]),
    counts: counts ? ids.map((i) => counts[i]) : undefined,
    dim: v.dim,
    vectors,
    total: v.size,
  };
}

/** One query on word vectors; an unknown word is an answer with suggestions, not a failure. */
export function answer(v: WordVectors, q: VectorsQuery): VectorsAnswer {
  try {
    switch (q.op) {
      case 'neighbours':
        return { neighbours: v.neighbours(q.word.trim(), Math.min(q.k, 200)) };
      case 'analogy':
        return { neighbours: v.analogy(q.a.trim(), q.b.trim(), q.c.trim(), Math.min(q.k, 200), q.method) };
      case 'similarity':
        return { similarity: v.similarity(q.a.trim(), q.b.trim()) };
      case 'doesntMatch': {
        const r = v.doesntMatch(q.words.map((w) => w.trim()).filter(Boolean));
        return { odd: r.word, neighbours: r.scores };
      }
      case 'search': {
        const r = v.search(q.query, q.regex, q.limit);
        return { words: r.words, total: r.total };
      }
    }
  } catch (e) {
    if (e instanceof UnknownWordError) return { error: e.message, suggestions: e.suggestions };
    return { error: (e as Error).message };
  }
}
