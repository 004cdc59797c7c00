import type { BertConfig } from '../../shared/configs';
import { onnxInference } from '../backend';
import type { Bert } from '../models/bert';
import { bertGraph } from './bertGraph';
import { paramWeights } from './graph';
import { type Fetched, OrtSession } from './runtime';

/**
 * A BERT graph (bertGraph.ts) whose weights are in the files of a folder: `graph(config)` builds it for
 * that config (the model's, or the same model cut to its first layer).
 */
export interface BertOnnxModel {
  config: BertConfig;
  graph: (config: BertConfig) => Uint8Array;
  folder: string;
}

export class OnnxBert {
  private readonly session: OrtSession;
  private readonly config: BertConfig;
  private readonly build: (config: BertConfig) => Uint8Array;
  private readonly folder: string | undefined;
  private first: OrtSession | undefined; // the model cut to its first layer, made on first use

  constructor(model: Bert | BertOnnxModel) {
    this.config = model.config;
    if ('graph' in model) {
      this.build = model.graph;
      this.folder = model.folder;
      this.session = new OrtSession(model.graph(model.config), model.folder);
      return;
    }
    this.build = (c) => bertGraph(c, paramWeights(model.params));
    this.session = new OrtSession(() => this.build(this.config));
  }

  private run(
    ids: Int32Array,
    segs: Int32Array,
    mask: Float32Array,
    batch: number,
    mlm: number[],
    fetch: string[],
    session = this.session,
  ) {
    const T = ids.length / batch;
    const positions = Int32Array.from({ length: T }, (_, i) => i);
    return session.run(
      {
        input_ids: { data: ids, dims: [batch, T] },
        segment_ids: { data: segs, dims: [batch, T] },
        attention_mask: { data: mask, dims: [batch, T] },
        position_ids: { data: positions, dims: [T] },
        mlm_positions: { data: Int32Array.from(mlm.length ? mlm : [0]), dims: [mlm.length || 1] },
      },
      fetch,
    );
  }

  /** MLM logits [N, V] at flat positions b·T + t of a padded batch (ids, mask [B, T] row-major). */
  logits(ids: Int32Array, mask: Float32Array, batch: number, flat: number[]): Fetched {
    return this.run(ids, new Int32Array(ids.length), mask, batch, flat, ['logits']).logits;
  }

  /** One sequence; weights [layers, heads, T, T]. */
  attend(ids: number[], segments: number[]): Float32Array {
    const L = this.config.numLayers;
    const names = Array.from({ length: L }, (_, l) => `attn_${l}`);
    const T = ids.length;
    const out = this.run(
      Int32Array.from(ids),
      Int32Array.from(segments),
      new Float32Array(T).fill(1),
      1,
      [],
      names,
    );
    const per = out.attn_0.data.length;
    const weights = new Float32Array(L * per);
    names.forEach((n, l) => {
      weights.set(out[n].data, l * per);
    });
    return weights;
  }

  /**
   * The first layer's attention of one sequence, [heads, T, T], from the model cut to that layer (ONNX
   * Runtime computes every node of a graph whatever is fetched, so the whole model would cost all its
   * layers): a twelfth of a base model's forward, so that Show Attention paints before the rest is done.
   */
  attendFirst(ids: number[], segments: number[]): Float32Array {
    if (!this.first) {
      const one = { ...this.config, numLayers: 1 };
      this.first = new OrtSession(() => this.build(one), this.folder);
    }
    const T = ids.length;
    const out = this.run(
      Int32Array.from(ids),
      Int32Array.from(segments),
      new Float32Array(T).fill(1),
      1,
      [],
      ['attn_0'],
      this.first,
    );
    return out.attn_0.data;
  }

  /** Hidden states of one layer (0 = embeddings) for a padded batch: [B, T, H] row-major. */
  hiddenStates(ids: Int32Array, mask: Float32Array, batch: number, layer: number): Fetched {
    const name = `hidden_${layer}`;
    return this.run(ids, new Int32Array(ids.length), mask, batch, [], [name])[name];
  }

  /** Intra-op threads of the session's last run (one while a training runs beside it). */
  get threads(): number {
    return this.session.threadCount;
  }

  dispose(): void {
    this.session.dispose();
    this.first?.dispose();
    this.first = undefined;
  }
}

/**
 * The ONNX twin of a loaded BERT when inference runs on ONNX Runtime (backend.ts), else undefined; a
 * graph ONNX Runtime refuses leaves the model on tfjs, with one line on stderr.
 */
export function onnxTwin(model: Bert): OnnxBert | undefined {
  if (!onnxInference()) return undefined;
  try {
    return new OnnxBert(model);
  } catch (e) {
    console.error(
      `ONNX Runtime could not load this model (${e instanceof Error ? e.message.split('\n')[0] : e}); it runs on TensorFlow.js.`,
    );
    return undefined;
  }
}

/** Row-wise log-softmax of [N, V] logits, as N arrays of V. */
export function logSoftmaxRows(logits: Fetched): Float32Array[] {
  const [N, V] = logits.dims;
  const rows: Float32Array[] = [];
  for (let i = 0; i < N; i++) {
    const r = logits.data.slice(i * V, (i + 1) * V);
    let max = -Infinity;
    for (const x of r) if (x > max) max = x;
    let sum = 0;
    for (const x of r) sum += Math.exp(x - max);
    const lse = max + Math.log(sum);
    for (let j = 0; j < V; j++) r[j] -= lse;
    rows.push(r);
  }
  return rows;
}
