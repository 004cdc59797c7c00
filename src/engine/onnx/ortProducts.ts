// Matrix products of float32 arrays on ONNX Runtime, one synchronous call each: a cached one-node graph
// per (transposes, rank) — MatMul, or com.microsoft FusedMatMul for transposed operands — with dynamic
// shapes and batch broadcasting, writing into the caller's output array. Used by the tfjs kernel override
// (ortMatMul.ts) and by the hand-written BERT step (train/fastBert.ts), which also runs its
// exponential-heavy passes here (softmax over rows; GELU and its derivative): ORT's vectorised Exp and
// Erf take a fraction of JavaScript's Math.exp (~10 ns a value here). Call loadOrt() first.
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from './graph';
import { FLOAT, INT64 } from './proto';
import { loadOrt, sessionOptions } from './runtime';

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, OrtTensor | null>,
    options: object,
  ): Record<string, OrtTensor>;
  dispose(): void;
}
type Binding = { InferenceSession: new () => NativeSession };

export class OrtProducts {
  calls = 0;
  private readonly Tensor: typeof OrtTensor;
  private readonly binding: Binding;
  private readonly sessions = new Map<string, { s: NativeSession; out: string[] }>();
  private readonly tensors = new WeakMap<Float32Array | Int32Array, Map<string, OrtTensor>>();
  private inPlace: boolean | undefined; // whether ORT wrote the first call's output where it was asked

  /**
   * Throws when the native library cannot load. `spin`: let ORT's worker threads spin between calls
   * (off: the JavaScript between two products needs the core a spinning thread would take).
   */
  constructor(
    readonly threads: number,
    private readonly spin = false,
  ) {
    loadOrt(); // initialises the native library before any session
    this.Tensor = (require('onnxruntime-node') as { Tensor: typeof OrtTensor }).Tensor;
    this.binding = (require('onnxruntime-node/dist/binding') as { binding: Binding }).binding;
  }

  /**
   * out = op(a) · op(b) (+ bias, rank 2 only), op transposing the last two axes when asked; leading axes
   * broadcast. `out` must have the product's size; its shape is [...batch, M, N]. Rank 2 runs ONNX's Gemm
   * (MLAS packs transposed operands itself, and adds the bias in the same pass), higher ranks MatMul.
   */
  run(
    a: Float32Array,
    aShape: readonly number[],
    b: Float32Array,
    bShape: readonly number[],
    out: Float32Array,
    outShape: readonly number[],
    transA = false,
    transB = false,
    bias?: Float32Array,
  ): void {
    const rank = aShape.length;
    if (bias && rank !== 2) throw new Error('A bias is added to products of rank 2 only.');
    const key = `matmul|${transA}|${transB}|${rank}|${bias ? 'bias' : ''}`;
    const feeds: [Float32Array, readonly number[]][] = [
      [a, aShape],
      [b, bShape],
    ];
    if (bias) feeds.push([bias, [bias.length]]);
    this.runGraph(key, () => productGraph(transA, transB, rank, !!bias), feeds, [[out, outShape]]);
  }

  /** Runs each kind of operation once on 1×1 inputs: every session exists, or this throws. */
  prepare(): void {
    const one = () => Float32Array.of(1);
    for (const rank of [2, 3])
      for (const [tA, tB] of [
        [false, false],
        [true, false],
        [false, true],
      ]) {
        const d = Array(rank).fill(1);
        this.run(one(), d, one(), d, one(), d, tA, tB);
        if (rank === 2 && !tA && !tB) this.run(one(), d, one(), d, one(), d, tA, tB, one());
      }
    this.mlmDecoder(one(), one(), one(), Int32Array.of(0), one(), 1, 1, 1, {
      nll: one(),
      hit: one(),
      dU: one(),
      dW: one(),
      db: one(),
    });
    this.softmax(one(), 1, 1, one());
    this.gelu(one(), one(), one());
  }

  /** Softmax over the last axis of x [rows, cols] into out (may be x). */
  softmax(x: Float32Array, rows: number, cols: number, out: Float32Array): void {
    this.runGraph('softmax', softmaxGraph, [[x, [rows, cols]]], [[out, [rows, cols]]]);
  }

