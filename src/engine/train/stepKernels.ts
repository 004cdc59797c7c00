// The passes of the hand-written BERT step (fastBert.ts) other than its matrix products, behind one
// interface with two implementations: WebAssembly SIMD (stepKernels.wat) over an Arena, one memory the
// step's parameters, gradients and buffers are laid out in; and JavaScript (fastKernels.ts, with softmax
// and GELU on ONNX Runtime), the reference the SIMD passes are tested against and the fallback where
// WebAssembly SIMD is missing or a width is not a multiple of 4.
import type { OrtProducts } from '../onnx/ortProducts';
import type { HeadShape } from './fastKernels';
import * as js from './fastKernels';
import { STEP_KERNELS_WASM_BASE64 } from './stepKernelsWasm';

type F32 = Float32Array;
type I32 = Int32Array;

export interface StepKernels {
  readonly name: 'wasm-simd' | 'javascript';
  /** A zeroed buffer of n values (in the arena, for the SIMD kernels). */
  f32(n: number): F32;
  i32(n: number): I32;
  embed(ids: I32, segs: I32, E: F32, Pe: F32, Se: F32, T: number, H: number, out: F32): void;
  embedBackward(ids: I32, segs: I32, dx: F32, T: number, H: number, dE: F32, dPe: F32, dSe: F32): void;
  layerNorm(x: F32, gamma: F32, beta: F32, eps: number, C: number, out: F32, xhat: F32, rstd: F32): void;
  layerNormBackward(
    dy: F32,
    xhat: F32,
    rstd: F32,
    gamma: F32,
    C: number,
    dx: F32,
    dgamma: F32,
    dbeta: F32,
  ): void;
  addBias(out: F32, bias: F32, C: number): void;
  biasGrad(dy: F32, db: F32, C: number): void;
  addInto(a: F32, b: F32): void;
  mulInto(a: F32, b: F32): void;
  mulTo(a: F32, b: F32, out: F32): void;
  dropoutMask(seed: number, mask: F32, rate: number): void;
  qkvHeads(qkv: F32, q: F32, k: F32, v: F32, d: HeadShape, toHeads: boolean): void;
  heads(x: F32, hx: F32, d: HeadShape, toHeads: boolean): void;
  scaleAndMask(s: F32, mask: F32, B: number, nh: number, T: number, scale: number): void;
  softmax(x: F32, rows: number, cols: number, out: F32): void;
  softmaxBackward(dp: F32, p: F32, T: number, scale: number): void;
  gelu(x: F32, g: F32, gd: F32): void;
  /**
   * logits [P, V] += bias, then in place the weighted cross-entropy's gradient w/wsum·(softmax − one-hot),
   * its column sums added into dBias. Returns [Σ w·nll, Σ w·right] (right: the row's arg max is the id).
   */
  softmaxCrossEntropy(
    logits: F32,
    bias: F32,
    ids: I32,
    weights: F32,
    wsum: number,
    V: number,
    dBias: F32,
    argmax: I32,
    pY: F32, // [P] scratch: each row's probability of its id
  ): [number, number];
}

/** The JavaScript passes; softmax and GELU on ONNX Runtime. */
export function jsKernels(products: OrtProducts): StepKernels {
  return {
    name: 'javascript',
    f32: (n) => new Float32Array(n),
    i32: (n) => new Int32Array(n),
    embed: js.embed,
    embedBackward: js.embedBackward,
    layerNorm: js.layerNorm,
    layerNormBackward: js.layerNormBackward,
    addBias: js.addBias,
    biasGrad: js.biasGrad,
    addInto: js.addInto,
    mulInto: js.mulInto,
    mulTo: js.mulTo,
    dropoutMask: js.dropoutMask,
    qkvHeads: js.qkvHeads,
    heads: js.heads,
    scaleAndMask: js.scaleAndMask,
    softmax: (x, rows, cols, out) => products.softmax(x, rows, cols, out),
    softmaxBackward: js.softmaxBackward,
    gelu: (x, g, gd) => products.gelu(x, g, gd),
    softmaxCrossEntropy(logits, bias, ids, weights, wsum, V, dBias, argmax) {
      // ORT's softmax in place; the JavaScript pass reads p(id) from the rows itself
      js.addBiasArgmax(logits, bias, V, argmax);
      products.softmax(logits, ids.length, V, logits);
      return js.crossEntropyBackward(logits, ids, weights, argmax, wsum, V, dBias);
    },
  };
}

