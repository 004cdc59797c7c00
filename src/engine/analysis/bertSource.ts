// Where a BertPredictor (predictMask.ts) gets its BERT: a Pretrain Lab folder read into tfjs tensors, or
// what another reader made (a Hugging Face folder: checkpoint/hf/bert.ts), possibly already on ONNX
// Runtime with the tfjs weights left unread.
import type * as tf from '@tensorflow/tfjs-core';
import {
  bertVectors,
  loadModelFolder,
  type ModelConfigFile,
  readMetrics,
  type TrainerState,
} from '../checkpoint/bert';
import type { OnnxBert } from '../onnx/bert';
import type { Vocab } from '../tokenizer/vocab';
import type { LoadedVectors } from '../word2vec/vectors';

/**
 * A BERT as a reader gives it: its header, its ONNX Runtime model when the reader made one (a Hugging
 * Face folder: checkpoint/hf/), and its weights as tfjs tensors, which the model adopts when tfjs runs
 * it (read then, when the ONNX Runtime model answers instead).
 */
export interface BertSource {
  config: ModelConfigFile;
  vocab: Vocab;
  state?: TrainerState;
  weights: () => Map<string, tf.Tensor>;
  onnx?: OnnxBert;
  embeddings: () => LoadedVectors;
}

/** A Pretrain Lab BERT folder, its tensors read (and checked) now. */
export function folderSource(dir: string): BertSource {
  const loaded = loadModelFolder(dir);
  const s = loaded.state;
  return {
    config: loaded.config,
    vocab: loaded.vocab,
    state: s && { ...s, lastMetrics: s.lastMetrics ?? readMetrics(dir).at(-1) },
    weights: () => loaded.weights,
    embeddings: () => bertVectors(dir),
  };
}