  /** GELU x·Φ(x) into g and its derivative Φ(x) + x·φ(x) into gd, for any length. */
  gelu(x: Float32Array, g: Float32Array, gd: Float32Array): void {
    const d = [x.length];
    this.runGraph(
      'gelu',
      geluGraph,
      [[x, d]],
      [
        [g, d],
        [gd, d],
      ],
    );
  }

  /**
   * The tied masked-LM decoder and its cross-entropy in one call, so that the [P, V] logits never leave
   * ONNX Runtime: logits = u·Wᵀ + b, and with dL = (softmax(logits) − onehot(labels)) · rowScale,
   * dU = dL·W, dW = dLᵀ·u (written over `dW`), db = Σ_rows dL. Per row: nll = −log softmax at the label,
   * hit = 1 when the label is the arg max. u [P, H], W [V, H], b [V], labels and rowScale [P].
   */
  mlmDecoder(
    u: Float32Array,
    W: Float32Array,
    b: Float32Array,
    labels: Int32Array,
    rowScale: Float32Array,
    P: number,
    H: number,
    V: number,
    out: { nll: Float32Array; hit: Float32Array; dU: Float32Array; dW: Float32Array; db: Float32Array },
  ): void {
    this.runGraph(
      'mlmDecoder',
      mlmDecoderGraph,
      [
        [u, [P, H]],
        [W, [V, H]],
        [b, [V]],
        [labels, [P, 1]],
        [rowScale, [P, 1]],
      ],
      [
        [out.nll, [P, 1]],
        [out.hit, [P, 1]],
        [out.dU, [P, H]],
        [out.dW, [V, H]],
        [out.db, [V]],
      ],
    );
  }

  private runGraph(
    key: string,
    build: () => { model: Uint8Array; outputs: string[] },
    feeds: [Float32Array | Int32Array, readonly number[]][],
    outs: [Float32Array, readonly number[]][],
  ): void {
    const { s: session, out: names } = this.session(key, build);
    const f: Record<string, OrtTensor> = {};
    feeds.forEach(([data, dims], i) => {
      f[`x${i}`] = this.tensor(data, dims);
    });
    const o: Record<string, OrtTensor> = {};
    outs.forEach(([data, dims], i) => {
      o[names[i]] = this.tensor(data, dims);
    });
    // ORT writes into the pre-allocated outputs, and the binding returns a copy of each besides: copy
    // that back only where this build does not write in place, seen once with a mark the call overwrites
    const first = outs[0][0];
    const probe = this.inPlace === undefined && first.length > 0 && !feeds.some(([x]) => x === first);
    if (probe) first[0] = Number.NaN;
    const result = session.run(f, o, {});
    if (probe) this.inPlace = !Number.isNaN(first[0]);
    if (!this.inPlace)
      outs.forEach(([out], i) => {
        const got = result[names[i]]?.data as Float32Array | undefined;
        if (got && (got.buffer !== out.buffer || got.byteOffset !== out.byteOffset)) out.set(got);
      });
    this.calls++;
  }

  /**
   * An ORT tensor over `data` (no copy), kept per array and shape: the hand-written step passes the same
   * buffers every step, and making a tensor costs more than a small product's arithmetic.
   */
  private tensor(data: Float32Array | Int32Array, dims: readonly number[]): OrtTensor {
    const key = dims.join(',');
    let byShape = this.tensors.get(data);
    if (!byShape) {
      byShape = new Map();
      this.tensors.set(data, byShape);
    }
    let t = byShape.get(key);
    if (!t) {
      t =
        data instanceof Int32Array
          ? new this.Tensor('int32', data, dims)
          : new this.Tensor('float32', data, dims);
      byShape.set(key, t);
    }
    return t;
  }

  private session(key: string, build: () => { model: Uint8Array; outputs: string[] }) {
    let e = this.sessions.get(key);
    if (e) return e;
    const { model, outputs } = build();
    const session = new this.binding.InferenceSession();
    // between two calls JavaScript runs: a spinning ORT thread would take the core it needs
    const options = sessionOptions(this.threads, { intra_op: { allow_spinning: this.spin ? '1' : '0' } });
    session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, options);
    e = { s: session, out: outputs };
    this.sessions.set(key, e);
    return e;
  }

  dispose(): void {
    for (const { s } of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }
}

