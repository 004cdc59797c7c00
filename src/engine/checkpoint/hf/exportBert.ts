// Our BERT written as a Hugging Face folder that `BertForPreTraining.from_pretrained(dir)` loads:
// config.json, model.safetensors with transformers' tensor names ([out, in] linear weights),
// vocab.txt, tokenizer_config.json and special_tokens_map.json. The masked-LM decoder is not written:
// transformers ties it to the word embedding, as its own save does. Options make the variants the
// tests read back (BertModel / BertForMaskedLM, no `bert.` prefix, F16 / BF16, shards, tokenizer.json).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../../shared/configs';
import { l10n } from '../../../shared/l10nCore';
import { writeFileAtomic } from '../../io/atomic';
import { CLS, MASK, PAD, SEP, UNK, type Vocab } from '../../tokenizer/vocab';
import type { ModelConfigFile } from '../bert';
import { bertParts, hfNameOf, transpose2d } from './bertNames';
import { SINGLE_FILE, type TensorToWrite, writeSafetensors, writeShardedSafetensors } from './safetensors';

export type HfBertArchitecture = 'BertForPreTraining' | 'BertForMaskedLM' | 'BertModel';

export interface HfBertWriteOptions {
  architecture?: HfBertArchitecture; // which heads are written; BertForPreTraining by default
  prefix?: 'bert.' | ''; // the encoder's prefix; 'bert.' as transformers saves task models
  dtype?: 'F32' | 'F16' | 'BF16';
  shards?: number; // >1: model-0000i-of-0000n.safetensors + model.safetensors.index.json
  tokenizerFile?: 'vocab.txt' | 'tokenizer.json';
}

export interface BertToWrite {
  bert: BertConfig;
  tokenizer: ModelConfigFile['tokenizer'];
  vocab: Vocab;
  weights: Map<string, tf.Tensor>; // our names
}

function hfConfig(c: BertConfig, arch: HfBertArchitecture, padId: number): Record<string, unknown> {
  return {
    architectures: [arch],
    model_type: 'bert',
    attention_probs_dropout_prob: c.dropout,
    hidden_act: c.hiddenAct ?? 'gelu',
    hidden_dropout_prob: c.dropout,
    hidden_size: c.hiddenSize,
    initializer_range: c.initializerRange,
    intermediate_size: c.intermediateSize,
    layer_norm_eps: c.layerNormEps,
    max_position_embeddings: c.maxPositions,
    num_attention_heads: c.numHeads,
    num_hidden_layers: c.numLayers,
    pad_token_id: padId,
    position_embedding_type: 'absolute',
    type_vocab_size: c.typeVocabSize,
    vocab_size: c.vocabSize,
    torch_dtype: 'float32',
    use_cache: true,
  };
}

/** Our weights under transformers' names, transposed where PyTorch stores [out, in]. */
export function hfTensors(m: BertToWrite, arch: HfBertArchitecture, prefix: string): TensorToWrite[] {
  const parts = bertParts(m.bert);
  const shapes = [
    ...parts.encoder,
    ...(arch === 'BertModel' ? [] : parts.mlm),
    ...(arch === 'BertForPreTraining' ? parts.nsp : []),
  ].filter(([ours]) => !ours.startsWith('pooler.') || m.weights.has(ours)); // BertForMaskedLM has none
  return shapes.map(([ours, shape]) => {
    const t = m.weights.get(ours);
    if (!t)
      throw new Error(l10n.t('The model has no parameter {0} to export; export a complete BERT.', ours));
    const { names, transpose } = hfNameOf(ours, prefix);
    const data = t.dataSync() as Float32Array;
    if (transpose && shape.length === 2)
      return { name: names[0], shape: [shape[1], shape[0]], data: transpose2d(data, shape[0], shape[1]) };
    return { name: names[0], shape, data: new Float32Array(data) };
  });
}

/** Writes a Hugging Face BERT folder into `dir` (created if needed; its files are replaced). */
export function writeHfBert(dir: string, m: BertToWrite, o: HfBertWriteOptions = {}): void {
  const arch = o.architecture ?? 'BertForPreTraining';
  fs.mkdirSync(dir, { recursive: true });
  const tensors = hfTensors(m, arch, o.prefix ?? 'bert.');
  if ((o.shards ?? 1) > 1) writeShardedSafetensors(dir, tensors, o.shards ?? 1, { dtype: o.dtype });
  else writeSafetensors(path.join(dir, SINGLE_FILE), tensors, { dtype: o.dtype });
  writeFileAtomic(
    path.join(dir, 'config.json'),
    JSON.stringify(hfConfig(m.bert, arch, m.vocab.padId), null, 2),
  );
  const lowercase = m.tokenizer.lowercase;
  const strip = m.tokenizer.stripAccents ?? lowercase;
  const specials = { unk_token: UNK, sep_token: SEP, pad_token: PAD, cls_token: CLS, mask_token: MASK };
  if (o.tokenizerFile === 'tokenizer.json') {
    const vocab = Object.fromEntries(m.vocab.tokens.map((t, i) => [t, i]));
    const json = {
      version: '1.0',
      normalizer: {
        type: 'BertNormalizer',
        clean_text: true,
        handle_chinese_chars: m.tokenizer.splitCjk ?? true,
        strip_accents: strip === lowercase ? null : strip,
        lowercase,
      },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      model: {
        type: 'WordPiece',
        unk_token: UNK,
        continuing_subword_prefix: '##',
        max_input_chars_per_word: 100,
        vocab,
      },
    };
    writeFileAtomic(path.join(dir, 'tokenizer.json'), JSON.stringify(json));
  } else {
    writeFileAtomic(path.join(dir, 'vocab.txt'), m.vocab.serialize());
    writeFileAtomic(
      path.join(dir, 'tokenizer_config.json'),
      JSON.stringify(
        {
          tokenizer_class: 'BertTokenizer',
          do_lower_case: lowercase,
          strip_accents: strip === lowercase ? null : strip,
          tokenize_chinese_chars: m.tokenizer.splitCjk ?? true,
          model_max_length: m.bert.maxPositions,
          ...specials,
        },
        null,
        2,
      ),
    );
  }
  writeFileAtomic(path.join(dir, 'special_tokens_map.json'), JSON.stringify(specials, null, 2));
}
