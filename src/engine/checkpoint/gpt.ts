// The GPT model folder: config.json, vocab.json + merges.txt (GPT-2's tokenizer files), metrics.jsonl
// and checkpoint/ (weights.bin + weights.json, optimizer state, trainer_state.json). As BERT's: the
// checkpoint is swapped in atomically (io/atomic.ts); its manifest carries a SHA-256 of weights.bin,
// of vocab.json, of merges.txt and of the config fields that change answers, all checked on load,
// with the tensor names and shapes against config.json and every value finite.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import type { GptConfig, GptProgress, ModelSummary } from '../../shared/configs';
import { KINDS } from '../../shared/modelKinds';
import { GptModel } from '../analysis/gptModel';
import { completeFolder, replaceFolderAtomic, writeFileAtomic } from '../io/atomic';
import { gptParamCount, gptParamShapes, TOKEN_EMBEDDING, validateGptConfig } from '../models/gpt';
import { BpeTokenizer } from '../tokenizer/bpe';
import { type LoadedVectors, WordVectors } from '../word2vec/vectors';
import {
  isRecord,
  ModelFolderError,
  readModelFile,
  readModelJson,
  sha256,
  textChecksum,
  verifyChecksum,
} from './files';
import type { KindHandler } from './registry';
import {
  disposeAll,
  readManifest,
  readWeightFile,
  toTensors,
  type WeightEntry,
  writeTensors,
} from './tensorFile';

export const GPT_FORMAT = 'pretrain-lab/gpt';
export const GPT_FORMAT_VERSION = 1;

const GptConfigSchema = v.object({
  vocabSize: v.number(),
  hiddenSize: v.number(),
  numLayers: v.number(),
  numHeads: v.number(),
  intermediateSize: v.number(),
  maxPositions: v.number(),
  norm: v.picklist(['pre', 'post']),
  dropout: v.number(),
  layerNormEps: v.number(),
  initializerRange: v.number(),
});

const GptConfigFileSchema = v.object({
  format: v.literal(GPT_FORMAT),
  formatVersion: v.number(),
  modelType: v.literal('gpt'),
  preset: v.optional(v.string()),
  gpt: GptConfigSchema,
  tokenizer: v.object({ type: v.literal('byte-level-bpe'), chinese: v.literal('chars') }),
  corpus: v.optional(v.array(v.string())),
  createdAt: v.string(),
});
export type GptConfigFile = v.InferOutput<typeof GptConfigFileSchema>;

export interface GptTrainerState {
  step: number;
  totalSteps: number;
  rngState: number;
  options: Record<string, unknown>;
  lastMetrics?: GptProgress;
  finished: boolean;
  savedAt: string;
}

const VOCAB_KEY = 'vocab.json';
const MERGES_KEY = 'merges.txt';
const CONFIG_KEY = 'config.json (model fields)';

function modelFields(c: GptConfigFile): string {
  const g = c.gpt;
  return JSON.stringify([
    g.vocabSize,
    g.hiddenSize,
    g.numLayers,
    g.numHeads,
    g.intermediateSize,
    g.maxPositions,
    g.norm,
    g.layerNormEps,
  ]);
}

export function writeGptHeader(dir: string, config: GptConfigFile, tok: BpeTokenizer): void {
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  tok.save(dir, writeFileAtomic);
}

export interface GptCheckpointContent {
  weights: Map<string, tf.Tensor>;
  m?: Map<string, tf.Tensor>;
  v?: Map<string, tf.Tensor>;
  state: GptTrainerState;
}

/** Writes checkpoint/ atomically; the header (config.json, vocab.json, merges.txt) must be in place. */
export function saveGptCheckpoint(dir: string, names: string[], c: GptCheckpointContent): void {
  const config = readGptConfig(dir);
  const header = {
    [VOCAB_KEY]: textChecksum(fs.readFileSync(path.join(dir, 'vocab.json'))),
    [MERGES_KEY]: textChecksum(fs.readFileSync(path.join(dir, 'merges.txt'))),
    [CONFIG_KEY]: sha256(Buffer.from(modelFields(config))),
  };
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
    // written last: its presence marks the folder complete
    fs.writeFileSync(path.join(tmp, 'trainer_state.json'), JSON.stringify(c.state, null, 2));
  });
}

export function gptCheckpointDir(dir: string): string | undefined {
  return completeFolder(dir, 'checkpoint', 'trainer_state.json');
}

