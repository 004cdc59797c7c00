// The fine-tuned model folder: config.json (task, labels, base, freeze, the encoder's config, metrics),
// vocab.txt, metrics.jsonl (one line per epoch) and checkpoint/ with the head's weights and, unless the
// encoder was frozen, the encoder's (a frozen run keeps a reference to its base instead). checkpoint/
// is swapped in atomically and config.json replaced by rename, as for BERT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as v from 'valibot';
import type { ModelSummary } from '../../shared/configs';
import type { EvalMetrics, FreezeSpec, TaskFamily } from '../../shared/finetune';
import { TASK_FAMILIES } from '../../shared/finetune';
import { l10n } from '../../shared/l10nCore';
import { type Capability, missingCapabilityMessage } from '../../shared/modelKinds';
import { type LoadedModel, MissingCapabilityError, modelName } from '../analysis/loadedModel';
import { type TaskAnswerer, taskAnswerer } from '../analysis/taskPredict';
import { writeFileAtomic } from '../io/atomic';
import { Bert } from '../models/bert';
import { BertTaskEncoder, wordPieceTaskTokenizer } from '../models/taskEncoders/bert';
import type { TaskTokenizer } from '../models/taskEncoders/types';
import { WordFeaturesTaskEncoder } from '../models/taskEncoders/word2vec';
import { type TaskEncoder, TaskModel } from '../models/taskModel';
import { WordFeatures } from '../models/wordFeatures';
import { Vocab } from '../tokenizer/vocab';
import { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { reopenLmEncoder } from '../train/tasks/finetuneBaseLm';
import type { LoadedVectors } from '../word2vec/vectors';
import { resolveBase } from './baseRef';
import { bertVectors, checkpointDir, disposeLoaded, saveCheckpoint } from './bert';
import { elmoVectors } from './elmo';
import { ModelFolderError, readFloat32File } from './files';
import { gptVectors } from './gpt';
import { bertBaseVectors, loadBertBase } from './hf/bert';
import type { KindHandler } from './registry';
import { loadW2vVectors } from './word2vec';

export const FINETUNED_FORMAT = 'pretrain-lab/finetuned';

const FinetunedConfigSchema = v.object({
  format: v.literal(FINETUNED_FORMAT),
  formatVersion: v.number(),
  task: v.picklist(TASK_FAMILIES),
  labels: v.pipe(v.array(v.string()), v.minLength(2)),
  // see baseRef.ts: a frozen run finds its base by this reference
  base: v.object({
    dir: v.string(),
    name: v.string(),
    ref: v.optional(v.literal('starter')),
    weightsSha256: v.optional(v.string()),
  }),
  // how the encoder began: a pretrained BERT, fresh weights, or a word2vec table (absent: pretrained)
  init: v.optional(v.picklist(['pretrained', 'random', 'word2vec'])),
  // what the base is (absent: a BERT, or word2vec by `init`); an ELMo's mix, a GPT's LM loss weight
  baseKind: v.optional(v.picklist(['bert', 'word2vec', 'elmo', 'gpt'])),
  scalarMix: v.optional(v.object({ weights: v.array(v.number()), gamma: v.number() })),
  lmWeight: v.optional(v.number()),
  freeze: v.union([v.picklist(['none', 'all']), v.number()]),
  encoder: v.picklist(['saved', 'base']), // where the encoder weights are
  bert: v.looseObject({ hiddenSize: v.number(), numLayers: v.number(), vocabSize: v.number() }),
  tokenizer: v.object({
    lowercase: v.boolean(),
    stripAccents: v.optional(v.boolean()),
    splitCjk: v.optional(v.boolean()),
  }),
  maxSeqLength: v.number(),
  createdAt: v.string(),
  trainedParameters: v.number(),
  totalParameters: v.number(),
  bestEpoch: v.number(),
  epochs: v.number(),
  seconds: v.number(),
  dev: v.optional(v.unknown()),
});
export type FinetunedConfig = Omit<v.InferOutput<typeof FinetunedConfigSchema>, 'bert' | 'dev' | 'freeze'> & {
  bert: Bert['config'];
  dev?: EvalMetrics;
  freeze: FreezeSpec;
  task: TaskFamily;
};

export function readFinetunedConfig(dir: string): FinetunedConfig {
  const file = path.join(dir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new ModelFolderError(l10n.t('{0} is missing or not valid JSON; fine-tune the model again.', file));
  }
  const r = v.safeParse(FinetunedConfigSchema, raw);
  if (!r.success)
    throw new ModelFolderError(
      l10n.t(
        '{0} is not a complete fine-tuned model config ({1}: {2}); fine-tune the model again.',
        file,
        r.issues[0].path?.map((p) => p.key).join('.') ?? 'top',
        r.issues[0].message,
      ),
    );
  return raw as FinetunedConfig;
}

/** Writes the checkpoint (head, a mix, the encoder when it trained), the tokenizer's files, config.json. */
export function saveFinetuned(
  dir: string,
  model: TaskModel,
  config: FinetunedConfig,
  vocab: Vocab | ((dir: string) => void),
): void {
  fs.mkdirSync(dir, { recursive: true });
  const weights = new Map<string, tf.Tensor>(model.ownWeights());
  if (config.encoder === 'saved')
    for (const [n, p] of model.encoder.params) if (!n.startsWith('cls.')) weights.set(n, p);
  saveCheckpoint(dir, [...weights.keys()], {
    weights,
    state: {
      step: 0,
      totalSteps: 0,
      rngState: 0,
      options: {},
      finished: true,
      savedAt: new Date().toISOString(),
    },
  });
  if (vocab instanceof Vocab) writeFileAtomic(path.join(dir, 'vocab.txt'), vocab.serialize());
  else vocab(dir);
  writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
}

function readWeights(dir: string): Map<string, tf.Tensor> {
  const ck = checkpointDir(dir);
  if (!ck)
    throw new ModelFolderError(l10n.t('{0} has no checkpoint/ folder; fine-tune the model again.', dir));
  let manifest: {
    weights: { name: string; shape: number[]; offset: number }[];
    sha256?: Record<string, string>;
  };
  try {
    manifest = JSON.parse(fs.readFileSync(path.join(ck, 'weights.json'), 'utf8'));
  } catch {
    throw new ModelFolderError(
      l10n.t('{0}/weights.json is missing or damaged; fine-tune the model again.', ck),
    );
  }
  const count = manifest.weights.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
  const all = readFloat32File(
    path.join(ck, 'weights.bin'),
    count,
    manifest.sha256?.['weights.bin'],
    l10n.t('its manifest'),
  );
  const out = new Map<string, tf.Tensor>();
  for (const e of manifest.weights) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    out.set(e.name, tf.tensor(all.subarray(e.offset, e.offset + n), e.shape, 'float32'));
  }
  return out;
}