interface Exports {
  add_into(a: number, b: number, n: number): void;
  mul_to(a: number, b: number, out: number, n: number): void;
  add_bias(out: number, bias: number, rows: number, C: number): void;
  bias_grad(dy: number, db: number, rows: number, C: number): void;
  layer_norm(...a: number[]): void;
  layer_norm_backward(...a: number[]): void;
  dropout_mask(seed: number, mask: number, n: number, below: number, keep: number): void;
  gelu(x: number, g: number, gd: number, n: number): void;
  softmax(x: number, rows: number, C: number, out: number): void;
  softmax_backward(dp: number, p: number, rows: number, C: number, scale: number): void;
  scale_and_mask(s: number, mask: number, B: number, nh: number, T: number, scale: number): void;
  heads(
    x: number,
    hx: number,
    B: number,
    T: number,
    nh: number,
    dh: number,
    stride: number,
    toHeads: number,
  ): void;
  embed(...a: number[]): void;
  embed_backward(...a: number[]): void;
  softmax_cross_entropy(...a: number[]): void;
  adamw(...a: number[]): void;
  sum_squares(x: number, n: number): number;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where this WebAssembly has no SIMD. */
function stepModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(Buffer.from(STEP_KERNELS_WASM_BASE64, 'base64'));
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/** The module's functions over `memory` (the step's arena, or tfjs's heap for AdamW); undefined without SIMD. */
export function stepKernelExports(memory: WebAssembly.Memory): Exports | undefined {
  const mod = stepModule();
  if (!mod) return undefined;
  return new WebAssembly.Instance(mod, { env: { memory } }).exports as unknown as Exports;
}

/** Whether the SIMD passes can take this model (its widths multiples of 4) on this machine. */
export function simdKernelsFit(widths: number[]): boolean {
  return widths.every((w) => w % 4 === 0) && stepModule() !== null;
}

const ALIGN = 16;

/**
 * The SIMD passes and the arena their buffers live in. The arena's size is fixed when it is made: the
 * caller lays out everything the step needs twice, once to `measure` (zero-length buffers) and once for
 * real, so no buffer ever moves (growing a memory would detach every view).
 */
export class SimdKernels implements StepKernels {
  readonly name = 'wasm-simd' as const;
  readonly memory: WebAssembly.Memory;
  private readonly w: Exports;
  private top = ALIGN; // offset 0 stays unused
  private readonly limit: number;

  /** The bytes a layout needs: run `layout` with this allocator, then make the kernels with its total. */
  static measure(layout: (k: Pick<StepKernels, 'f32' | 'i32'>) => void): number {
    let bytes = ALIGN;
    const add = (n: number) => {
      bytes += Math.ceil((n * 4) / ALIGN) * ALIGN;
    };
    layout({
      f32: (n) => {
        add(n);
        return new Float32Array(0);
      },
      i32: (n) => {
        add(n);
        return new Int32Array(0);
      },
    });
    return bytes;
  }

