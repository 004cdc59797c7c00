// Builds a Seq2seq from the bases a person picked (Rothe et al. 2020's warm starts): the encoder from a
// BERT folder (ours or Hugging Face) or random, the decoder from a BERT, a GPT (ours or Hugging Face
// GPT-2) or random. A random half takes its shape and tokenizer from the other half (a BERT), or from
// --tokenizer when both are random. What is copied and what is new: models/seq2seqWarmStart.ts.
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../../shared/configs';
import { l10n } from '../../../shared/l10nCore';
import { KINDS } from '../../../shared/modelKinds';
import { loadGptFolder } from '../../checkpoint/gpt';
import { loadBertBase } from '../../checkpoint/hf/bert';
import { loadHfGpt2Weights, readHfGpt2Config, readHfGpt2Tokenizer } from '../../checkpoint/hf/gpt2';
import { folderKind } from '../../checkpoint/registry';
import type { Seq2seqConfigFile, Seq2seqTokenizers } from '../../checkpoint/seq2seq';
import { disposeAll } from '../../checkpoint/tensorFile';
import { type DecoderConfig, Seq2seq } from '../../models/seq2seq';
import {
  decoderConfigFromBert,
  decoderConfigFromGpt,
  decoderWeightsFromBert,
  decoderWeightsFromGpt,
  encoderWeightsFromBert,
} from '../../models/seq2seqWarmStart';
import type { BpeTokenizer } from '../../tokenizer/bpe';
import { WordPieceTokenizer } from '../../tokenizer/wordpiece';

export interface BuiltSeq2seq {
  model: Seq2seq;
  tokenizers: Seq2seqTokenizers;
  decoderFrom: 'bert' | 'gpt' | 'random';
  source: Seq2seqConfigFile['source'];
  target: Seq2seqConfigFile['target'];
  notices: string[];
}

type Base =
  | {
      type: 'bert';
      dir: string;
      config: BertConfig;
      tok: WordPieceTokenizer;
      tokOptions: WordPieceTokOptions;
      weights: Map<string, tf.Tensor>;
    }
  | {
      type: 'gpt';
      dir: string;
      weights: Map<string, tf.Tensor>;
      decoder: DecoderConfig;
      gpt: Parameters<typeof decoderWeightsFromGpt>[1];
      tok: BpeTokenizer;
    };
type WordPieceTokOptions = { lowercase: boolean; stripAccents?: boolean; splitCjk?: boolean };

function readBase(dir: string, role: 'encoder' | 'decoder' | 'tokenizer'): Base {
  const { kind } = folderKind(dir);
  if (kind === 'bert' || kind === 'hf-bert') {
    const b = loadBertBase(dir);
    const tokOptions = b.config.tokenizer;
    return {
      type: 'bert',
      dir,
      config: b.config.bert,
      tok: new WordPieceTokenizer(b.vocab, tokOptions),
      tokOptions,
      weights: b.weights,
    };
  }
  if (role === 'decoder' && kind === 'gpt') {
    const g = loadGptFolder(dir);
    return {
      type: 'gpt',
      dir,
      weights: g.weights,
      decoder: decoderConfigFromGpt(g.config.gpt),
      gpt: g.config.gpt,
      tok: g.tokenizer,
    };
  }
  if (role === 'decoder' && kind === 'hf-gpt2') {
    const c = readHfGpt2Config(dir);
    return {
      type: 'gpt',
      dir,
      weights: loadHfGpt2Weights(dir, c),
      decoder: decoderConfigFromGpt(c),
      gpt: c,
      tok: readHfGpt2Tokenizer(dir),
    };
  }
  const name = path.basename(dir);
  const label = KINDS[kind].label;
  throw new Error(
    role === 'decoder'
      ? l10n.t(
          '"{0}" is a {1} model; the decoder needs a BERT or GPT model, so pick one (or \'random\').',
          name,
          label,
        )
      : role === 'encoder'
        ? l10n.t(
            '"{0}" is a {1} model; the encoder needs a BERT model, so pick one (or \'random\').',
            name,
            label,
          )
        : l10n.t(
            '"{0}" is a {1} model; the tokenizer needs a BERT model, so pick one (or \'random\').',
            name,
            label,
          ),
  );
}

/**
 * When the decoder base writes with another vocabulary than the encoder reads, says so and how to
 * share the encoder's: the halves then keep separate embeddings (nothing is tied across them).
 */
