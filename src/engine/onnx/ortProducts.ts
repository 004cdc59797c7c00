// Matrix products of float32 arrays on ONNX Runtime, one synchronous call each: a cached one-node graph
// per (transposes, rank) — MatMul, or com.microsoft FusedMatMul for transposed operands — with dynamic
// shapes and batch broadcasting, writing into the caller's output array. Used by the tfjs kernel override
// (ortMatMul.ts) and by the fused BERT step (train/fastBert.ts). Call loadOrt() first.
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { GraphBuilder } from './graph';
import { loadOrt } from './runtime';

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
  private readonly sessions = new Map<string, { s: NativeSession; out: string }>();

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
   * out = op(a) · op(b), op transposing the last two axes when asked; leading axes broadcast. `out` must
   * have the product's size; its shape is [...batch, M, N].
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
  ): void {
    const { s: session, out: outName } = this.session(transA, transB, aShape.length);
    const T = this.Tensor;
    const result = session.run(
      { a: new T('float32', a, aShape), b: new T('float32', b, bShape) },
      { [outName]: new T('float32', out, outShape) },
      {},
    );
    const got = result[outName]?.data as Float32Array | undefined;
    // ORT writes into the pre-allocated output; copy if a build returned its own buffer instead
    if (got && (got.buffer !== out.buffer || got.byteOffset !== out.byteOffset)) out.set(got);
    this.calls++;
  }

  private session(tA: boolean, tB: boolean, rank: number) {
    const key = `${tA}|${tB}|${rank}`;
    let e = this.sessions.get(key);
    if (e) return e;
    const g = new GraphBuilder();
    const dims = (p: string) => Array.from({ length: rank }, (_, i) => `${p}${i}`);
    const ins = [g.input('a', 'float32', dims('a')), g.input('b', 'float32', dims('b'))];
    const out =
      tA || tB
        ? g.msNode('FusedMatMul', ins, { transA: tA ? 1 : 0, transB: tB ? 1 : 0 })
        : g.node('MatMul', ins);
    g.output(out, 'float32', dims('c'));
    const model = g.serialize('matmul');
    const session = new this.binding.InferenceSession();
    session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
      intraOpNumThreads: this.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      executionProviders: ['cpu'],
      extra: { session: { intra_op: { allow_spinning: this.spin ? '1' : '0' } } },
    });
    e = { s: session, out };
    this.sessions.set(key, e);
    return e;
  }

  dispose(): void {
    for (const { s } of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }
}
