// The engine's request handler, shared by the worker and tests: a switch over requests, a cache of
// loaded models, one training at a time.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendChoice, VectorsAnswer, VectorsQuery } from '../shared/configs';
import type { EngineProgress, EngineRequest, EngineResponses } from '../shared/engineProtocol';
import { isEngineRequest } from '../shared/engineProtocol';
import { CancelledError, type RequestContext } from '../shared/rpc';
import { computeAttention } from './analysis/attention';
import { contextualOccurrences } from './analysis/contextual';
import { BertPredictor } from './analysis/predictMask';
import { initBackend } from './backend';
import { pretrainBert, withDefaults } from './train/pretrainBert';
import { type LoadedVectors, loadVectors } from './word2vec/formats';
import { pretrainWord2vec, withW2vDefaults } from './word2vec/train';
import { UnknownWordError, type WordVectors } from './word2vec/vectors';

export class EngineService {
  private readonly predictors = new Map<string, { p: BertPredictor; mtime: number }>();
  private readonly loadedVectors = new Map<string, { v: LoadedVectors; stamp: number }>();
  private training = false;

  constructor(private backendChoice: BackendChoice = 'auto') {}

  async handle(body: unknown, ctx: RequestContext): Promise<unknown> {
    if (!isEngineRequest(body))
      throw new Error('The engine received a malformed request; this is a bug in Pretrain Lab.');
    const req: EngineRequest = body;
    switch (req.type) {
      case 'init': {
        this.backendChoice = req.backend;
        const info = await initBackend(req.backend);
        return { backend: info.name, tried: info.tried } satisfies EngineResponses['init'];
      }
      case 'pretrainBert':
        return this.pretrain(req, ctx);
      case 'predictMask': {
        await initBackend(this.backendChoice);
        return this.predictor(req.modelDir).predictMasks(
          req.text,
          req.topK,
        ) satisfies EngineResponses['predictMask'];
      }
      case 'predictWord': {
        await initBackend(this.backendChoice);
        return this.predictor(req.modelDir).predictWord(
          req.text,
          req.start,
          req.end,
          req.topK,
        ) satisfies EngineResponses['predictWord'];
      }
      case 'describeModel': {
        await initBackend(this.backendChoice);
        return this.predictor(req.modelDir).summary satisfies EngineResponses['describeModel'];
      }
      case 'attention': {
        await initBackend(this.backendChoice);
        return computeAttention(
          this.predictor(req.modelDir),
          req.text,
        ) satisfies EngineResponses['attention'];
      }
      case 'pretrainWord2vec':
        return this.pretrainW2v(req, ctx);
      case 'vectorsInfo': {
        const l = this.vectors(req.model);
        const v = l.vectors;
        const info: EngineResponses['vectorsInfo'] = {
          ...l.summary,
          bert: l.bertDir !== undefined,
          top: v.words.slice(0, 20),
        };
        return info;
      }
      case 'vectorsQuery':
        return answer(this.vectors(req.model).vectors, req.query) satisfies EngineResponses['vectorsQuery'];
      case 'vectorsTable': {
        const v = this.vectors(req.model).vectors;
        let ids: number[];
        if (req.words)
          ids = [...new Set(req.words.map((w) => v.index.get(w)).filter((i) => i !== undefined))];
        else ids = Array.from({ length: Math.min(v.size, req.top ?? 1000) }, (_, i) => i);
        const vectors = new Float32Array(ids.length * v.dim);
        ids.forEach((id, j) => {
          vectors.set(v.vectors.subarray(id * v.dim, (id + 1) * v.dim), j * v.dim);
        });
        const t: EngineResponses['vectorsTable'] = {
          words: ids.map((i) => v.words[i]),
          counts: v.counts ? ids.map((i) => v.counts![i]) : undefined,
          dim: v.dim,
          vectors,
          total: v.size,
        };
        return t;
      }
      case 'contextual': {
        await initBackend(this.backendChoice);
        return contextualOccurrences(this.predictor(req.modelDir), req.word, req.files, {
          layer: req.layer,
          max: req.max,
        }) satisfies EngineResponses['contextual'];
      }
      case 'crash':
        process.exit(3);
    }
  }

  private async pretrain(req: Extract<EngineRequest, { type: 'pretrainBert' }>, ctx: RequestContext) {
    if (this.training)
      throw new Error('A training is already running; wait for it to finish or cancel it first.');
    this.training = true;
    try {
      await initBackend(this.backendChoice);
      const opts = withDefaults(req.options);
      this.forget(opts.outDir);
      const send = (p: EngineProgress) => ctx.progress(p);
      const r = await pretrainBert(opts, {
        onLog: (message) => send({ type: 'log', message }),
        onProgress: (progress, sample) => send({ type: 'train', progress, sample }),
        shouldStop: () => ctx.cancelled,
      });
      this.forget(opts.outDir);
      const out: EngineResponses['pretrainBert'] = { status: r.status, step: r.step, summary: r.summary };
      return out;
    } finally {
      this.training = false;
    }
  }

  private async pretrainW2v(req: Extract<EngineRequest, { type: 'pretrainWord2vec' }>, ctx: RequestContext) {
    if (this.training)
      throw new Error('A training is already running; wait for it to finish or cancel it first.');
    this.training = true;
    try {
      const opts = withW2vDefaults(req.options);
      const r = await pretrainWord2vec(opts, {
        onLog: (message) => ctx.progress({ type: 'log', message } satisfies EngineProgress),
        onProgress: (progress) => ctx.progress({ type: 'w2v', progress } satisfies EngineProgress),
        shouldStop: () => ctx.cancelled,
        reportEveryMs: 500,
      });
      this.loadedVectors.delete(path.resolve(opts.outDir));
      const out: EngineResponses['pretrainWord2vec'] = r;
      return out;
    } finally {
      this.training = false;
    }
  }

  /** Word vectors of a model folder or file, reloaded when it changed on disk. */
  vectors(p: string): LoadedVectors {
    const key = path.resolve(p);
    const stamp = vectorsStamp(key);
    const hit = this.loadedVectors.get(key);
    if (hit && hit.stamp === stamp) return hit.v;
    const v = loadVectors(key);
    this.loadedVectors.set(key, { v, stamp });
    return v;
  }

  /** A loaded model, reloaded when its checkpoint changed on disk. */
  predictor(dir: string): BertPredictor {
    const key = path.resolve(dir);
    const stamp = checkpointStamp(key);
    const hit = this.predictors.get(key);
    if (hit && hit.mtime === stamp) return hit.p;
    if (hit) this.forget(key);
    const p = new BertPredictor(key);
    this.predictors.set(key, { p, mtime: stamp });
    return p;
  }

  forget(dir: string): void {
    const key = path.resolve(dir);
    const hit = this.predictors.get(key);
    if (hit) {
      hit.p.dispose();
      this.predictors.delete(key);
    }
  }

  dispose(): void {
    for (const k of [...this.predictors.keys()]) this.forget(k);
  }

  get tensors(): number {
    return tf.memory().numTensors;
  }
}

function vectorsStamp(p: string): number {
  for (const f of [
    path.join(p, 'checkpoint', 'state.json'),
    path.join(p, 'checkpoint', 'trainer_state.json'),
    p,
  ]) {
    try {
      return fs.statSync(f).mtimeMs;
    } catch {}
  }
  return 0;
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

function checkpointStamp(dir: string): number {
  try {
    return fs.statSync(path.join(dir, 'checkpoint', 'trainer_state.json')).mtimeMs;
  } catch {
    return 0;
  }
}

export { CancelledError };
