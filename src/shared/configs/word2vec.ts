// word2vec (Mikolov et al. 2013): the training options with their defaults, what a training reports,
// and the questions word vectors answer.

import type { ModelKind } from '../modelKinds';

export type W2vAlgo = 'skipgram' | 'cbow';
/** How text becomes words: Unicode words (punctuation dropped), or split on whitespace only. */
export type W2vTokenization = 'words' | 'whitespace';
/** Chinese: one token per character, or ICU's dictionary word segmentation (Intl.Segmenter). */
export type W2vChinese = 'chars' | 'words';

export interface Word2vecOptions {
  corpus: string[]; // files, folders or globs
  outDir: string; // model folder to write
  algo: W2vAlgo; // skip-gram predicts the context from each word, CBOW each word from its context
  dim: number; // vector size
  window: number; // maximum distance to a context word; each centre word draws 1..window
  negative: number; // negative samples per prediction (0 with hierarchical softmax)
  hs: boolean; // hierarchical softmax over a Huffman tree instead of negative sampling
  sample: number; // frequent-word subsampling threshold (0 = off)
  minCount: number; // words seen fewer times are dropped
  maxVocab: number; // keep at most this many most frequent words (0 = no cap)
  epochs: number; // passes over the corpus
  alpha: number; // starting learning rate, decayed linearly to minAlpha
  minAlpha: number; // learning rate at the end of the last epoch
  cbowMean: boolean; // CBOW averages the context vectors (true) or sums them
  threads: number; // worker threads sharing the weights without locks, as the C tool does
  seed: number; // with one thread, makes the result byte-identical run to run
  tokenization: W2vTokenization; // see W2vTokenization
  chinese: W2vChinese; // see W2vChinese
  lowercase: boolean; // lower-case the text before counting words
  resume: boolean; // continue from the checkpoint of the last finished epoch in outDir
}

export const DEFAULT_WORD2VEC: Omit<Word2vecOptions, 'corpus' | 'outDir'> = {
  algo: 'skipgram',
  dim: 100,
  window: 5,
  negative: 5,
  hs: false,
  sample: 1e-3,
  minCount: 5,
  maxVocab: 0,
  epochs: 5,
  alpha: 0.025,
  minAlpha: 0.0001,
  cbowMean: true,
  threads: 2,
  seed: 1,
  tokenization: 'words',
  chinese: 'chars',
  lowercase: true,
  resume: true,
};

export interface W2vProgress {
  epoch: number; // 1-based epoch in progress
  epochs: number;
  wordsDone: number; // corpus words processed so far, all epochs
  totalWords: number; // corpus words × epochs
  loss: number; // mean loss per prediction since the last report
  epochLoss?: number; // mean loss per prediction over the epoch, set when an epoch ends
  alpha: number;
  wordsPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface W2vSummary {
  dir: string;
  type: 'word2vec';
  algo?: W2vAlgo;
  dim: number;
  vocabSize: number;
  corpus?: string[];
  corpusWords?: number;
  epochsDone?: number;
  epochs?: number;
  epochLosses?: number[];
  source: 'pretrain-lab' | 'word2vec-text' | 'word2vec-binary' | 'projector-tsv';
}

export interface Neighbour {
  word: string;
  score: number;
}

export type VectorsQuery =
  | { op: 'neighbours'; word: string; k: number }
  | { op: 'analogy'; a: string; b: string; c: string; k: number; method: 'add' | 'mul' }
  | { op: 'similarity'; a: string; b: string }
  | { op: 'doesntMatch'; words: string[] }
  | { op: 'search'; query: string; regex: boolean; limit: number };

export interface VectorsAnswer {
  neighbours?: Neighbour[];
  similarity?: number;
  odd?: string;
  words?: string[];
  total?: number;
  error?: string; // one sentence for the user, e.g. an unknown word
  suggestions?: string[]; // closest spellings of an unknown word
}

export interface VectorsInfo extends W2vSummary {
  kind: ModelKind; // the model the table comes from: word2vec, or a BERT's input embeddings
  label: string; // what the table is, as a person reads it, e.g. 'word2vec skip-gram', 'BERT input embeddings'
  top: string[]; // the most frequent (first) words
}

/** Rows of a vector table, sent as binary. */
export interface VectorsTable {
  words: string[];
  counts?: number[];
  dim: number;
  vectors: Float32Array; // words.length × dim
  total: number; // vocabulary size
}
