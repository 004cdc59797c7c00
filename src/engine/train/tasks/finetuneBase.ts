// What a fine-tuning run puts below its head, from the --model it was given:
// - a BERT folder (ours or Hugging Face's): its pretrained encoder;
// - the same with --from-scratch, or `random:<preset>`: a BERT of that config with fresh weights, the
//   "what pretraining buys" baseline (a preset takes the bundled starter's vocabulary);
// - a word2vec folder: its vectors as frozen input features (wordFeatures.ts);
// - an ELMo or a GPT folder (finetuneBaseLm.ts).
// Each comes with its encoder (models/taskEncoders/) and its own tokenizer.

import * as path from 'node:path';
import { BERT_PRESETS, isBertPreset } from '../../../shared/configs';
import type { TaskFamily } from '../../../shared/finetune';
import { l10n } from '../../../shared/l10nCore';
import { KINDS } from '../../../shared/modelKinds';
import { type BaseRef, baseRefOf, bundledStarterDir } from '../../checkpoint/baseRef';
import { disposeLoaded } from '../../checkpoint/bert';
import { loadBertBase } from '../../checkpoint/hf/bert';
import { folderKind } from '../../checkpoint/registry';
import { loadW2vVectors, readW2vConfig } from '../../checkpoint/word2vec';
import { writeFileAtomic } from '../../io/atomic';
import { Bert } from '../../models/bert';
import { BertTaskEncoder, wordPieceTaskTokenizer } from '../../models/taskEncoders/bert';
import type { BaseKind, TaskEncoder, TaskTokenizer } from '../../models/taskEncoders/types';
import { WordFeaturesTaskEncoder } from '../../models/taskEncoders/word2vec';
import { featureVocabTokens, WordFeatures } from '../../models/wordFeatures';
import { Vocab } from '../../tokenizer/vocab';
import { WordPieceTokenizer } from '../../tokenizer/wordpiece';
import { BaseModelError } from './baseModelError';
import { DEFAULT_LM_WEIGHT, openElmoBase, openGptBase } from './finetuneBaseLm';

export { BaseModelError } from './baseModelError';

/** How the encoder below the head came to be, as the fine-tuned config records it. */
export type BaseInit = 'pretrained' | 'random' | 'word2vec';

export interface TaskBase {
  kind: BaseKind;
  encoder: TaskEncoder;
  tok: TaskTokenizer;
  saveVocab(dir: string): void; // the tokenizer's files, into the fine-tuned folder
  tokenizer: { lowercase: boolean; stripAccents?: boolean; splitCjk?: boolean };
  ref: BaseRef;
  init: BaseInit;
  label: string; // for the log: "BERT (pretrained)", "BERT tiny (random init)", "word2vec features"
}

/** `random:tiny` and the like: a preset with fresh weights and no folder of its own. */
export function randomPreset(model: string): string | undefined {
  const m = /^random:(\w+)$/.exec(model);
  if (!m) return undefined;
  if (!isBertPreset(m[1]))
    throw new BaseModelError(
      l10n.t('{0} names no BERT size; use random:tiny, random:mini, random:small or random:base.', model),
    );
  return m[1];
}

function wordPieceBase(
  kind: BaseKind,
  encoder: TaskEncoder,
  tok: WordPieceTokenizer,
): Pick<TaskBase, 'kind' | 'encoder' | 'tok' | 'saveVocab'> {
  const saveVocab = (dir: string) => writeFileAtomic(path.join(dir, 'vocab.txt'), tok.vocab.serialize());
  return { kind, encoder, tok: wordPieceTaskTokenizer(tok), saveVocab };
}

export interface BaseOptions {
  task?: TaskFamily;
  lmWeight?: number; // GPT's auxiliary LM loss weight
}

/** Opens the base of a run; `seed` draws the fresh weights of a from-scratch run. */
export function openTaskBase(
  model: string,
  fromScratch: boolean,
  seed: number,
  o: BaseOptions = {},
): TaskBase {
  const preset = randomPreset(model);
  if (preset !== undefined && isBertPreset(preset)) {
    const starter = bundledStarterDir();
    if (!starter)
      throw new BaseModelError(
        l10n.t(
          "{0} needs the bundled starter's vocabulary, which this install lacks; give a BERT folder with --from-scratch instead.",
          model,
        ),
      );
    const b = loadBertBase(starter);
    disposeLoaded(b);
    const cfg = { ...BERT_PRESETS[preset], vocabSize: b.vocab.tokens.length };
    return {
      ...wordPieceBase(
        'bert',
        new BertTaskEncoder(new Bert(cfg, { seed })),
        new WordPieceTokenizer(b.vocab, b.config.tokenizer),
      ),
      tokenizer: b.config.tokenizer,
      ref: { ...baseRefOf(starter), name: model },
      init: 'random',
      label: l10n.t('BERT {0} (random init)', preset),
    };
  }
  const { kind } = folderKind(model);
  if (kind === 'word2vec') {
    if (fromScratch)
      throw new BaseModelError(
        l10n.t('--from-scratch needs a BERT folder; a word2vec base is used as frozen features only.'),
      );
    const lv = loadW2vVectors(model);
    const lowercase = readW2vConfig(model)?.tokenizer.lowercase ?? true;
    const vocab = new Vocab(featureVocabTokens(lv.vectors.words));
    const tokenizer = { lowercase, stripAccents: false };
    return {
      ...wordPieceBase(
        'word2vec',
        new WordFeaturesTaskEncoder(new WordFeatures(lv.vectors, vocab)),
        new WordPieceTokenizer(vocab, tokenizer),
      ),
      tokenizer,
      ref: baseRefOf(model),
      init: 'word2vec',
      label: l10n.t('word2vec features (frozen)'),
    };
  }
  if (kind === 'elmo') return openElmoBase(model, fromScratch);
  if (kind === 'gpt')
    return openGptBase(model, o.task ?? 'classify', fromScratch, seed, o.lmWeight ?? DEFAULT_LM_WEIGHT);
  if (kind !== 'bert' && kind !== 'hf-bert')
    throw new BaseModelError(
      l10n.t(
        '"{0}" is a {1} model, which cannot be fine-tuned; pick a BERT, GPT, ELMo or word2vec model, or random:tiny.',
        path.basename(model),
        KINDS[kind].label,
      ),
    );
  const base = loadBertBase(model);
  try {
    const bert = fromScratch
      ? new Bert(base.config.bert, { seed })
      : new Bert(base.config.bert, { weights: base.weights });
    return {
      ...wordPieceBase(
        'bert',
        new BertTaskEncoder(bert),
        new WordPieceTokenizer(base.vocab, base.config.tokenizer),
      ),
      tokenizer: base.config.tokenizer,
      ref: baseRefOf(model),
      init: fromScratch ? 'random' : 'pretrained',
      label: fromScratch
        ? l10n.t("BERT of {0}'s size (random init)", path.basename(model))
        : l10n.t('BERT (pretrained)'),
    };
  } finally {
    disposeLoaded(base);
  }
}
