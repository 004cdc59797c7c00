// ELMo's biLM (Peters et al. 2018 §3): a forward and a backward LSTM language model, numLayers LSTMP
// layers each (lstm.ts), sharing the token layer and the softmax. A token's representations are
// layer 0 = the token layer [x; x] and layer j = [forward h_j; backward h_j], each 2·embedDim wide.
//
// The token layer is a word embedding, not the paper's character CNN + highway: on 2 CPU cores a
// 16-filter char CNN over every token of every step costs more than the LSTMs themselves, and the
// corpora a person trains here are small enough that a word table covers them; words never seen map
// to <unk> (the analysis says so). The char CNN would slot in as another `tokenLayer` below.
//
// Between the two LSTM layers there is a residual connection (§3.4); each layer projects its cell
// state back to embedDim, so the residual adds like to like. Parameters:
//   token.embedding [V, D]; forward.{l}.* and backward.{l}.* (lstm.ts) for l < numLayers;
//   softmax.kernel [D, V], softmax.bias [V] (shared by both directions, not tied to the embedding).
import * as tf from '@tensorflow/tfjs-core';
import type { ElmoConfig } from '../../shared/configs';
import type { ParamShapes } from './layers';
import { param } from './layers';
import { lstm, lstmInit, lstmShapes } from './lstm';

export type Direction = 'forward' | 'backward';
export const DIRECTIONS: readonly Direction[] = ['forward', 'backward'];

export function validateElmoConfig(c: ElmoConfig): void {
  for (const k of ['vocabSize', 'embedDim', 'hiddenSize', 'numLayers'] as const)
    if (!Number.isInteger(c[k]) || c[k] < 1)
      throw new Error(`The ELMo config's ${k} must be a positive whole number, got ${c[k]}.`);
  if (!(c.dropout >= 0 && c.dropout < 1))
    throw new Error(`The ELMo config's dropout must be in [0, 1), got ${c.dropout}.`);
}

export function elmoParamShapes(c: ElmoConfig): ParamShapes {
  const D = c.embedDim;
  const shapes: ParamShapes = [['token.embedding', [c.vocabSize, D]]];
  for (const dir of DIRECTIONS)
    for (let l = 0; l < c.numLayers; l++) shapes.push(...lstmShapes(`${dir}.${l}`, D, c.hiddenSize, D));
  shapes.push(['softmax.kernel', [D, c.vocabSize]], ['softmax.bias', [c.vocabSize]]);
  return shapes;
}

export function elmoParamCount(c: ElmoConfig): number {
  return elmoParamShapes(c).reduce((s, [, sh]) => s + sh.reduce((a, b) => a * b, 1), 0);
}

/** Biases get no weight decay. */
export const elmoDecays = (name: string): boolean => !name.endsWith('.bias');

export interface ElmoRunOptions {
  training?: boolean; // applies dropout
  seed?: number; // dropout seed of this step
}

/**
 * A sampled softmax (Jean et al. 2015) for one batch: the softmax runs over these candidate words only
 * (every target of the batch plus uniformly drawn others), so its cost does not grow with the
 * vocabulary. With a uniform proposal the log-Q correction is the same for every candidate and cancels.
 */
export interface SampledSoftmax {
  candidates: tf.Tensor1D; // [K] int32 word ids, each once
  targets: tf.Tensor2D; // [B, T + 1] int32: the window's ids as positions in `candidates`
}

export interface ElmoLosses {
  loss: tf.Scalar; // (forward + backward) / 2
  forwardLoss: tf.Scalar; // mean cross-entropy of the next token, nats
  backwardLoss: tf.Scalar; // mean cross-entropy of the previous token
}

export class Elmo {
  readonly params = new Map<string, tf.Variable>();

  constructor(
    readonly config: ElmoConfig,
    init: { seed?: number; weights?: Map<string, tf.Tensor> } = {},
  ) {
    validateElmoConfig(config);
    let seed = init.seed ?? 42;
    for (const [name, shape] of elmoParamShapes(config)) {
      const given = init.weights?.get(name);
      if (init.weights && !given) throw new Error(`The ELMo weights have no tensor ${name}.`);
      const value = given ? given.clone() : this.initial(name, shape, seed++);
      this.params.set(name, tf.variable(value, true, `elmo/${name}/${Math.random().toString(36).slice(2)}`));
      value.dispose();
    }
  }

  private initial(name: string, shape: number[], seed: number): tf.Tensor {
    if (name === 'softmax.bias') return tf.zeros(shape);
    if (name === 'token.embedding' || name === 'softmax.kernel')
      return tf.randomNormal(shape, 0, 1 / Math.sqrt(this.config.embedDim), 'float32', seed);
    return lstmInit(name, shape, seed);
  }

  /** The token layer: ids [B, T] int32 → [B, T, D]. */
  tokenLayer(ids: tf.Tensor2D): tf.Tensor3D {
    return tf.gather(param(this.params, 'token.embedding'), ids) as tf.Tensor3D;
  }

