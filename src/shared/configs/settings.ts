// The extension's settings (`pretrainLab.*`) and their defaults. package.json's
// contributes.configuration declares the same defaults; test/unit/configs.test.ts keeps them equal.
import { DEFAULT_HUB_ENDPOINT } from '../hub';
import { DEFAULT_ANALYSIS } from './analysis';
import type { BackendChoice } from './backend';
import { DEFAULT_GENERATE } from './gpt';
import { DEFAULT_REWRITE } from './seq2seq';
import { DEFAULT_WORD2VEC, type W2vChinese } from './word2vec';

export interface Settings {
  backend: BackendChoice; // engine backend; changing it restarts the engine
  topK: number; // candidates shown for every [MASK]
  corpusGlob: string; // workspace files used when pretraining on the whole workspace
  storage: 'global' | 'workspace'; // where new models are stored
  defaultSteps: number; // step budget suggested by Pretrain BERT (smaller than the CLI's, to stay quick)
  'word2vec.threads': number; // word2vec worker threads (1..8)
  'word2vec.minCount': number; // word2vec drops words seen fewer times
  'word2vec.chinese': W2vChinese; // how word2vec splits Chinese
  'generate.maxNewTokens': number; // tokens Generate from Here writes at most
  'generate.temperature': number; // 0 = greedy
  'generate.topK': number; // sample among the k most likely (0 = all)
  'generate.topP': number; // nucleus sampling mass (1 = all)
  'generate.seed': number; // the same seed repeats a continuation
  'rewrite.beamSize': number; // Rewrite Selection: 1 = greedy
  'rewrite.lengthPenalty': number; // a beam's score is log p / length^lengthPenalty
  'rewrite.maxLength': number; // tokens Rewrite Selection writes at most
  'hub.endpoint': string; // Download Model: the Hugging Face Hub or a mirror of it
}

export const DEFAULT_SETTINGS: Settings = {
  backend: 'auto',
  topK: DEFAULT_ANALYSIS.topK,
  corpusGlob: '**/*.{txt,md}',
  storage: 'global',
  defaultSteps: 600, // the tiny recipe learns a ~100k-token corpus in this many (docs/benchmarks.md)
  'word2vec.threads': DEFAULT_WORD2VEC.threads,
  'word2vec.minCount': DEFAULT_WORD2VEC.minCount,
  'word2vec.chinese': DEFAULT_WORD2VEC.chinese,
  'generate.maxNewTokens': DEFAULT_GENERATE.maxNewTokens,
  'generate.temperature': DEFAULT_GENERATE.temperature,
  'generate.topK': DEFAULT_GENERATE.topK,
  'generate.topP': DEFAULT_GENERATE.topP,
  'generate.seed': DEFAULT_GENERATE.seed,
  'rewrite.beamSize': DEFAULT_REWRITE.beamSize,
  'rewrite.lengthPenalty': DEFAULT_REWRITE.lengthPenalty,
  'rewrite.maxLength': DEFAULT_REWRITE.maxLength,
  'hub.endpoint': DEFAULT_HUB_ENDPOINT,
};