function isLmBase(c: FinetunedConfig): boolean {
  return c.baseKind === 'elmo' || c.baseKind === 'gpt';
}

/** A fine-tuned folder read into a TaskModel (the caller disposes it) with its tokenizer. */
export function loadTaskModel(dir: string): {
  model: TaskModel;
  config: FinetunedConfig;
  tok: TaskTokenizer;
} {
  const config = readFinetunedConfig(dir);
  const weights = readWeights(dir);
  try {
    if (isLmBase(config)) {
      const r = reopenLmEncoder(dir, config, () => resolveBase(dir, config.base), weights);
      const model = new TaskModel(config.task, r.encoder, config.labels, { head: weights });
      return { model, config, tok: r.tok };
    }
    const vocab = Vocab.load(path.join(dir, 'vocab.txt'));
    let bert: TaskEncoder;
    if (config.init === 'word2vec')
      bert = new WordFeaturesTaskEncoder(
        new WordFeatures(loadW2vVectors(resolveBase(dir, config.base)).vectors, vocab),
      );
    else if (config.encoder === 'saved') bert = new BertTaskEncoder(new Bert(config.bert, { weights }));
    else {
      const base = loadBertBase(resolveBase(dir, config.base));
      try {
        bert = new BertTaskEncoder(new Bert(base.config.bert, { weights: base.weights }));
      } finally {
        disposeLoaded(base);
      }
    }
    const tok = wordPieceTaskTokenizer(new WordPieceTokenizer(vocab, config.tokenizer));
    return { model: new TaskModel(config.task, bert, config.labels, { head: weights }), config, tok };
  } finally {
    for (const t of weights.values()) t.dispose();
  }
}

export function summariseFinetuned(dir: string): ModelSummary & Pick<FinetunedConfig, 'scalarMix'> {
  const c = readFinetunedConfig(dir);
  return {
    dir,
    type: c.baseKind === 'gpt' ? 'gpt' : 'bert',
    ...(c.baseKind ? { baseKind: c.baseKind } : {}),
    ...(c.scalarMix ? { scalarMix: c.scalarMix } : {}),
    config: c.bert,
    vocabSize: c.bert.vocabSize,
    parameters: c.totalParameters,
    steps: c.epochs,
    createdAt: c.createdAt,
  };
}

export function finetunedVectors(dir: string): LoadedVectors {
  const c = readFinetunedConfig(dir);
  if (c.init === 'word2vec') return loadW2vVectors(resolveBase(dir, c.base));
  if (c.baseKind === 'elmo') return elmoVectors(resolveBase(dir, c.base));
  if (c.baseKind === 'gpt') return gptVectors(resolveBase(dir, c.base)); // the pretrained token table
  return c.encoder === 'saved' ? bertVectors(dir) : bertBaseVectors(resolveBase(dir, c.base));
}

/** A fine-tuned model as the engine serves it: `classify` or `tag`, by its task. */
export class FinetunedModel implements LoadedModel {
  readonly kind = 'finetuned' as const;
  readonly capabilities: readonly Capability[];
  readonly summary: ModelSummary;
  readonly config: FinetunedConfig;
  readonly task: TaskAnswerer;
  private readonly model: TaskModel;

  constructor(readonly dir: string) {
    const l = loadTaskModel(dir);
    this.model = l.model;
    this.config = l.config;
    this.capabilities = [l.config.task === 'tag' ? 'tag' : 'classify'];
    this.summary = summariseFinetuned(dir);
    this.task = taskAnswerer(l.model, l.tok, l.config.maxSeqLength);
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** The model's task answerer for a capability, or one sentence saying what to pick instead. */
export function requireTask(model: LoadedModel, cap: 'classify' | 'tag'): TaskAnswerer {
  if (model instanceof FinetunedModel && model.capabilities.includes(cap)) return model.task;
  throw new MissingCapabilityError(missingCapabilityMessage(modelName(model.dir), model.kind, cap));
}

/** The registry's row for `finetuned` folders (registry.ts). */
export const finetunedHandler: KindHandler<typeof saveFinetuned> = {
  kind: 'finetuned',
  load: (dir) => new FinetunedModel(dir),
  summarise: summariseFinetuned,
  vectors: finetunedVectors,
  save: saveFinetuned,
};
