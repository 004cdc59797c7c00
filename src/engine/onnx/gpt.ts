// GPT (models/gpt.ts) on ONNX Runtime for Show Attention: token + position embeddings, causal blocks
// (fused QKV, pre- or post-LN, GPT-2's tanh GELU), every layer's attention as outputs. Generation keeps
// tfjs and its key/value cache.
import type * as tf from '@tensorflow/tfjs-core';
import { onnxInference } from '../backend';
import { type Gpt, gptBlockNames, POSITION_EMBEDDING, TOKEN_EMBEDDING } from '../models/gpt';
import { OnnxLayers } from './blocks';
import { GraphBuilder } from './graph';
import { OrtSession } from './runtime';

// Inputs: input_ids [B, T] int32, position_ids [T] int32, causal_bias [T, T] float32 (-1e9 above the
// diagonal, layers.ts causalBias). Outputs: attn_0..attn_{L-1} [B, heads, T, T], hidden [B, T, C].
function gptGraph(model: Gpt): Uint8Array {
  const c = model.config;
  const g = new GraphBuilder();
  const o = new OnnxLayers(
    g,
    (name) => {
      const p = model.params.get(name);
      if (!p) throw new Error(`The model has no parameter ${name}.`);
      return { shape: p.shape, data: (p as tf.Tensor).dataSync() as Float32Array };
    },
    c.layerNormEps,
    'gelu_new',
  );
  const ids = g.input('input_ids', 'int32', ['B', 'T']);
  const pos = g.input('position_ids', 'int32', ['T']);
  const bias = g.input('causal_bias', 'float32', ['T', 'T']);
  let x = g.node('Add', [
    g.node('Gather', [o.W(TOKEN_EMBEDDING), ids]),
    g.node('Gather', [o.W(POSITION_EMBEDDING), pos]),
  ]);
  for (let l = 0; l < c.numLayers; l++)
    x = o.block(x, gptBlockNames(l), c.hiddenSize, c.numHeads, c.norm, bias, `attn_${l}`);
  if (c.norm === 'pre') x = o.ln(x, 'ln_f');
  g.output('hidden', 'float32', ['B', 'T', c.hiddenSize]);
  g.node('Identity', [x], {}, 'hidden');
  return g.serialize('gpt');
}

export class OnnxGpt {
  private readonly session: OrtSession;

  constructor(private readonly model: Gpt) {
    this.session = new OrtSession(() => gptGraph(model));
  }

  /** One sequence; weights [layers, heads, T, T], upper triangle 0. */
  attend(ids: readonly number[]): Float32Array {
    const T = ids.length;
    const L = this.model.config.numLayers;
    const bias = new Float32Array(T * T);
    for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) bias[i * T + j] = -1e9;
    const names = Array.from({ length: L }, (_, l) => `attn_${l}`);
    const out = this.session.run(
      {
        input_ids: { data: Int32Array.from(ids), dims: [1, T] },
        position_ids: { data: Int32Array.from({ length: T }, (_, i) => i), dims: [T] },
        causal_bias: { data: bias, dims: [T, T] },
      },
      names,
    );
    const per = out.attn_0.data.length;
    const weights = new Float32Array(L * per);
    names.forEach((n, l) => {
      weights.set(out[n].data, l * per);
    });
    return weights;
  }

  dispose(): void {
    this.session.dispose();
  }
}

/** The ONNX twin of a GPT when inference runs on ONNX Runtime, else undefined (then tfjs serves). */
export function onnxGptTwin(model: Gpt): OnnxGpt | undefined {
  if (!onnxInference()) return undefined;
  try {
    return new OnnxGpt(model);
  } catch (e) {
    console.error(
      `ONNX Runtime could not load this model (${e instanceof Error ? e.message.split('\n')[0] : e}); it runs on TensorFlow.js.`,
    );
    return undefined;
  }
}
