// What every folder of a model trained in steps (BERT, GPT, ELMo; fine-tuned folders through bert.ts)
// shares: checkpoint/ with weights.bin + weights.json, optimizer_m/v.bin + optimizer.json and
// trainer_state.json written last, the whole folder swapped in atomically (io/atomic.ts); metrics.jsonl
// beside it. Each family adds its own config.json and tokenizer files and the checksums that bind them
// to the weights (the `header` record of the manifest).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import { l10n } from '../../shared/l10nCore';
import { completeFolder, replaceFolderAtomic, writeFileAtomic } from '../io/atomic';
import { isRecord, ModelFolderError, readModelJson, sha256 } from './files';
import {
  disposeAll,
  readManifest,
  readWeightFile,
  toTensors,
  type WeightEntry,
  writeTensors,
} from './tensorFile';

/** Key of the manifests' `sha256` record for the hash of the config fields that change answers. */
export const CONFIG_KEY = 'config.json (model fields)';

/** trainer_state.json: where a run stands, so a resumed one goes on from there. */
export interface TrainerStateOf<Progress> {
  step: number;
  totalSteps: number;
  rngState: number;
  options: Record<string, unknown>;
  lastMetrics?: Progress;
  finished: boolean;
  savedAt: string;
}

/** The summary of a folder trained in steps, from its config file and trainer state (no weights read). */
export function stepTrainedSummary<Type extends string, Config extends { vocabSize: number }, Progress>(
  dir: string,
  type: Type,
  cfg: { preset?: string; corpus?: string[]; createdAt?: string },
  config: Config,
  parameters: number,
  state: TrainerStateOf<Progress> | undefined,
) {
  return {
    dir,
    type,
    preset: cfg.preset,
    config,
    vocabSize: config.vocabSize,
    parameters,
    corpus: cfg.corpus,
    steps: state?.step ?? 0,
    totalSteps: state?.totalSteps,
    finalMetrics: state?.lastMetrics,
    createdAt: cfg.createdAt,
  };
}

export interface CheckpointOf<State> {
  weights: Map<string, tf.Tensor>;
  m?: Map<string, tf.Tensor>;
  v?: Map<string, tf.Tensor>;
  state: State;
}

export type Optimizer = { m: Map<string, tf.Tensor>; v: Map<string, tf.Tensor> };

/** The checkpoint folder to read: checkpoint/, or checkpoint.old/ when a crash hit between renames. */
export function checkpointDir(dir: string): string | undefined {
  return completeFolder(dir, 'checkpoint', 'trainer_state.json');
}

/** The checksum of a config's model fields (a JSON string of them), as stored under CONFIG_KEY. */
export function configChecksum(fields: string): string {
  return sha256(Buffer.from(fields));
}

/**
 * Writes checkpoint/ atomically: a temporary folder swapped in (the previous one is removed after).
 * `header`: checksums of the folder's other files, kept in the weight manifest beside weights.bin's.
 */
export function writeCheckpoint<State>(
  dir: string,
  names: string[],
  c: CheckpointOf<State>,
  header: Record<string, string>,
): void {
  replaceFolderAtomic(dir, 'checkpoint', (tmp) => {
    const w = writeTensors(path.join(tmp, 'weights.bin'), names, c.weights);
    const manifest = { dtype: 'float32', weights: w.entries, sha256: { 'weights.bin': w.sha256, ...header } };
    fs.writeFileSync(path.join(tmp, 'weights.json'), JSON.stringify(manifest, null, 1));
    if (c.m && c.v) {
      const m = writeTensors(path.join(tmp, 'optimizer_m.bin'), names, c.m);
      const s = writeTensors(path.join(tmp, 'optimizer_v.bin'), names, c.v);
      const om = {
        algorithm: 'adamw',
        weights: m.entries,
        sha256: { 'optimizer_m.bin': m.sha256, 'optimizer_v.bin': s.sha256 },
      };
      fs.writeFileSync(path.join(tmp, 'optimizer.json'), JSON.stringify(om, null, 1));
    }
    // written last: its presence marks the folder complete (see checkpointDir)
    fs.writeFileSync(path.join(tmp, 'trainer_state.json'), JSON.stringify(c.state, null, 2));
  });
}

/** trainer_state.json of the folder's checkpoint, or undefined before the first one. */
export function readTrainerStateOf<State>(dir: string): State | undefined {
  const ck = checkpointDir(dir);
  if (!ck) return undefined;
  const file = path.join(ck, 'trainer_state.json');
  const raw = readModelJson(file);
  if (!isRecord(raw) || typeof raw.step !== 'number')
    throw new ModelFolderError(
      l10n.t('{0} has no step count; the checkpoint is damaged, so restore it or retrain.', file),
    );
  return raw as unknown as State;
}

export function requireModelDir(dir: string): void {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new ModelFolderError(
      l10n.t('The model folder {0} does not exist; pick an existing model or pretrain one.', dir),
    );
}

/** The folder's checkpoint and its checked weight manifest; `hint` says what to do when there is none. */
export function readCheckpointManifest(
  dir: string,
  hint = l10n.t('train it for at least one checkpoint'),
): { ck: string; manifestFile: string; entries: WeightEntry[]; sha256: Record<string, unknown> } {
  const ck = checkpointDir(dir);
  if (!ck)
    throw new ModelFolderError(l10n.t('{0} has no checkpoint/ folder with weights yet; {1}.', dir, hint));
  const manifestFile = path.join(ck, 'weights.json');
  const { entries, sha256: sums } = readManifest(manifestFile);
  return { ck, manifestFile, entries, sha256: sums };
}