  /**
   * One direction's LSTM stack over the token layer x [B, T, D], from t = 0 for forward and from
   * t = T−1 for backward; returns numLayers × [B, T, D], aligned with the input positions either way.
   */
  direction(dir: Direction, x: tf.Tensor3D, o: ElmoRunOptions = {}): tf.Tensor3D[] {
    const c = this.config;
    const drop = (t: tf.Tensor3D, site: number): tf.Tensor3D =>
      o.training && c.dropout > 0
        ? (tf.dropout(t, c.dropout, undefined, (o.seed ?? 0) + site) as tf.Tensor3D)
        : t;
    let h = dir === 'backward' ? tf.reverse(x, 1) : x;
    const outs: tf.Tensor3D[] = [];
    for (let l = 0; l < c.numLayers; l++) {
      const y = lstm(this.params, `${dir}.${l}`, drop(h, 2 * l + (dir === 'backward' ? 1 : 0)), {
        cellClip: c.cellClip,
      });
      h = l === 0 ? y : tf.add(y, h); // residual between the LSTM layers (§3.4)
      outs.push(dir === 'backward' ? tf.reverse(h, 1) : h);
    }
    return outs;
  }

  /** Logits of the shared softmax: h [N, D] → [N, V]. */
  logits(h: tf.Tensor2D, candidates?: tf.Tensor1D): tf.Tensor2D {
    const w = param(this.params, 'softmax.kernel'); // [D, V]
    const b = param(this.params, 'softmax.bias'); // [V]
    if (!candidates) return tf.add(tf.matMul(h, w), b);
    return tf.add(tf.matMul(h, tf.gather(w, candidates, 1)), tf.gather(b, candidates)); // [N, K]
  }

  /** Mean cross-entropy of predicting targets [N] from h [N, D]. */
  private crossEntropy(h: tf.Tensor2D, targets: tf.Tensor1D, candidates?: tf.Tensor1D): tf.Scalar {
    const logp = tf.logSoftmax(this.logits(h, candidates)); // [N, V] (or [N, K] sampled)
    const [N, V] = logp.shape;
    const flat = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), targets); // [N] indices into logp
    return tf.neg(tf.mean(tf.gather(tf.reshape(logp, [-1]), flat))) as tf.Scalar;
  }

  /**
   * Both language models' losses on windows ids [B, T + 1] of consecutive tokens: the forward LM reads
   * tokens 0…T−1 and predicts 1…T, the backward LM reads T…1 and predicts T−1…0.
   */
  lmLosses(ids: tf.Tensor2D, o: ElmoRunOptions & { sampled?: SampledSoftmax } = {}): ElmoLosses {
    const [B, T1] = ids.shape;
    const T = T1 - 1;
    const D = this.config.embedDim;
    const c = this.config;
    const x = this.tokenLayer(ids); // [B, T + 1, D]
    const xd =
      o.training && c.dropout > 0
        ? (tf.dropout(x, c.dropout, undefined, (o.seed ?? 0) + 97) as tf.Tensor3D)
        : x;
    const fwd = this.direction('forward', tf.slice(xd, [0, 0, 0], [B, T, D]), o).at(-1)!; // [B, T, D]
    const bwd = this.direction('backward', tf.slice(xd, [0, 1, 0], [B, T, D]), o).at(-1)!; // [B, T, D]
    const tgt = o.sampled?.targets ?? ids; // ids, or their positions among the sampled candidates
    const nextTok = tf.reshape(tf.slice(tgt, [0, 1], [B, T]), [-1]) as tf.Tensor1D; // [B·T]
    const prevTok = tf.reshape(tf.slice(tgt, [0, 0], [B, T]), [-1]) as tf.Tensor1D;
    const cand = o.sampled?.candidates;
    const forwardLoss = this.crossEntropy(tf.reshape(fwd, [B * T, D]), nextTok, cand);
    const backwardLoss = this.crossEntropy(tf.reshape(bwd, [B * T, D]), prevTok, cand);
    return { loss: tf.div(tf.add(forwardLoss, backwardLoss), 2), forwardLoss, backwardLoss };
  }

  /**
   * The numLayers + 1 representations of every token of ids [B, T]: layer 0 = [x; x] (so every layer is
   * 2·D wide, as in the paper), layer j = [forward h_j; backward h_j]. Each [B, T, 2D]; call in tf.tidy.
   */
  layers(ids: tf.Tensor2D): tf.Tensor3D[] {
    const x = this.tokenLayer(ids);
    const f = this.direction('forward', x);
    const b = this.direction('backward', x);
    return [tf.concat([x, x], 2), ...f.map((h, j) => tf.concat([h, b[j]], 2))];
  }

  dispose(): void {
    for (const p of this.params.values()) p.dispose();
    this.params.clear();
  }
}

/**
 * The candidates of a sampled softmax for one batch of windows: every id in it, then uniformly drawn
 * others until there are `size` (or the whole vocabulary); returns them with the window remapped.
 */
export function sampleCandidates(
  ids: Int32Array,
  vocabSize: number,
  size: number,
  random: () => number,
): { candidates: Int32Array; targets: Int32Array } {
  const pos = new Map<number, number>();
  for (const id of ids) if (!pos.has(id)) pos.set(id, pos.size);
  const want = Math.min(vocabSize, Math.max(size, pos.size));
  for (let tries = 0; pos.size < want && tries < 20 * want; tries++) {
    const id = Math.floor(random() * vocabSize);
    if (!pos.has(id)) pos.set(id, pos.size);
  }
  return { candidates: Int32Array.from(pos.keys()), targets: ids.map((id) => pos.get(id)!) };
}
