// What every loaded model offers the analysis code: its kind, its capabilities and a summary, plus one
// optional member per capability. Analysis asks for a capability (`requireCapability`), never for a
// concrete class, so a GPT or an ELMo arrives as one more implementation of this interface.
import * as path from 'node:path';
import type { ModelSummary, PredictMaskResult, W2vSummary } from '../../shared/configs';
import { type Capability, type ModelKind, missingCapabilityMessage } from '../../shared/modelKinds';
import type { Bert } from '../models/bert';
import type { Vocab } from '../tokenizer/vocab';
import type { WordPieceTokenizer } from '../tokenizer/wordpiece';
import type { LoadedVectors } from '../word2vec/vectors';
import type { AttentionModel } from './attention';

/** Fills [MASK]s written in a text, or a selected word masked whole. */
export interface MaskedLm {
  predictMasks(text: string, topK?: number): PredictMaskResult;
  predictWord(text: string, start: number, end: number, topK?: number): PredictMaskResult;
}

/** A Transformer encoder with its tokenizer: what contextual vectors read. */
export interface TransformerEncoder {
  readonly model: Bert;
  readonly tok: WordPieceTokenizer;
  readonly vocab: Vocab;
}

export interface LoadedModel {
  readonly kind: ModelKind;
  readonly dir: string; // a model folder, or a word-vector file
  readonly capabilities: readonly Capability[];
  readonly summary: ModelSummary | W2vSummary;
  readonly maskedLm?: MaskedLm; // predictMask
  readonly attention?: AttentionModel; // attention
  readonly contextual?: TransformerEncoder; // contextual (and layers)
  readonly embeddings?: LoadedVectors; // embeddings: a static word-vector table
  dispose(): void;
}

/** The member that carries each capability (capabilities without a member yet are absent). */
interface CapabilityMembers {
  predictMask: 'maskedLm';
  attention: 'attention';
  contextual: 'contextual';
  layers: 'contextual';
  embeddings: 'embeddings';
}
const MEMBER: { [C in keyof CapabilityMembers]: CapabilityMembers[C] } = {
  predictMask: 'maskedLm',
  attention: 'attention',
  contextual: 'contextual',
  layers: 'contextual',
  embeddings: 'embeddings',
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
  readonly capabilities: readonly Capability[] = ['embeddings'];
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