const dims = (p: string, rank: number) => Array.from({ length: rank }, (_, i) => `${p}${i}`);

function productGraph(tA: boolean, tB: boolean, rank: number, bias: boolean) {
  const g = new GraphBuilder();
  const ins = [g.input('x0', 'float32', dims('a', rank)), g.input('x1', 'float32', dims('b', rank))];
  if (bias) ins.push(g.input('x2', 'float32', ['n']));
  const out =
    rank === 2
      ? g.node('Gemm', ins, { transA: tA ? 1 : 0, transB: tB ? 1 : 0 })
      : tA || tB
        ? g.msNode('FusedMatMul', ins, { transA: tA ? 1 : 0, transB: tB ? 1 : 0 })
        : g.node('MatMul', ins);
  g.output(out, 'float32', dims('c', rank));
  return { model: g.serialize('matmul'), outputs: [out] };
}

function softmaxGraph() {
  const g = new GraphBuilder();
  const out = g.node('Softmax', [g.input('x0', 'float32', ['r', 'c'])], { axis: -1 });
  g.output(out, 'float32', ['r', 'c']);
  return { model: g.serialize('softmax'), outputs: [out] };
}

/** g = x·Φ(x), gd = Φ(x) + x·φ(x), with Φ(x) = (1 + erf(x/√2))/2 and φ(x) = exp(−x²/2)/√(2π). */
function geluGraph() {
  const g = new GraphBuilder();
  const x = g.input('x0', 'float32', ['n']);
  const erf = g.node('Erf', [g.node('Mul', [x, g.scalar(Math.SQRT1_2)])]);
  const cdf = g.node('Mul', [g.node('Add', [erf, g.scalar(1)]), g.scalar(0.5)]);
  const out = g.node('Mul', [x, cdf]);
  const pdf = g.node('Mul', [
    g.node('Exp', [g.node('Mul', [g.node('Mul', [x, x]), g.scalar(-0.5)])]),
    g.scalar(1 / Math.sqrt(2 * Math.PI)),
  ]);
  const deriv = g.node('Add', [cdf, g.node('Mul', [x, pdf])]);
  g.output(out, 'float32', ['n']);
  g.output(deriv, 'float32', ['n']);
  return { model: g.serialize('gelu'), outputs: [out, deriv] };
}

/** See OrtProducts.mlmDecoder. */
function mlmDecoderGraph() {
  const g = new GraphBuilder();
  const u = g.input('x0', 'float32', ['p', 'h']);
  const W = g.input('x1', 'float32', ['v', 'h']);
  const b = g.input('x2', 'float32', ['v']);
  const labels = g.input('x3', 'int32', ['p', 1]);
  const rowScale = g.input('x4', 'float32', ['p', 1]);
  const logits = g.node('Gemm', [u, W, b], { transB: 1 });
  const logp = g.node('LogSoftmax', [logits], { axis: -1 });
  const nll = g.node('Neg', [g.node('GatherElements', [logp, labels], { axis: 1 })]);
  const hit = g.node(
    'Cast',
    [
      g.node('Equal', [
        g.node('ArgMax', [logits], { axis: 1, keepdims: 1 }),
        g.node('Cast', [labels], { to: INT64 }),
      ]),
    ],
    { to: FLOAT },
  );
  const prob = g.node('Exp', [logp]);
  // softmax − onehot: the label's probability less one, scattered back in its place
  const atLabel = g.node('Sub', [g.node('GatherElements', [prob, labels], { axis: 1 }), g.scalar(1)]);
  const dL = g.node('Mul', [g.node('ScatterElements', [prob, labels, atLabel], { axis: 1 }), rowScale]);
  const dU = g.node('MatMul', [dL, W]);
  const dW = g.node('Gemm', [dL, u], { transA: 1 });
  const db = g.node('ReduceSum', [dL, g.ints([0])], { keepdims: 0 });
  g.output(nll, 'float32', ['p', 1]);
  g.output(hit, 'float32', ['p', 1]);
  g.output(dU, 'float32', ['p', 'h']);
  g.output(dW, 'float32', ['v', 'h']);
  g.output(db, 'float32', ['v']);
  return { model: g.serialize('mlmDecoder'), outputs: [nll, hit, dU, dW, db] };
}