function vocabularyNotice(
  enc: Extract<Base, { type: 'bert' }>,
  encDir: string,
  dec: Base | undefined,
  decDir: string,
): string | undefined {
  if (!dec) return undefined;
  const same =
    dec.type === 'bert' &&
    dec.tok.vocab.size === enc.tok.vocab.size &&
    dec.tok.vocab.tokens.every((t, i) => t === enc.tok.vocab.tokens[i]);
  if (same) return undefined;
  const name = (d: string) => (d === 'random' ? l10n.t('the tokenizer model') : path.basename(d));
  const size = dec.type === 'bert' ? dec.tok.vocab.size : dec.tok.size;
  return l10n.t(
    "The decoder's vocabulary ({0} {1}, from {2}) differs from the encoder's ({3} WordPieces, from {4}): outputs are written in the decoder's vocabulary and the two halves keep separate embeddings. To share the encoder's vocabulary, pick {4} (or 'random') as the decoder.",
    size.toLocaleString('en'),
    dec.type === 'bert' ? l10n.t('WordPieces') : l10n.t('BPE tokens'),
    name(decDir),
    enc.tok.vocab.size.toLocaleString('en'),
    name(encDir),
  );
}

function disposeBase(b: Base | undefined): void {
  if (b) disposeAll(b.weights);
}

/** The model and tokenizers for the chosen halves; the caller disposes the model. */
export function buildSeq2seq(o: {
  encoder: string;
  decoder: string;
  tokenizer?: string;
  seed: number;
}): BuiltSeq2seq {
  const notices: string[] = [];
  let enc: Base | undefined;
  let dec: Base | undefined;
  let like: Base | undefined;
  try {
    if (o.encoder !== 'random') enc = readBase(o.encoder, 'encoder');
    if (o.decoder !== 'random') dec = readBase(o.decoder, 'decoder');
    // the BERT a random half copies its shape and tokenizer from
    let shape = enc?.type === 'bert' ? enc : dec?.type === 'bert' ? dec : undefined;
    if (!shape && o.tokenizer) {
      like = readBase(o.tokenizer, 'tokenizer');
      shape = like.type === 'bert' ? like : undefined;
    }
    if (!shape)
      throw new Error(
        l10n.t(
          'A random half needs a BERT to take its shape and tokenizer from; give --tokenizer with a BERT model folder.',
        ),
      );
    const encoderBert = enc?.type === 'bert' ? enc : shape;
    const weights = new Map<string, tf.Tensor>();
    if (enc?.type === 'bert')
      for (const [n, t] of encoderWeightsFromBert(enc.weights, enc.config)) weights.set(n, t);
    let decoder: DecoderConfig;
    let target: Seq2seqTokenizers['target'];
    let targetSpec: Seq2seqConfigFile['target'];
    let decoderFrom: BuiltSeq2seq['decoderFrom'] = 'random';
    if (dec?.type === 'bert') {
      decoder = decoderConfigFromBert(dec.config);
      for (const [n, t] of decoderWeightsFromBert(dec.weights, dec.config)) weights.set(n, t);
      target = { type: 'wordpiece', tok: dec.tok };
      targetSpec = { type: 'wordpiece', options: dec.tokOptions };
      decoderFrom = 'bert';
      notices.push(
        l10n.t(
          'The decoder is the BERT with a causal mask; its cross-attention layers are new and randomly initialised.',
        ),
      );
    } else if (dec?.type === 'gpt') {
      decoder = dec.decoder;
      for (const [n, t] of decoderWeightsFromGpt(dec.weights, dec.gpt)) weights.set(n, t);
      target = { type: 'bpe', tok: dec.tok };
      targetSpec = { type: 'bpe', preTokenizer: dec.tok.preTokenizer };
      decoderFrom = 'gpt';
      notices.push(
        l10n.t('The decoder is the GPT; its cross-attention layers and the LM output bias are new.'),
      );
    } else {
      const s = shape.type === 'bert' ? shape : encoderBert;
      if (s.type !== 'bert') throw new Error('unreachable');
      decoder = decoderConfigFromBert(s.config);
      target = { type: 'wordpiece', tok: s.tok };
      targetSpec = { type: 'wordpiece', options: s.tokOptions };
    }
    if (encoderBert.type !== 'bert') throw new Error('unreachable');
    const differs = vocabularyNotice(encoderBert, o.encoder, dec, o.decoder);
    if (differs) notices.push(differs);
    try {
      const model = new Seq2seq({ encoder: encoderBert.config, decoder }, { seed: o.seed, weights });
      return {
        model,
        tokenizers: { source: encoderBert.tok, target },
        decoderFrom,
        source: { type: 'wordpiece', options: encoderBert.tokOptions },
        target: targetSpec,
        notices,
      };
    } finally {
      disposeAll(weights);
    }
  } finally {
    disposeBase(enc);
    disposeBase(dec);
    disposeBase(like);
  }
}
