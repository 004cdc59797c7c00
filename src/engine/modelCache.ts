// Loaded models by path: loaded on first use, reloaded when their checkpoint changes on disk (a
// training wrote a new one), disposed when replaced or forgotten, so their tensors are freed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { type LoadedModel, VectorsModel } from './analysis/loadedModel';
import { resolveModelPath } from './checkpoint/registry';
import { loadVectorFile } from './word2vec/formats';

/** A model folder of a known kind, a word-vector file, or a folder holding one (see resolveModelPath). */
export function openAnyModel(p: string): LoadedModel {
  const r = resolveModelPath(p);
  return r.type === 'vectors' ? new VectorsModel(loadVectorFile(r.file)) : r.handler.load(r.dir);
}

/**
 * What changes when a new checkpoint is swapped in: the inode and time of its last-written file
 * (BERT's trainer_state.json, word2vec's state.json), or of the path itself for a vector file.
 */
export function checkpointStamp(p: string): string {
  for (const f of [
    path.join(p, 'checkpoint', 'trainer_state.json'),
    path.join(p, 'checkpoint', 'state.json'),
    path.join(p, 'checkpoint.old', 'trainer_state.json'),
    path.join(p, 'checkpoint.old', 'state.json'),
    path.join(p, 'model.safetensors.index.json'), // a Hugging Face folder: its weights
    path.join(p, 'model.safetensors'),
    path.join(p, 'config.json'),
    p,
  ]) {
    try {
      const s = fs.statSync(f);
      if (s.isFile()) return `${f}:${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      // not this one
    }
  }
  return 'missing';
}

export class ModelCache {
  private readonly models = new Map<string, { model: LoadedModel; stamp: string }>();

  constructor(private readonly open: (p: string) => LoadedModel = openAnyModel) {}

  /** The model at p (folder or vector file), reloaded if its checkpoint changed since it was loaded. */
  get(p: string): LoadedModel {
    const key = path.resolve(p);
    const stamp = checkpointStamp(key);
    const hit = this.models.get(key);
    if (hit && hit.stamp === stamp) return hit.model;
    this.forget(key);
    const model = this.open(key);
    this.models.set(key, { model, stamp });
    return model;
  }

  /** Disposes the model at p, if loaded (before a training writes to its folder, or after). */
  forget(p: string): void {
    const key = path.resolve(p);
    const hit = this.models.get(key);
    if (!hit) return;
    this.models.delete(key);
    hit.model.dispose();
  }

  get size(): number {
    return this.models.size;
  }

  dispose(): void {
    for (const k of [...this.models.keys()]) this.forget(k);
  }
}
