// The engine's request handler, shared by the worker and tests: a switch over requests, a cache of
// loaded models, one training at a time.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendChoice } from '../shared/configs';
import type { EngineProgress, EngineRequest, EngineResponses } from '../shared/engineProtocol';
import { isEngineRequest } from '../shared/engineProtocol';
import { CancelledError, type RequestContext } from '../shared/rpc';
import { computeAttention } from './analysis/attention';
import { BertPredictor } from './analysis/predictMask';
import { initBackend } from './backend';
import { pretrainBert, withDefaults } from './train/pretrainBert';

export class EngineService {
  private readonly predictors = new Map<string, { p: BertPredictor; mtime: number }>();
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

function checkpointStamp(dir: string): number {
  try {
    return fs.statSync(path.join(dir, 'checkpoint', 'trainer_state.json')).mtimeMs;
  } catch {
    return 0;
  }
}

export { CancelledError };