export function readGptConfig(dir: string): GptConfigFile {
  const file = path.join(dir, 'config.json');
  const raw = readModelJson(file);
  const r = v.safeParse(GptConfigFileSchema, raw);
  if (!r.success) {
    const where = r.issues[0].path?.map((p) => p.key).join('.') ?? 'top';
    throw new ModelFolderError(
      `${file} is not a complete GPT model config (${where}: ${r.issues[0].message}); restore it or retrain.`,
    );
  }
  try {
    validateGptConfig(r.output.gpt);
  } catch (e) {
    throw new ModelFolderError(
      `${file} is damaged (${(e as Error).message.replace(/\.$/, '')}); restore it or retrain.`,
    );
  }
  return r.output;
}

export function readGptTrainerState(dir: string): GptTrainerState | undefined {
  const ck = gptCheckpointDir(dir);
  if (!ck) return undefined;
  const file = path.join(ck, 'trainer_state.json');
  const raw = readModelJson(file);
  if (!isRecord(raw) || typeof raw.step !== 'number')
    throw new ModelFolderError(
      `${file} has no step count; the checkpoint is damaged, so restore it or retrain.`,
    );
  return raw as unknown as GptTrainerState;
}

export function appendGptMetrics(dir: string, p: GptProgress): void {
  fs.appendFileSync(path.join(dir, 'metrics.jsonl'), `${JSON.stringify(p)}\n`);
}

/** Drops metric lines after `step` (a resumed run repeats the steps after its checkpoint). */
export function keepGptMetricsUpTo(dir: string, step: number): void {
  const f = path.join(dir, 'metrics.jsonl');
  if (!fs.existsSync(f)) return;
  const kept = fs
    .readFileSync(f, 'utf8')
    .split('\n')
    .filter((line) => {
      try {
        const p: unknown = JSON.parse(line);
        return isRecord(p) && typeof p.step === 'number' && p.step <= step;
      } catch {
        return false;
      }
    });
  writeFileAtomic(f, kept.map((l) => `${l}\n`).join(''));
}

/** vocab.json + merges.txt, checked against the manifest's checksums. */
function readTokenizer(dir: string, sums: Record<string, unknown>): BpeTokenizer {
  const vf = path.join(dir, 'vocab.json');
  const mf = path.join(dir, 'merges.txt');
  const vb = readModelFile(vf);
  const mb = readModelFile(mf);
  verifyChecksum(vf, vb, sums[VOCAB_KEY], textChecksum);
  verifyChecksum(mf, mb, sums[MERGES_KEY], textChecksum);
  try {
    return BpeTokenizer.parse(vb.toString('utf8'), mb.toString('utf8'), dir);
  } catch (e) {
    throw new ModelFolderError((e as Error).message);
  }
}

function checkShapes(file: string, entries: WeightEntry[], config: GptConfig): void {
  const expected = new Map(gptParamShapes(config));
  const damaged =
    'the config and the weights disagree, so restore the config.json saved with these weights or retrain';
  for (const e of entries) {
    const shape = expected.get(e.name);
    if (!shape)
      throw new ModelFolderError(
        `${file} holds the tensor ${e.name}, which config.json does not describe; ${damaged}.`,
      );
    if (e.shape.join(',') !== shape.join(','))
      throw new ModelFolderError(
        `${file} gives ${e.name} shape [${e.shape}] but config.json implies [${shape}]; ${damaged}.`,
      );
  }
  const have = new Set(entries.map((e) => e.name));
  for (const name of expected.keys())
    if (!have.has(name))
      throw new ModelFolderError(`${file} has no tensor ${name}, which config.json needs; ${damaged}.`);
}

export interface GptFolder {
  dir: string;
  config: GptConfigFile;
  tokenizer: BpeTokenizer;
  weights: Map<string, tf.Tensor>;
  optimizer?: { m: Map<string, tf.Tensor>; v: Map<string, tf.Tensor> };
  state?: GptTrainerState;
}

