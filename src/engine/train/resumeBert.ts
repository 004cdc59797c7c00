// Resuming a BERT training: what it is given is checked against what the model was trained with before
// its weights are read. Another preset is refused (the weights have another shape), and so is a corpus
// with no text or one mostly unknown to the model's vocabulary; another corpus is said and accepted
// (continued pretraining on new text is how a model is adapted to it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BERT_PRESETS, type PretrainOptions } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
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
        l10n.t(
          '{0} holds a BERT of size {1}, not {2}; resume it with --preset {3}, or train a {2} model with --fresh or another --out.',
          dir,
          size,
          o.preset,
          config.preset ?? 'left out',
        ),
      );
  }
  if (o.maxSeqLength > b.maxPositions)
    throw new Error(
      l10n.t(
        'The sequence length (--max-seq-length) {0} exceeds the {1} positions of the model in {2}; use at most {1}.',
        o.maxSeqLength,
        b.maxPositions,
        dir,
      ),
    );
  const vocabFile = path.join(dir, 'vocab.txt');
  const vocab = fs.existsSync(vocabFile) ? Vocab.load(vocabFile) : undefined;
  if (vocab) {
    const tok = new WordPieceTokenizer(vocab, { lowercase: config.tokenizer.lowercase });
    checkCorpusAgainstVocab(files, tok, vocab.unkId, l10n.t('the model in {0}', dir));
  }
  const state = readTrainerState(dir);
  const before = (state?.options.corpus as string[] | undefined) ?? config.corpus ?? [];
  const was = resolveCorpus(before).files.sort();
  const now = [...files].sort();
  if (was.join('\n') !== now.join('\n')) {
    const list = (fs: string[]) =>
      fs.length === 0 ? 'nothing readable' : fs.slice(0, 3).join(', ') + (fs.length > 3 ? ', …' : '');
    log(
      l10n.t(
        'The corpus differs from the one the model was last trained on (was {0}; now {1}); resuming goes on pretraining on the new text, which adapts the model to it.',
        list(before),
        list(now),
      ),
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
