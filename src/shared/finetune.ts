// Fine-tuning as every runtime sees it: the task families, the options of a run with their defaults,
// what a run reports per epoch, and the answers of a fine-tuned model. Pure types and data.
import * as v from 'valibot';

export const TASK_FAMILIES = ['classify', 'pair', 'tag'] as const;
export type TaskFamily = (typeof TASK_FAMILIES)[number];

export const TASK_LABELS: Record<TaskFamily, string> = {
  classify: 'sequence classification',
  pair: 'sentence pair classification',
  tag: 'sequence labelling',
};

/** How the base is used: `none` fine-tunes every layer, `all` is feature-based, N freezes the lowest N. */
export type FreezeSpec = 'none' | 'all' | number;

export const FinetuneOptionsSchema = v.object({
  task: v.picklist(TASK_FAMILIES),
  baseDir: v.string(), // a BERT or word2vec model folder, or random:<preset>
  fromScratch: v.optional(v.boolean()), // the base's config with fresh weights (the no-pretraining baseline)
  train: v.string(), // the training file
  dev: v.optional(v.string()), // a dev file; when absent 10% of train is held out
  outDir: v.string(),
  epochs: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1000))),
  learningRate: v.optional(v.pipe(v.number(), v.gtValue(0), v.maxValue(1))),
  batchSize: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1024))),
  maxSeqLength: v.optional(v.pipe(v.number(), v.integer(), v.minValue(8), v.maxValue(4096))),
  freeze: v.optional(v.union([v.picklist(['none', 'all']), v.pipe(v.number(), v.integer(), v.minValue(0))])),
  seed: v.optional(v.pipe(v.number(), v.integer())),
  lmWeight: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(100))), // GPT's auxiliary LM loss weight λ
  // CSV/TSV with a header: which columns hold the text(s) and the label
  columns: v.optional(
    v.object({ text: v.optional(v.string()), textB: v.optional(v.string()), label: v.optional(v.string()) }),
  ),
});
export type FinetuneRequestOptions = v.InferOutput<typeof FinetuneOptionsSchema>;

export interface FinetuneOptions {
  task: TaskFamily;
  baseDir: string; // a BERT or word2vec model folder, or random:<preset> (tiny, mini, small, base)
  fromScratch?: boolean; // a BERT of the base's config with fresh weights
  train: string;
  dev?: string;
  outDir: string;
  epochs: number; // passes over the training set
  learningRate: number; // AdamW peak, with 10% warm-up then linear decay (BERT §A.3)
  batchSize: number; // examples per step
  maxSeqLength?: number; // WordPieces per example, [CLS] and [SEP]s included; longer ones are cut (default: 128, or the base's maximum if less)
  freeze: FreezeSpec;
  seed: number;
  lmWeight?: number; // a GPT base: weight λ of the auxiliary LM loss (default 0.5 as the paper; 0 turns it off)
  columns?: { text?: string; textB?: string; label?: string };
  defaulted?: { freeze: boolean; learningRate: boolean }; // which of the above were not given (a base may pick its own)
}

export const DEFAULT_FINETUNE = {
  epochs: 3,
  learningRate: 5e-5, // BERT's suggested range for fine-tuning is 2e-5–5e-5; frozen heads like 1e-3
  batchSize: 16,
  maxSeqLength: 128,
  freeze: 'none' as FreezeSpec,
  seed: 42,
};

/** The dev metrics of one epoch. */
export interface EvalMetrics {
  loss: number;
  accuracy: number; // classification: examples; tagging: tokens
  macroF1: number;
  entity?: { precision: number; recall: number; f1: number }; // BIO/BIOES/BIES tags, as seqeval
  perLabel: { label: string; precision: number; recall: number; f1: number; support: number }[];
  confusion: number[][]; // [gold][predicted], in the order of `labels`
  labels: string[];
}

export interface FinetuneProgress {
  epoch: number; // 1-based, the epoch in progress (or just ended when `dev` is set)
  epochs: number;
  step: number;
  totalSteps: number;
  trainLoss: number; // mean over the steps since the last report
  learningRate: number;
  examplesPerSecond: number;
  etaSeconds: number;
  dev?: EvalMetrics; // set once per epoch, at its end
  mix?: ScalarMix; // an ELMo base: the scalar mix as it stands
}

/** An ELMo base's scalar mix as a person reads it: the softmax weights (summing to 1) and γ. */
export interface ScalarMix {
  weights: number[];
  gamma: number;
}

export interface FinetuneSummary {
  dir: string;
  task: TaskFamily;
  labels: string[];
  base: string;
  freeze: FreezeSpec;
  trainedParameters: number;
  totalParameters: number;
  bestEpoch: number;
  dev: EvalMetrics;
  seconds: number;
  baseKind?: 'bert' | 'word2vec' | 'elmo' | 'gpt';
  scalarMix?: ScalarMix;
}

export interface ClassifyAnswer {
  label: string;
  probabilities: Record<string, number>;
  notice?: string; // e.g. the text was cut to the model's maximum
}

export interface TagAnswer {
  tokens: {
    token: string;
    start: number;
    end: number;
    label: string;
    probability: number;
    top?: { label: string; probability: number }[]; // the likeliest labels (at most 5), for a hover
  }[];
  notice?: string;
}
