// What every loaded model offers the analysis code: its kind, its capabilities and a summary, plus one
// optional member per capability. Analysis asks for a capability (`requireCapability`), never for a
// concrete class, so a GPT or an ELMo arrives as one more implementation of this interface.
import * as path from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import type { ElmoSummary, ModelSummary, PredictMaskResult, W2vSummary } from '../../shared/configs';
import { type Capability, KINDS, type ModelKind, missingCapabilityMessage } from '../../shared/modelKinds';
import type { Vocab } from '../tokenizer/vocab';
import type { WordPieceTokenizer } from '../tokenizer/wordpiece';
import type { LoadedVectors } from '../word2vec/vectors';
import type { AttentionModel } from './attention';
import type { CausalLm } from './generate';

/** Fills [MASK]s written in a text, or a selected word masked whole. */
export interface MaskedLm {
  predictMasks(text: string, topK?: number): PredictMaskResult;
  predictWord(text: string, start: number, end: number, topK?: number): PredictMaskResult;
}

/** A Transformer encoder with its tokenizer: what contextual vectors read. */
export interface TransformerEncoder {
  readonly tok: WordPieceTokenizer;
  readonly vocab: Vocab;
  readonly numLayers: number;
  readonly hiddenSize: number;
  /**
   * Hidden states of one layer (0 = embedding output, numLayers = last) for a padded batch:
   * ids and mask are [B, T] row-major; returns [B, T, H]. The caller disposes it.
   */
  hiddenStates(ids: Int32Array, mask: Float32Array, batch: number, layer: number): tf.Tensor3D;
}

/** A token of a text with its character span; `known` is false for a word outside the vocabulary. */
export interface LayerToken {
  token: string;
  start: number; // UTF-16 offsets into the text
  end: number;
  known: boolean;
}

/**
 * Every layer's vector per token of a text (a biLM such as ELMo: layer 0 the token layer, then each
 * biLSTM layer), for models whose tokens are words rather than WordPieces.
 */
export interface LayerStates {
  readonly numLayers: number; // representations per token (ELMo: 3)
  readonly dim: number;
  readonly maxTokens: number; // a longer text is cut to this many tokens
  /** layers[l][i] is token i's vector at layer l (dim numbers); truncated when the text was cut. */
  tokenLayers(text: string): { tokens: LayerToken[]; layers: Float32Array[][]; truncated: boolean };
}

export interface LoadedModel {
  readonly kind: ModelKind;
  readonly dir: string; // a model folder, or a word-vector file
  readonly capabilities: readonly Capability[];
  readonly summary: ModelSummary | W2vSummary | ElmoSummary;
  readonly maskedLm?: MaskedLm; // predictMask
  readonly attention?: AttentionModel; // attention
  readonly contextual?: TransformerEncoder; // contextual (and layers)
  readonly embeddings?: LoadedVectors; // embeddings: a static word-vector table
  readonly languageModel?: CausalLm; // generate: a left-to-right LM (GPT)
  readonly layerStates?: LayerStates; // layers of a word-level biLM (ELMo), see requireLayerStates
  dispose(): void;
}

/** The member that carries each capability (capabilities without a member yet are absent). */
interface CapabilityMembers {
  predictMask: 'maskedLm';
  attention: 'attention';
  contextual: 'contextual';
  layers: 'contextual';
  embeddings: 'embeddings';
  generate: 'languageModel';
}
const MEMBER: { [C in keyof CapabilityMembers]: CapabilityMembers[C] } = {
  predictMask: 'maskedLm',
  attention: 'attention',
  contextual: 'contextual',
  layers: 'contextual',
  embeddings: 'embeddings',
  generate: 'languageModel',
};

export class MissingCapabilityError extends Error {
  override readonly name = 'MissingCapabilityError';
}

/**
 * The model's member for a capability, or one sentence naming the model, its kind, what the feature
 * needs and what to do.
 */
export function requireCapability<C extends keyof CapabilityMembers>(
  model: LoadedModel,
  cap: C,
): NonNullable<LoadedModel[CapabilityMembers[C]]> {
  const member = model[MEMBER[cap]];
  if (!model.capabilities.includes(cap) || member === undefined)
    throw new MissingCapabilityError(missingCapabilityMessage(modelName(model.dir), model.kind, cap));
  return member as NonNullable<LoadedModel[CapabilityMembers[C]]>;
}

export function modelName(dir: string): string {
  return path.basename(dir.replace(/[\\/]+$/, ''));
}

/** Word vectors (a word2vec folder or a vector file) as a loaded model: only the `embeddings` capability. */
export class VectorsModel implements LoadedModel {
  readonly kind = 'word2vec' as const;
  readonly capabilities = KINDS.word2vec.capabilities;
  readonly dir: string;
  readonly summary: W2vSummary;

  constructor(readonly embeddings: LoadedVectors) {
    this.dir = embeddings.summary.dir;
    this.summary = embeddings.summary;
  }

  dispose(): void {
    // plain typed arrays: nothing to free
  }
}
