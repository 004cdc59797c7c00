// The Transformer pieces of models/layers.ts as ONNX nodes, by the same parameter names: dense, layer
// norm, activation, multi-head self-attention (separate or fused QKV, an additive bias) and the post- or
// pre-LN block. Each returns the name of its output in the graph.
import type { CrossAttentionNames, DecoderBlockNames } from '../models/crossAttention';
import type { BlockNames } from '../models/layers';
import type { GraphBuilder, WeightSource } from './graph';

export type Activation = 'gelu' | 'gelu_new' | 'relu';

/** A decoding step's key/value cache in a graph: the inputs of the positions before (none on the first step) and the outputs with these added. */
export interface KvNames {
  pastK?: string;
  pastV?: string;
  presentK: string;
  presentV: string;
}

export class OnnxLayers {
  private readonly added = new Map<string, string>();
  private readonly transposed = new Set<string>(); // kernels stored [out, in]

  constructor(
    readonly g: GraphBuilder,
    private readonly w: WeightSource,
    private readonly eps: number,
    private readonly activation: Activation | undefined,
  ) {}

  /** A parameter as an initializer, added once however often it is used. */
  W(name: string): string {
    let n = this.added.get(name);
    if (!n) {
      const t = this.w(name);
      n = 'slice' in t ? this.g.fileWeight(name, t.shape, t.slice) : this.g.weight(name, t.shape, t.data);
      this.added.set(name, n);
      if (t.transposed) this.transposed.add(n);
    }
    return n;
  }

  ln(x: string, p: string): string {
    return this.g.node('LayerNormalization', [x, this.W(`${p}.gamma`), this.W(`${p}.beta`)], {
      axis: -1,
      epsilon: { float: this.eps },
    });
  }

  /**
   * BERT's input embeddings (models/bert.ts): word + position + token type, then their LayerNorm.
   * `segs`: the segment ids [B, T], or undefined for segment 0 everywhere (one sentence).
   */
  bertEmbeddings(ids: string, pos: string, segs: string | undefined): string {
    const g = this.g;
    const types = this.W('embeddings.token_type_embeddings');
    const type = g.node('Gather', [types, segs ?? g.ints([0])]); // [B, T, H], or segment 0's [1, H]
    const emb = g.node('Add', [
      g.node('Add', [
        g.node('Gather', [this.W('embeddings.word_embeddings'), ids]), // [B, T, H]
        g.node('Gather', [this.W('embeddings.position_embeddings'), pos]), // [T, H], broadcast over B
      ]),
      type,
    ]);
    return this.ln(emb, 'embeddings.LayerNorm');
  }

  /** x·W + b; a kernel stored [out, in] is read as it lies (FusedMatMul transB), never transposed. */
  dense(x: string, p: string): string {
    const w = this.W(`${p}.kernel`);
    const xw = this.transposed.has(w)
      ? this.g.msNode('FusedMatMul', [x, w], { transB: 1 })
      : this.g.node('MatMul', [x, w]);
    return this.g.node('Add', [xw, this.W(`${p}.bias`)]);
  }

  /** Logits at one position of x [B, T, C] (`at`: an int32 [1] input) through the LM head tied to `embedding` [V, C]: [B, 1, V]. */
  tiedLogitsAt(x: string, at: string, embedding: string): string {
    const h = this.g.node('Gather', [x, at], { axis: 1 }); // [B, 1, C]
    return this.g.msNode('FusedMatMul', [h, this.W(embedding)], { transB: 1 });
  }

  act(x: string): string {
    if (this.activation === 'relu') return this.g.node('Relu', [x]);
    return this.g.node('Gelu', [x], { approximate: this.activation === 'gelu_new' ? 'tanh' : 'none' });
  }

  /**
   * Self-attention of x [B, T, C] with an additive bias broadcast to [B, nh, T, T]; the probabilities
   * become the graph output `probsName` [B, nh, T, T]. Returns the output projection [B, T, C].
   */
  attention(
    x: string,
    names: BlockNames['attention'],
    C: number,
    nh: number,
    bias: string,
    probsName: string | undefined,
    cache?: KvNames,
  ): string {
    const g = this.g;
    const dh = C / nh;
    let q: string;
    let k: string;
    let v: string;
    if ('qkv' in names) {
      const fused = this.dense(x, names.qkv); // [B, T, 3C]
      const parts = ['q', 'k', 'v'].map((p) => `${fused}_${p}`);
      g.nodeN('Split', [fused, g.ints([C, C, C])], parts, { axis: -1 });
      [q, k, v] = parts;
    } else {
      [q, k, v] = [names.query, names.key, names.value].map((p) => this.dense(x, p));
    }
    const headShape = g.ints([0, 0, nh, dh]);
    const split = (t: string, perm: number[]) => this.heads(t, headShape, perm);
    let kT = cache ? '' : split(k, [0, 2, 3, 1]); // [B, nh, dh, T]
    let vh = split(v, [0, 2, 1, 3]); // [B, nh, T, dh]
    if (cache) {
      // the keys and values of the positions before these (a decoding step), then theirs: [1, nh, S, dh]
      let kh = split(k, [0, 2, 1, 3]);
      if (cache.pastK && cache.pastV) {
        kh = g.node('Concat', [cache.pastK, kh], { axis: 2 });
        vh = g.node('Concat', [cache.pastV, vh], { axis: 2 });
      }
      g.output(cache.presentK, 'float32', [1, nh, 'S', dh]);
      g.output(cache.presentV, 'float32', [1, nh, 'S', dh]);
      g.node('Identity', [kh], {}, cache.presentK);
      g.node('Identity', [vh], {}, cache.presentV);
      kT = g.node('Transpose', [kh], { perm: [0, 1, 3, 2] });
    }
    const ctx = this.attend(split(q, [0, 2, 1, 3]), kT, vh, C, nh, bias, probsName);
    return this.dense(ctx, names.output);
  }