/** Reads and checks a whole GPT folder; the caller disposes the tensors (disposeGptFolder). */
export function loadGptFolder(dir: string, opts: { withOptimizer?: boolean } = {}): GptFolder {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new ModelFolderError(
      `The model folder ${dir} does not exist; pick an existing model or pretrain one.`,
    );
  const config = readGptConfig(dir);
  const ck = gptCheckpointDir(dir);
  if (!ck)
    throw new ModelFolderError(
      `${dir} has no checkpoint/ folder with weights yet; train it for at least one checkpoint.`,
    );
  const manifestFile = path.join(ck, 'weights.json');
  const { entries, sha256: sums } = readManifest(manifestFile);
  checkShapes(manifestFile, entries, config.gpt);
  if (sums[CONFIG_KEY] !== undefined && sums[CONFIG_KEY] !== sha256(Buffer.from(modelFields(config))))
    throw new ModelFolderError(
      `${dir}/config.json describes another model than the one its weights were saved with; restore the config.json saved with them or retrain.`,
    );
  const tokenizer = readTokenizer(dir, sums);
  if (tokenizer.size !== config.gpt.vocabSize)
    throw new ModelFolderError(
      `${dir}/vocab.json has ${tokenizer.size} tokens but config.json says vocabSize ${config.gpt.vocabSize}; restore the vocab.json saved with the model or retrain.`,
    );
  const state = readGptTrainerState(dir);
  const weights = toTensors(
    readWeightFile(path.join(ck, 'weights.bin'), entries, sums['weights.bin']),
    entries,
  );
  const out: GptFolder = { dir, config, tokenizer, weights, state };
  if (!opts.withOptimizer || !fs.existsSync(path.join(ck, 'optimizer.json'))) return out;
  let m: Map<string, tf.Tensor> | undefined;
  try {
    const om = readManifest(path.join(ck, 'optimizer.json'));
    const same =
      om.entries.length === entries.length &&
      om.entries.every(
        (e, i) => e.name === entries[i].name && e.shape.join(',') === entries[i].shape.join(','),
      );
    if (!same)
      throw new ModelFolderError(
        `${ck}/optimizer.json lists other tensors than weights.json; the checkpoint is damaged, so restore it or retrain.`,
      );
    m = toTensors(
      readWeightFile(path.join(ck, 'optimizer_m.bin'), om.entries, om.sha256['optimizer_m.bin']),
      om.entries,
    );
    const s = toTensors(
      readWeightFile(path.join(ck, 'optimizer_v.bin'), om.entries, om.sha256['optimizer_v.bin']),
      om.entries,
    );
    out.optimizer = { m, v: s };
    return out;
  } catch (e) {
    disposeAll(weights, m);
    throw e;
  }
}

export function disposeGptFolder(f: GptFolder): void {
  disposeAll(f.weights, f.optimizer?.m, f.optimizer?.v);
}

/** A GPT folder's summary from its JSON files alone. */
export function summariseGpt(dir: string): ModelSummary {
  const cfg = readGptConfig(dir);
  const state = readGptTrainerState(dir);
  return {
    dir,
    type: 'gpt',
    preset: cfg.preset,
    config: cfg.gpt,
    vocabSize: cfg.gpt.vocabSize,
    parameters: gptParamCount(cfg.gpt),
    corpus: cfg.corpus,
    steps: state?.step ?? 0,
    totalSteps: state?.totalSteps,
    createdAt: cfg.createdAt,
  };
}

/** The token embedding (wte) as a vector table, tokens shown as text; read without TensorFlow. */
export function gptVectors(dir: string): LoadedVectors {
  const ck = gptCheckpointDir(dir);
  if (!ck) throw new ModelFolderError(`${dir} has no checkpoint/ folder with weights yet; train it first.`);
  const manifestFile = path.join(ck, 'weights.json');
  const { entries, sha256: sums } = readManifest(manifestFile);
  const tok = readTokenizer(dir, sums);
  const e = entries.find((w) => w.name === TOKEN_EMBEDDING);
  if (e?.shape.length !== 2 || e.shape[0] !== tok.size)
    throw new ModelFolderError(
      `${manifestFile} has no ${TOKEN_EMBEDDING} of ${tok.size} rows; restore the checkpoint or retrain.`,
    );
  const all = readWeightFile(path.join(ck, 'weights.bin'), entries, sums['weights.bin']);
  const [V, C] = e.shape;
  // distinct names: two byte pieces may read alike, and the table is keyed by word
  const seen = new Set<string>();
  const words = tok.tokens.map((_, i) => {
    let w = tok.display(i);
    if (seen.has(w)) w = `${w}#${i}`;
    seen.add(w);
    return w;
  });
  return {
    vectors: new WordVectors(words, C, all.slice(e.offset, e.offset + V * C)),
    summary: { dir, type: 'word2vec', dim: C, vocabSize: V, source: 'pretrain-lab' },
    kind: 'gpt',
    label: `${KINDS.gpt.label} token embeddings`,
  };
}

/** The registry's row for `gpt` folders (registry.ts). */
export const gptHandler: KindHandler<typeof saveGptCheckpoint> = {
  kind: 'gpt',
  load: (dir) => new GptModel(dir),
  summarise: summariseGpt,
  vectors: gptVectors,
  save: saveGptCheckpoint,
};
