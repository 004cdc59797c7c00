import { onnxInference } from '../backend';
import { type Gpt, gptBlockNames, POSITION_EMBEDDING, TOKEN_EMBEDDING } from '../models/gpt';
import { causalBiasValues } from '../models/layers';
import { OnnxLayers } from './blocks';
import { GraphBuilder, paramWeights } from './graph';
import type { Fetched } from './runtime';
import { OrtOrTfjs, OrtSession } from './runtime';

// Inputs: input_ids [B, T] int32, position_ids [T] int32, causal_bias [T, T] float32 (-1e9 above the
// diagonal, layers.ts causalBias). Outputs: attn_0..attn_{L-1} [B, heads, T, T], hidden [B, T, C].
function gptGraph(model: Gpt): Uint8Array {
  const c = model.config;
  const g = new GraphBuilder();
  const o = layersOf(model, g);
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

// Inputs: input_ids [1, N], position_ids [N], causal_bias [N, S] (S = P + N positions seen), last [1]
// (N − 1), past_k_l, past_v_l [1, heads, P, dh] (P = 0 for the prompt). Outputs: logits [1, 1, V] at the
// last position, present_k_l, present_v_l [1, heads, S, dh]. One graph for the prompt and every later
// token: the weights are held once.
function gptDecodeGraph(model: Gpt): Uint8Array {
  const c = model.config;
  const g = new GraphBuilder();
  const o = layersOf(model, g);
  const nh = c.numHeads;
  const dh = c.hiddenSize / nh;
  const ids = g.input('input_ids', 'int32', [1, 'N']);
  const pos = g.input('position_ids', 'int32', ['N']);
  const bias = g.input('causal_bias', 'float32', ['N', 'S']);
  const last = g.input('last', 'int32', [1]);
  let x = g.node('Add', [
    g.node('Gather', [o.W(TOKEN_EMBEDDING), ids]),
    g.node('Gather', [o.W(POSITION_EMBEDDING), pos]),
  ]);
  for (let l = 0; l < c.numLayers; l++) {
    const cache = { presentK: `present_k_${l}`, presentV: `present_v_${l}` };
    const inputs = {
      pastK: g.input(`past_k_${l}`, 'float32', [1, nh, 'P', dh]),
      pastV: g.input(`past_v_${l}`, 'float32', [1, nh, 'P', dh]),
    };
    x = o.block(x, gptBlockNames(l), c.hiddenSize, nh, c.norm, bias, undefined, { ...cache, ...inputs });
  }
  if (c.norm === 'pre') x = o.ln(x, 'ln_f');
  g.output('logits', 'float32', [1, 1, c.vocabSize]);
  g.node('Identity', [o.tiedLogitsAt(x, last, TOKEN_EMBEDDING)], {}, 'logits');
  return g.serialize('gpt_decode');
}

function layersOf(model: Gpt, g: GraphBuilder): OnnxLayers {
  return new OnnxLayers(g, paramWeights(model.params), model.config.layerNormEps, 'gelu_new');
}

/** The keys and values a decoding step on ONNX Runtime left, per layer [1, heads, positions, dh]. */
export interface OrtKv {
  k: Fetched[];
  v: Fetched[];
}

export class OnnxGpt {
  // each graph is built on first use: the attention one, the decoding step's
  private session?: OrtSession;
  private step?: OrtSession;

  // tfjs from the first failure on, for each use apart (an attention failure does not stop a generation
  // under way)
  private readonly ortAttend = new OrtOrTfjs();
  private readonly ortDecode = new OrtOrTfjs();

  constructor(private readonly model: Gpt) {}

  /**
   * Feeds ids after the `past` positions whose keys and values `kv` holds (none when `past` is 0);
   * returns the next-token logits [V] and the keys and values with these positions added.
   */
  decode(
    ids: readonly number[],
    past: number,
    kv: OrtKv | undefined,
  ): { logits: Float32Array; kv: OrtKv } | undefined {
    const S = past + ids.length; // an overrun is the input's, said here, not a reason to leave ORT
    if (S > this.model.config.maxPositions)
      throw new Error(
        `The input has ${S} tokens; this model's context window is ${this.model.config.maxPositions}.`,
      );
    return this.ortDecode.run(() => this.decodeOrt(ids, past, kv));
  }

  private decodeOrt(
    ids: readonly number[],
    past: number,
    kv: OrtKv | undefined,
  ): { logits: Float32Array; kv: OrtKv } {
    const c = this.model.config;
    const n = ids.length;
    const S = past + n;
    // query i sits at position past + i and sees keys 0 … past + i
    const bias = causalBiasValues(n, past);
    const feeds: Parameters<OrtSession['run']>[0] = {
      input_ids: { data: Int32Array.from(ids), dims: [1, n] },
      position_ids: { data: Int32Array.from({ length: n }, (_, i) => past + i), dims: [n] },
      causal_bias: { data: bias, dims: [n, S] },
      last: { data: Int32Array.of(n - 1), dims: [1] },
    };
    const L = c.numLayers;
    const none = { data: new Float32Array(0), dims: [1, c.numHeads, 0, c.hiddenSize / c.numHeads] };
    for (let l = 0; l < L; l++) {
      feeds[`past_k_${l}`] = past > 0 && kv ? kv.k[l] : none;
      feeds[`past_v_${l}`] = past > 0 && kv ? kv.v[l] : none;
    }
    this.step ??= new OrtSession(() => gptDecodeGraph(this.model));
    const session = this.step;
    const names = Array.from({ length: L }, (_, l) => [`present_k_${l}`, `present_v_${l}`]).flat();
    const out = session.run(feeds, ['logits', ...names]);
    return {
      logits: out.logits.data,
      kv: {
        k: Array.from({ length: L }, (_, l) => out[`present_k_${l}`]),
        v: Array.from({ length: L }, (_, l) => out[`present_v_${l}`]),
      },
    };
  }

  /** One sequence; weights [layers, heads, T, T], upper triangle 0; undefined when ORT cannot run it. */
  attend(ids: readonly number[]): Float32Array | undefined {
    return this.ortAttend.run(() => this.attendOrt(ids));
  }

  private attendOrt(ids: readonly number[]): Float32Array {
    const T = ids.length;
    const L = this.model.config.numLayers;
    const bias = causalBiasValues(T);
    const names = Array.from({ length: L }, (_, l) => `attn_${l}`);
    this.session ??= new OrtSession(() => gptGraph(this.model));
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
    this.session?.dispose();
    this.step?.dispose();
  }
}

/** The ONNX twin of a GPT when inference runs on ONNX Runtime, else undefined (then tfjs serves). */
export function onnxGptTwin(model: Gpt): OnnxGpt | undefined {
  // a serialized ONNX model holds at most 2 GB (protobuf), and building one copies every weight:
  // models past a gigabyte of float32 stay on tfjs
  if (!onnxInference() || model.parameterCount * 4 > 1e9) return undefined;
  return new OnnxGpt(model); // its graphs are built on first use
}
