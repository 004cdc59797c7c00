// The language-model bases of a fine-tuning run, opened for training and reopened from a fine-tuned
// folder: an ELMo biLM (feature-based only: a scalar mix of its layers and the head train) and a GPT
// (its input transformation, the auxiliary LM loss weighted by λ, freeze none|all|N as for BERT).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { GptConfig } from '../../../shared/configs';
import type { TaskFamily } from '../../../shared/finetune';
import { l10n } from '../../../shared/l10nCore';
import { baseRefOf } from '../../checkpoint/baseRef';
import { disposeElmoFolder, loadElmoFolder } from '../../checkpoint/elmo';
import { disposeGptFolder, loadGptFolder } from '../../checkpoint/gpt';
import { ElmoVocab } from '../../data/elmoData';
import { writeFileAtomic } from '../../io/atomic';
import { Elmo } from '../../models/elmo';
import { ElmoTaskEncoder, elmoTaskTokenizer } from '../../models/taskEncoders/elmo';
import { GptTaskEncoder, gptTagRefusal, gptTaskTokenizer } from '../../models/taskEncoders/gpt';
import { BpeTokenizer } from '../../tokenizer/bpe';
import { BaseModelError } from './baseModelError';
import type { TaskBase } from './finetuneBase';

/** The paper's λ (Radford et al. 2018 §4.1). */
export const DEFAULT_LM_WEIGHT = 0.5;

export function openElmoBase(dir: string, fromScratch: boolean): TaskBase {
  if (fromScratch)
    throw new BaseModelError(
      l10n.t('--from-scratch needs a BERT folder; an ELMo base is used feature-based only.'),
    );
  const f = loadElmoFolder(dir);
  try {
    const lowercase = f.config.tokenizer.lowercase;
    return {
      kind: 'elmo',
      encoder: new ElmoTaskEncoder(new Elmo(f.config.elmo, { weights: f.weights })),
      tok: elmoTaskTokenizer(f.vocab, lowercase),
      tokenizer: { lowercase },
      saveVocab: (out) => writeFileAtomic(path.join(out, 'vocab.txt'), f.vocab.serialize()),
      ref: baseRefOf(dir),
      init: 'pretrained',
      label: l10n.t('ELMo (frozen biLM, learned scalar mix of its layers)'),
    };
  } finally {
    disposeElmoFolder(f);
  }
}

export function openGptBase(
  dir: string,
  task: TaskFamily,
  fromScratch: boolean,
  seed: number,
  lmWeight: number,
): TaskBase {
  if (task === 'tag') throw new BaseModelError(gptTagRefusal());
  const f = loadGptFolder(dir);
  try {
    const enc = new GptTaskEncoder(f.config.gpt, fromScratch ? { seed } : f.weights, lmWeight);
    const init = fromScratch ? l10n.t('random init') : l10n.t('pretrained');
    return {
      kind: 'gpt',
      encoder: enc,
      tok: gptTaskTokenizer(f.tokenizer),
      tokenizer: { lowercase: false },
      saveVocab: (out) => f.tokenizer.save(out, writeFileAtomic),
      ref: baseRefOf(dir),
      init: fromScratch ? 'random' : 'pretrained',
      label:
        task === 'pair'
          ? l10n.t(
              'GPT ({0}; <start> … <extract> input; pairs read in both orders, final states added; LM loss weight λ = {1})',
              init,
              lmWeight,
            )
          : l10n.t('GPT ({0}; <start> … <extract> input; LM loss weight λ = {1})', init, lmWeight),
    };
  } finally {
    disposeGptFolder(f);
  }
}

/** The encoder and tokenizer of a fine-tuned folder on an ELMo or GPT base. */
export function reopenLmEncoder(
  dir: string,
  c: {
    baseKind?: string;
    bert: object;
    encoder: 'saved' | 'base';
    tokenizer: { lowercase: boolean };
    lmWeight?: number;
  },
  baseDir: () => string,
  weights: Map<string, tf.Tensor>,
) {
  if (c.baseKind === 'elmo') {
    const f = loadElmoFolder(baseDir());
    try {
      const vocab = ElmoVocab.parse(fs.readFileSync(path.join(dir, 'vocab.txt'), 'utf8'));
      return {
        encoder: new ElmoTaskEncoder(new Elmo(f.config.elmo, { weights: f.weights }), weights),
        tok: elmoTaskTokenizer(vocab, c.tokenizer.lowercase),
      };
    } finally {
      disposeElmoFolder(f);
    }
  }
  const tok = BpeTokenizer.load(dir);
  const cfg = c.bert as GptConfig;
  const lm = c.lmWeight ?? DEFAULT_LM_WEIGHT;
  if (c.encoder === 'saved')
    return { encoder: new GptTaskEncoder(cfg, weights, lm), tok: gptTaskTokenizer(tok) };
  const f = loadGptFolder(baseDir());
  try {
    return { encoder: new GptTaskEncoder(cfg, f.weights, lm), tok: gptTaskTokenizer(tok) };
  } finally {
    disposeGptFolder(f);
  }
}
