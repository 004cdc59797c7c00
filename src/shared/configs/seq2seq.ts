// Sequence-to-sequence fine-tuning (a BERT encoder, a BERT/GPT/random decoder) and Rewrite Selection:
// the options, their defaults, and what a run reports.

export interface Seq2seqTrainRequest {
  encoder: string; // a BERT folder, or 'random'
  decoder: string; // a BERT or GPT folder, or 'random'
  tokenizer?: string; // a BERT folder whose tokenizer and shape a random half takes when the other is random too
  train: string; // JSONL, TSV, or 'source.txt,target.txt'
  dev?: string; // as train; 10% of train is held out when absent
  outDir: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  labelSmoothing?: number; // ε of label smoothing, 0 for none
  freezeEncoder?: boolean;
  maxSourceLength?: number; // tokens, [CLS] and [SEP] included; longer sources are cut
  maxTargetLength?: number; // tokens, EOS included
  devBeamSize?: number; // decoding for dev BLEU: 1 = greedy
  seed?: number;
}

export type Seq2seqTrainOptions = Required<Omit<Seq2seqTrainRequest, 'tokenizer' | 'dev'>> &
  Pick<Seq2seqTrainRequest, 'tokenizer' | 'dev'>;

export const DEFAULT_SEQ2SEQ = {
  epochs: 10,
  batchSize: 32,
  learningRate: 5e-4,
  labelSmoothing: 0.1,
  freezeEncoder: false,
  maxSourceLength: 64,
  maxTargetLength: 64,
  devBeamSize: 1,
  seed: 42,
};

export interface Seq2seqDevExample {
  source: string;
  target: string;
  output: string;
}

export interface Seq2seqDevMetrics {
  loss: number; // teacher-forced token cross-entropy (no smoothing)
  bleu: number; // corpus BLEU-4, sacreBLEU's (13a, or zh for Chinese), 0–100
  chrf: number; // corpus chrF (order 6, β 2), sacreBLEU's default CHRF(), 0–100
  exactMatch: number; // 0–1
  examples: Seq2seqDevExample[]; // the first five dev pairs with their outputs
}

export interface Seq2seqProgress {
  epoch: number;
  epochs: number;
  step: number;
  totalSteps: number;
  trainLoss: number;
  learningRate: number;
  tokensPerSecond: number;
  etaSeconds: number;
  dev?: Seq2seqDevMetrics; // at the end of each epoch
}

export interface Seq2seqSummary {
  dir: string;
  warmStart: { encoder: string; decoder: string; decoderFrom: 'bert' | 'gpt' | 'random' };
  bestEpoch: number;
  epochsDone: number;
  dev?: Seq2seqDevMetrics;
  seconds: number;
  status: 'done' | 'cancelled';
}

/** Rewrite Selection's decoding (settings pretrainLab.rewrite.*). */
export interface RewriteSettings {
  beamSize: number; // 1: greedy
  lengthPenalty: number; // a beam's score is log p / length^lengthPenalty
  maxLength: number; // generated tokens
}

export const DEFAULT_REWRITE: RewriteSettings = { beamSize: 4, lengthPenalty: 1, maxLength: 64 };
