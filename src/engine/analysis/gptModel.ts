// A GPT model folder as the engine serves it: `generate` (generation and next-token candidates through
// the key/value cache), `attention` (causal attention of every layer and head, causalAttention.ts) and
// `embeddings` (the token embedding as a vector table, read lazily).
import * as tf from '@tensorflow/tfjs-core';
import type { ModelSummary } from '../../shared/configs';
import type { Capability } from '../../shared/modelKinds';
import { disposeGptFolder, gptVectors, loadGptFolder, summariseGpt } from '../checkpoint/gpt';
import { Gpt, type KvCache } from '../models/gpt';
import { type OnnxGpt, onnxGptTwin } from '../onnx/gpt';
import type { BpeTokenizer } from '../tokenizer/bpe';
import type { LoadedVectors } from '../word2vec/vectors';
import type { AttentionModel } from './attention';
import { causalAttentionModel } from './causalAttention';
import type { CausalLm } from './generate';
import type { LoadedModel } from './loadedModel';

/** A Gpt with its tokenizer, as generation sees it. */
export class GptLm implements CausalLm {
  constructor(
    readonly model: Gpt,
    readonly tokenizer: BpeTokenizer,
    private readonly onnx?: OnnxGpt, // decoding steps on ONNX Runtime when inference runs there
  ) {}
  get contextSize(): number {
    return this.model.config.maxPositions;
  }
  decode(ids: readonly number[], cache: KvCache): tf.Tensor1D {
    if (this.onnx && (cache.length === 0 || cache.ort)) {
      const r = this.onnx.decode(ids, cache.length, cache.ort);
      if (r) {
        cache.ort = r.kv;
        cache.length += ids.length;
        return tf.tensor1d(r.logits);
      }
      if (cache.length > 0)
        throw new Error(
          'ONNX Runtime stopped in the middle of a generation; run it again (it runs on TensorFlow.js now).',
        );
    }
    return this.model.decode(ids, cache);
  }
  nll(ids: Int32Array): { sum: number; count: number } {
    const T = this.contextSize;
    let sum = 0;
    let count = 0;
    // non-overlapping windows of T + 1 tokens: each predicts its last T from what precedes them
    for (let at = 0; at + 1 < ids.length; at += T) {
      const n = Math.min(T, ids.length - 1 - at);
      const loss = tf.tidy(() =>
        this.model.loss(
          tf.tensor2d(ids.subarray(at, at + n), [1, n], 'int32'),
          tf.tensor2d(ids.subarray(at + 1, at + n + 1), [1, n], 'int32'),
        ),
      );
      sum += loss.dataSync()[0] * n;
      count += n;
      loss.dispose();
    }
    return { sum, count };
  }
}

export class GptModel implements LoadedModel {
  readonly kind = 'gpt' as const;
  readonly capabilities: readonly Capability[] = ['generate', 'attention', 'embeddings'];
  readonly summary: ModelSummary;
  readonly languageModel: GptLm;
  readonly attention: AttentionModel;
  private vectors?: LoadedVectors;
  private readonly onnx?: OnnxGpt; // attention on ONNX Runtime, when inference runs there

  constructor(readonly dir: string) {
    const f = loadGptFolder(dir);
    let model: Gpt;
    try {
      model = new Gpt(f.config.gpt, { weights: f.weights });
    } finally {
      disposeGptFolder(f); // the variables hold copies
    }
    this.onnx = onnxGptTwin(model);
    this.languageModel = new GptLm(model, f.tokenizer, this.onnx);
    this.attention = causalAttentionModel(model, f.tokenizer, this.onnx);
    this.summary = summariseGpt(dir);
  }

  get embeddings(): LoadedVectors {
    this.vectors ??= gptVectors(this.dir);
    return this.vectors;
  }

  dispose(): void {
    this.onnx?.dispose();
    this.languageModel.model.dispose();
  }
}