  constructor(bytes: number) {
    const pages = Math.ceil(bytes / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.limit = pages * 65536;
    const w = stepKernelExports(this.memory);
    if (!w) throw new Error('This WebAssembly has no SIMD.');
    this.w = w;
  }

  private take(n: number): number {
    const at = this.top;
    this.top += Math.ceil((n * 4) / ALIGN) * ALIGN;
    if (this.top > this.limit)
      throw new Error('The step arena is smaller than its layout (measure it first).');
    return at;
  }

  f32(n: number): F32 {
    return new Float32Array(this.memory.buffer, this.take(n), n);
  }

  i32(n: number): I32 {
    return new Int32Array(this.memory.buffer, this.take(n), n);
  }

  /** The array's offset in the arena (it must be one of the arena's buffers). */
  private at(a: F32 | I32): number {
    if (a.buffer !== this.memory.buffer) throw new Error('A buffer of the step is outside its arena.');
    return a.byteOffset;
  }

  embed(ids: I32, segs: I32, E: F32, Pe: F32, Se: F32, T: number, H: number, out: F32): void {
    const a = (x: F32 | I32) => this.at(x);
    this.w.embed(a(ids), a(segs), a(E), a(Pe), a(Se), ids.length, T, H, a(out));
  }

  embedBackward(ids: I32, segs: I32, dx: F32, T: number, H: number, dE: F32, dPe: F32, dSe: F32): void {
    const a = (x: F32 | I32) => this.at(x);
    this.w.embed_backward(a(ids), a(segs), a(dx), ids.length, T, H, a(dE), a(dPe), a(dSe));
  }

  layerNorm(x: F32, gamma: F32, beta: F32, eps: number, C: number, out: F32, xhat: F32, rstd: F32): void {
    const a = (v: F32) => this.at(v);
    this.w.layer_norm(a(x), a(gamma), a(beta), eps, C, x.length / C, a(out), a(xhat), a(rstd));
  }

  // arrow properties take their parameter types from StepKernels
  layerNormBackward: StepKernels['layerNormBackward'] = (dy, xhat, rstd, gamma, C, dx, dgamma, dbeta) => {
    const a = (v: F32) => this.at(v);
    this.w.layer_norm_backward(
      a(dy),
      a(xhat),
      a(rstd),
      a(gamma),
      C,
      dy.length / C,
      a(dx),
      a(dgamma),
      a(dbeta),
    );
  };

  addBias(out: F32, bias: F32, C: number): void {
    this.w.add_bias(this.at(out), this.at(bias), out.length / C, C);
  }

  biasGrad(dy: F32, db: F32, C: number): void {
    this.w.bias_grad(this.at(dy), this.at(db), dy.length / C, C);
  }

  addInto(a: F32, b: F32): void {
    this.w.add_into(this.at(a), this.at(b), a.length);
  }

  mulInto(a: F32, b: F32): void {
    this.w.mul_to(this.at(a), this.at(b), this.at(a), a.length);
  }

  mulTo(a: F32, b: F32, out: F32): void {
    this.w.mul_to(this.at(a), this.at(b), this.at(out), a.length);
  }

  dropoutMask(seed: number, mask: F32, rate: number): void {
    // r < rate·2^32 for an integer r is r < ⌈rate·2^32⌉, the unsigned threshold the module compares with
    this.w.dropout_mask(
      seed | 0,
      this.at(mask),
      mask.length,
      Math.ceil(rate * 4294967296) | 0,
      1 / (1 - rate),
    );
  }

  qkvHeads(qkv: F32, q: F32, k: F32, v: F32, { B, T, nh, dh }: HeadShape, toHeads: boolean): void {
    const H = nh * dh;
    const base = this.at(qkv);
    [q, k, v].forEach((x, i) => {
      this.w.heads(base + i * H * 4, this.at(x), B, T, nh, dh, 3 * H, toHeads ? 1 : 0);
    });
  }

  heads(x: F32, hx: F32, { B, T, nh, dh }: HeadShape, toHeads: boolean): void {
    this.w.heads(this.at(x), this.at(hx), B, T, nh, dh, nh * dh, toHeads ? 1 : 0);
  }

  scaleAndMask(s: F32, mask: F32, B: number, nh: number, T: number, scale: number): void {
    this.w.scale_and_mask(this.at(s), this.at(mask), B, nh, T, scale);
  }

  /** Σ x² over arrays of the arena. */
  sumSquares(xs: Iterable<F32>): number {
    let s = 0;
    for (const x of xs) s += this.w.sum_squares(this.at(x), x.length);
    return s;
  }

  softmax(x: F32, rows: number, cols: number, out: F32): void {
    this.w.softmax(this.at(x), rows, cols, this.at(out));
  }

  softmaxBackward(dp: F32, p: F32, T: number, scale: number): void {
    this.w.softmax_backward(this.at(dp), this.at(p), dp.length / T, T, scale);
  }

  gelu(x: F32, g: F32, gd: F32): void {
    if (x.length % 4 !== 0) throw new Error('The SIMD GELU takes a multiple of 4 values.');
    this.w.gelu(this.at(x), this.at(g), this.at(gd), x.length);
  }

  softmaxCrossEntropy: StepKernels['softmaxCrossEntropy'] = (
    logits,
    bias,
    ids,
    weights,
    wsum,
    V,
    dBias,
    argmax,
    pY,
  ) => {
    const P = ids.length;
    const a = (v: F32 | I32) => this.at(v);
    this.w.softmax_cross_entropy(
      a(logits),
      a(bias),
      a(ids),
      a(weights),
      P,
      V,
      1 / wsum,
      a(dBias),
      a(argmax),
      a(pY),
    );
    let nll = 0;
    let right = 0;
    for (let i = 0; i < P; i++) {
      const w = weights[i];
      nll -= w * Math.log(Math.max(pY[i], 1e-30));
      if (argmax[i] === ids[i]) right += w;
    }
    return [nll, right];
  };
}
