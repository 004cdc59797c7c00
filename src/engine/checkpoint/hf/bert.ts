// The registry's row for Hugging Face BERT folders (kind `hf-bert`): load as a LoadedModel that serves
// attention, contextual vectors, the input embeddings and fine-tuning, and Predict Mask only when the
// checkpoint has the masked-LM head; summarise from config.json; read the word embedding alone for the
// Embedding Explorer. Writing (export) is in exportBert.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ModelSummary } from '../../../shared/configs';
import { l10n } from '../../../shared/l10nCore';
import { type Capability, detectKind, hfBertCapabilities } from '../../../shared/modelKinds';
import type { AttentionModel } from '../../analysis/attention';
import type { LoadedModel, MaskedLm, TransformerEncoder } from '../../analysis/loadedModel';
import { BertPredictor } from '../../analysis/predictMask';
import { type LoadedVectors, WordVectors } from '../../word2vec/vectors';
import { type BertFolder, bertParamCount, bertVectors, loadModelFolder, summarize } from '../bert';
import { readModelJson } from '../files';
import type { KindHandler } from '../registry';
import {
  encoderPrefix,
  loadHfBertFolder,
  openHfWeights,
  planHfBertWeights,
  readHfBertConfig,
  readHfBertHeader,
  readHfBertTokenizer,
  readHfBertWeights,
} from './bertFolder';
import { hfOnnxTwin } from './bertOnnx';
import { writeHfBert } from './exportBert';

/** The word-embedding table as static WordPiece vectors, read alone from the safetensors file. */
export function hfBertVectors(dir: string): LoadedVectors {
  const reader = openHfWeights(dir);
  const { vocab } = readHfBertTokenizer(dir);
  const { shape, data } = reader.read(`${encoderPrefix(reader, dir)}embeddings.word_embeddings.weight`);
  const [V, H] = shape;
  const rows = Math.min(V, vocab.size);
  return {
    vectors: new WordVectors([...vocab.tokens.slice(0, rows)], H, data.subarray(0, rows * H)),
    summary: { dir, type: 'word2vec', dim: H, vocabSize: rows, source: 'pretrain-lab' },
    kind: 'hf-bert',
    label: l10n.t('Hugging Face BERT input embeddings'),
  };
}

/** From config.json alone (the Models view and `info`); the tensors are not read. */
export function summariseHfBert(dir: string): ModelSummary {
  const bert = readHfBertConfig(dir);
  const s = summarize(
    dir,
    {
      format: 'pretrain-lab/bert',
      formatVersion: 1,
      modelType: 'bert',
      bert,
      tokenizer: { lowercase: true },
      createdAt: '',
    },
    undefined,
    bertParamCount(bert),
  );
  return { ...s, preset: 'Hugging Face', createdAt: undefined };
}

/**
 * A Hugging Face BERT as the engine serves it. With ONNX Runtime, the session maps the weight file and
 * computes on it in place (bertOnnx.ts); the weights are read into tfjs only if something needs tfjs.
 */
export class HfBertModel implements LoadedModel {
  readonly kind = 'hf-bert' as const;
  readonly capabilities: readonly Capability[];
  readonly summary: ModelSummary;
  readonly maskedLm?: MaskedLm;
  readonly predictor: BertPredictor;

  constructor(readonly dir: string) {
    const { config, vocab } = readHfBertHeader(dir);
    const plan = planHfBertWeights(dir, config.bert);
    const onnx = hfOnnxTwin(config.bert, plan);
    try {
      this.predictor = new BertPredictor(dir, {
        config,
        vocab,
        weights: () => readHfBertWeights(plan),
        onnx,
        embeddings: () => hfBertVectors(dir),
      });
    } catch (e) {
      onnx?.dispose();
      throw e;
    }
    this.capabilities = hfBertCapabilities(plan.hasMlm);
    this.summary = { ...this.predictor.summary, preset: 'Hugging Face' };
    if (plan.hasMlm) this.maskedLm = this.predictor;
  }

  get attention(): AttentionModel {
    return this.predictor;
  }

  get contextual(): TransformerEncoder {
    return this.predictor;
  }

  get embeddings(): LoadedVectors {
    return this.predictor.embeddings;
  }

  get name(): string {
    return path.basename(this.dir);
  }

  dispose(): void {
    this.predictor.dispose();
  }
}

export const hfBertHandler: KindHandler<typeof writeHfBert> = {
  kind: 'hf-bert',
  load: (dir) => new HfBertModel(dir),
  summarise: summariseHfBert,
  vectors: hfBertVectors,
  save: writeHfBert,
};

function isHfBert(dir: string): boolean {
  const config = path.join(dir, 'config.json');
  if (!fs.existsSync(config)) return false;
  const d = detectKind(readModelJson(config));
  return d.ok && d.kind === 'hf-bert';
}

/** A BERT to fine-tune on: a Pretrain Lab folder or a Hugging Face one (the caller disposes the weights). */
export function loadBertBase(dir: string): BertFolder {
  return isHfBert(dir) ? loadHfBertFolder(dir) : loadModelFolder(dir);
}

/** The input embeddings of a BERT base of either layout. */
export function bertBaseVectors(dir: string): LoadedVectors {
  return isHfBert(dir) ? hfBertVectors(dir) : bertVectors(dir);
}