  /** t [B, T, C] as heads, reshaped by `headShape` ([0, 0, nh, dh]) and transposed by `perm`. */
  private heads(t: string, headShape: string, perm: number[]): string {
    return this.g.node('Transpose', [this.g.node('Reshape', [t, headShape])], { perm });
  }

  /**
   * softmax(q·kᵀ/√dh + bias)·v with the heads merged back: q [B, nh, T, dh], kT [B, nh, dh, S],
   * v [B, nh, S, dh] → [B, T, C]. `bias` undefined: every position visible; `probsName` also outputs
   * the probabilities [B, nh, T, S].
   */
  private attend(
    q: string,
    kT: string,
    v: string,
    C: number,
    nh: number,
    bias: string | undefined,
    probsName: string | undefined,
  ): string {
    const g = this.g;
    const scaled = g.node('Mul', [g.node('MatMul', [q, kT]), g.scalar(1 / Math.sqrt(C / nh))]);
    const scores = bias === undefined ? scaled : g.node('Add', [scaled, bias]); // [B, nh, T, S]
    if (probsName) g.output(probsName, 'float32', ['B', nh, 'T', 'T']);
    const probs = g.node('Softmax', [scores], { axis: -1 }, probsName);
    return g.node('Reshape', [
      g.node('Transpose', [g.node('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }),
      g.ints([0, 0, C]),
    ]);
  }

  /**
   * Attention of x [B, T, C] over memory [B, S, Cm] (crossAttention.ts): queries from x, keys and values
   * from memory, every source position visible. Returns the output projection [B, T, C].
   */
  crossAttention(x: string, memory: string, names: CrossAttentionNames, C: number, nh: number): string {
    const headShape = this.g.ints([0, 0, nh, C / nh]);
    const split = (t: string, perm: number[]) => this.heads(t, headShape, perm);
    const q = split(this.dense(x, names.query), [0, 2, 1, 3]); // [B, nh, T, dh]
    const kT = split(this.dense(memory, names.key), [0, 2, 3, 1]); // [B, nh, dh, S]
    const v = split(this.dense(memory, names.value), [0, 2, 1, 3]); // [B, nh, S, dh]
    return this.dense(this.attend(q, kT, v, C, nh, undefined, undefined), names.output);
  }

  /**
   * A decoder block (crossAttention.ts decoderBlock): causal self-attention (`bias` [T, T]), attention
   * over memory, feed-forward, each with a residual, post- or pre-LN.
   */
  decoderBlock(
    x: string,
    memory: string,
    names: DecoderBlockNames,
    C: number,
    nh: number,
    norm: 'post' | 'pre',
    bias: string,
  ): string {
    const g = this.g;
    const selfA = (t: string) => this.attention(t, names.self, C, nh, bias, undefined);
    const crossA = (t: string) => this.crossAttention(t, memory, names.cross, C, nh);
    const ffn = (t: string) => this.dense(this.act(this.dense(t, names.ffn.inner)), names.ffn.output);
    if (norm === 'post') {
      const a = this.ln(g.node('Add', [selfA(x), x]), names.selfNorm);
      const c = this.ln(g.node('Add', [crossA(a), a]), names.crossNorm);
      return this.ln(g.node('Add', [ffn(c), c]), names.ffnNorm);
    }
    const a = g.node('Add', [x, selfA(this.ln(x, names.selfNorm))]);
    const c = g.node('Add', [a, crossA(this.ln(a, names.crossNorm))]);
    return g.node('Add', [c, ffn(this.ln(c, names.ffnNorm))]);
  }

  /** One block (layers.ts transformerBlock): post-LN x = LN(x + f(x)), or pre-LN x = x + f(LN(x)). */
  block(
    x: string,
    names: BlockNames,
    C: number,
    nh: number,
    norm: 'post' | 'pre',
    bias: string,
    probsName: string | undefined,
    cache?: KvNames,
  ): string {
    const g = this.g;
    const ffn = (t: string) => this.dense(this.act(this.dense(t, names.ffn.inner)), names.ffn.output);
    if (norm === 'post') {
      const h = this.ln(
        g.node('Add', [this.attention(x, names.attention, C, nh, bias, probsName, cache), x]),
        names.attentionNorm,
      );
      return this.ln(g.node('Add', [ffn(h), h]), names.ffnNorm);
    }
    const a = this.attention(this.ln(x, names.attentionNorm), names.attention, C, nh, bias, probsName, cache);
    const h = g.node('Add', [x, a]);
    return g.node('Add', [h, ffn(this.ln(h, names.ffnNorm))]);
  }
}
