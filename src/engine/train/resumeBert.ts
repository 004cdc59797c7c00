// Resuming a BERT training: what it is given is checked against what the model was trained with before
// its weights are read. Another preset is refused (the weights have another shape), and so is a corpus
// with no text or one mostly unknown to the model's vocabulary; another corpus is said and accepted
// (continued pretraining on new text is how a model is adapted to it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BERT_PRESETS, type PretrainOptions } from '../../shared/configs';
import {
  disposeLoaded,
  loadModelFolder,
  type ModelConfigFile,
  readModelConfig,
  readTrainerState,
  type TrainerState,
} from '../checkpoint/bert';
import { resolveCorpus } from '../data/corpus';
import { Bert, decays } from '../models/bert';
import { Vocab } from '../tokenizer/vocab';
import { WordPieceTokenizer } from '../tokenizer/wordpiece';
import { checkCorpusAgainstVocab } from './corpusCheck';
import { Trainer } from './trainer';

export interface Resumed {
  config: ModelConfigFile;
  vocab: Vocab;
  model: Bert;
  trainer: Trainer;
  state?: TrainerState;
}

const ARCHITECTURE = ['numLayers', 'hiddenSize', 'numHeads', 'intermediateSize'] as const;

/**
 * Checks the options and corpus against the model in `dir`, then loads it with its optimizer state.
 * `presetGiven`: the caller asked for o.preset (else the model's own is kept).
 */
export function resumeBert(
  o: PretrainOptions,
  presetGiven: boolean,
  dir: string,
  files: readonly string[],
  log: (m: string) => void,
): Resumed {
  const config = readModelConfig(dir);
  const b = config.bert;
  const size = config.preset ?? `${b.numLayers} layers × ${b.hiddenSize}`;
  if (presetGiven) {
    const want = BERT_PRESETS[o.preset];
    if (ARCHITECTURE.some((k) => want[k] !== b[k]))
      throw new Error(
        `${dir} holds a BERT of size ${size}, not ${o.preset}; resume it with --preset ${config.preset ?? 'left out'}, or train a ${o.preset} model with --fresh or another --out.`,
      );
  }
  if (o.maxSeqLength > b.maxPositions)
    throw new Error(
      `The sequence length (--max-seq-length) ${o.maxSeqLength} exceeds the ${b.maxPositions} positions of the model in ${dir}; use at most ${b.maxPositions}.`,
    );
  const vocabFile = path.join(dir, 'vocab.txt');
  const vocab = fs.existsSync(vocabFile) ? Vocab.load(vocabFile) : undefined;
  if (vocab) {
    const tok = new WordPieceTokenizer(vocab, { lowercase: config.tokenizer.lowercase });
    checkCorpusAgainstVocab(files, tok, vocab.unkId, `the model in ${dir}`);
  }
  const state = readTrainerState(dir);
  const before = (state?.options.corpus as string[] | undefined) ?? config.corpus ?? [];
  const was = resolveCorpus(before).files.sort();
  const now = [...files].sort();
  if (was.join('\n') !== now.join('\n')) {
    const list = (fs: string[]) =>
      fs.length === 0 ? 'nothing readable' : fs.slice(0, 3).join(', ') + (fs.length > 3 ? ', …' : '');
    log(
      `The corpus differs from the one the model was last trained on (was ${list(before)}; now ${list(now)}); resuming goes on pretraining on the new text, which adapts the model to it.`,
    );
  }

  const loaded = loadModelFolder(dir, { withOptimizer: true });
  let model: Bert | undefined;
  let trainer: Trainer | undefined;
  try {
    model = new Bert(loaded.config.bert, { weights: loaded.weights });
    trainer = new Trainer(model, { weightDecay: o.weightDecay, clipNorm: o.clipNorm, decays });
    if (loaded.optimizer) {
      for (const [n, t] of loaded.optimizer.m) trainer.m.get(n)?.assign(t);
      for (const [n, t] of loaded.optimizer.v) trainer.v.get(n)?.assign(t);
    }
    trainer.step = loaded.state?.step ?? 0;
    return { config: loaded.config, vocab: loaded.vocab, model, trainer, state: loaded.state };
  } catch (e) {
    trainer?.dispose();
    model?.dispose();
    throw e;
  } finally {
    disposeLoaded(loaded);
  }
}