/** Refuses a config.json whose model fields are not those the weights were saved with. */
export function checkConfigChecksum(
  dir: string,
  sums: Record<string, unknown>,
  fields: string,
  changed = '',
): void {
  if (sums[CONFIG_KEY] !== undefined && sums[CONFIG_KEY] !== configChecksum(fields))
    throw new ModelFolderError(
      l10n.t(
        '{0}/config.json describes another model than the one its weights were saved with{1}; restore the config.json saved with them or retrain.',
        dir,
        changed,
      ),
    );
}

/** A config.json read against its schema; `what` names the config in the error ("GPT model"). */
export function readConfigFile<S extends v.GenericSchema>(
  dir: string,
  schema: S,
  what: string,
  validate: (c: v.InferOutput<S>) => void,
): v.InferOutput<S> {
  const file = path.join(dir, 'config.json');
  const r = v.safeParse(schema, readModelJson(file));
  if (!r.success) {
    const where = r.issues[0].path?.map((p) => p.key).join('.') ?? 'top';
    throw new ModelFolderError(
      l10n.t(
        '{0} is not a complete {1} config ({2}: {3}); restore it or retrain.',
        file,
        what,
        where,
        r.issues[0].message,
      ),
    );
  }
  checkedConfig(file, () => validate(r.output));
  return r.output;
}

/** Runs a family's config check, its error restated as a damaged config.json. */
export function checkedConfig(file: string, validate: () => void): void {
  try {
    validate();
  } catch (e) {
    throw new ModelFolderError(
      l10n.t('{0} is damaged ({1}); restore it or retrain.', file, (e as Error).message.replace(/\.$/, '')),
    );
  }
}

/** The optimizer manifest must list the same tensors as weights.json. */
function sameTensors(ck: string, weights: WeightEntry[], optimizer: WeightEntry[]): void {
  const same =
    optimizer.length === weights.length &&
    optimizer.every((e, i) => e.name === weights[i].name && e.shape.join(',') === weights[i].shape.join(','));
  if (!same)
    throw new ModelFolderError(
      l10n.t(
        '{0}/optimizer.json lists other tensors than weights.json; the checkpoint is damaged, so restore it or retrain.',
        ck,
      ),
    );
}

/**
 * weights.bin as tensors, and optimizer_m/v.bin too when asked for and present; `checkOptimizer`
 * checks optimizer.json's tensors (by default: the same as weights.json's). On an error nothing is
 * left allocated.
 */
export function readCheckpointTensors(
  ck: string,
  entries: WeightEntry[],
  sums: Record<string, unknown>,
  withOptimizer: boolean | undefined,
  checkOptimizer: (file: string, entries: WeightEntry[]) => void = (_f, om) => sameTensors(ck, entries, om),
): { weights: Map<string, tf.Tensor>; optimizer?: Optimizer } {
  const weights = toTensors(
    readWeightFile(path.join(ck, 'weights.bin'), entries, sums['weights.bin']),
    entries,
  );
  if (!withOptimizer || !fs.existsSync(path.join(ck, 'optimizer.json'))) return { weights };
  let m: Map<string, tf.Tensor> | undefined;
  try {
    const om = readManifest(path.join(ck, 'optimizer.json'));
    checkOptimizer(path.join(ck, 'optimizer.json'), om.entries);
    m = toTensors(
      readWeightFile(path.join(ck, 'optimizer_m.bin'), om.entries, om.sha256['optimizer_m.bin']),
      om.entries,
    );
    const s = toTensors(
      readWeightFile(path.join(ck, 'optimizer_v.bin'), om.entries, om.sha256['optimizer_v.bin']),
      om.entries,
    );
    return { weights, optimizer: { m, v: s } };
  } catch (e) {
    disposeAll(weights, m);
    throw e;
  }
}

export function disposeCheckpointTensors(f: {
  weights: Map<string, tf.Tensor>;
  optimizer?: Optimizer;
}): void {
  disposeAll(f.weights, f.optimizer?.m, f.optimizer?.v);
}

/** Rows of one [V, D] table of weights.bin, read without TensorFlow (the whole file, for its checksum). */
export function readTable(
  ck: string,
  entries: WeightEntry[],
  sums: Record<string, unknown>,
  e: WeightEntry,
): { dim: number; vectors: Float32Array } {
  const all = readWeightFile(path.join(ck, 'weights.bin'), entries, sums['weights.bin']);
  const [V, D] = e.shape;
  return { dim: D, vectors: all.slice(e.offset, e.offset + V * D) };
}

export function appendMetrics(dir: string, p: object): void {
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), `${JSON.stringify(p)}\n`);
}

/** Drops metric lines after `step` (a resumed run repeats the steps after its checkpoint). */
export function keepMetricsUpTo(dir: string, step: number): void {
  const f = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(f)) return;
  const lines = fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const kept = lines.filter((line) => {
    try {
      const p: unknown = JSON.parse(line);
      return isRecord(p) && typeof p.step === 'number' && p.step <= step;
    } catch {
      return false; // a line cut by a crash mid-append
    }
  });
  if (kept.length === lines.length) return;
  writeFileAtomic(f, kept.map((l) => `${l}\n`).join(''));
}
