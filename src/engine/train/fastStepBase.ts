// The plumbing of the hand-written BERT step (fastBert.ts): the buffers laid out per batch shape (one
// SIMD arena, or plain arrays for the JavaScript passes), the parameters and the batch copied in, the
// parameters' and gradients' lookup by name, the matrix products on ONNX Runtime with their timing,
// and the dense, residual-LayerNorm and dropout pieces every pass is made of. FastBertStep writes the
// model's passes on top of it.
import type { BertConfig } from '../../shared/configs';
import type { OrtProducts } from '../onnx/ortProducts';
import { Rng } from '../random';
import { type Alloc, Workspace } from './fastWorkspace';
import { jsKernels, SimdKernels, type StepKernels, simdKernelsFit } from './stepKernels';

/** One packed batch (data/batches.ts Batch has these fields). */
export interface FastBatch {
  batchSize: number;
  seqLength: number;
  inputIds: Int32Array; // [B*T]
  segmentIds: Int32Array; // [B*T]
  attentionMask: Float32Array; // [B*T]
  maskedPositions: Int32Array; // [N] flat b*T + t
  maskedIds: Int32Array; // [N]
  maskedWeights: Float32Array; // [N]
  nspLabels: Int32Array; // [B]
}

/** Why this config cannot take the fast step, or undefined when it can. */
export function fastBertProblem(c: BertConfig): string | undefined {
  if ((c.hiddenAct ?? 'gelu') !== 'gelu') return `its activation is ${c.hiddenAct}, not gelu`;
  return undefined;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The largest SIMD arena tried (2 GiB of the 4 GiB a wasm32 memory can reach); larger layouts run in JavaScript. */
const MAX_ARENA = 2 ** 31;

/** PRETRAIN_LAB_STEP_KERNELS=javascript keeps the step's passes in JavaScript; SIMD by default. */
export function stepKernelChoice(): 'simd' | 'javascript' {
  const v = (process.env.PRETRAIN_LAB_STEP_KERNELS ?? '').trim().toLowerCase();
  return ['javascript', 'js'].includes(v) ? 'javascript' : 'simd';
}

export abstract class FastStepBase {
  protected ws!: Workspace; // made by the first step, again when the batch shape changes
  readonly grads = new Map<string, Float32Array>();
  /** The passes besides the products: WebAssembly SIMD over an arena, or JavaScript (stepKernels.ts). */
  k: StepKernels;
  protected simd: boolean;
  protected readonly arenaParams = new Map<string, Float32Array>(); // SIMD: the arena's copy of each parameter
  /** When set (bench/bertStep.ts), the milliseconds of each part of the steps, the products apart. */
  timings: Map<string, number> | undefined;
  protected last = 0;
  // the step under way
  protected params: ReadonlyMap<string, Float32Array> = new Map();
  protected batch!: FastBatch;
  protected drop = false;
  protected rng = new Rng(1);
  /**
   * The tied decoder and its cross-entropy as one ONNX Runtime graph (OrtProducts.mlmDecoder);
   * PRETRAIN_LAB_MLM_DECODER=split: a product, the softmax cross-entropy pass, two products.
   */
  protected readonly fusedDecoder = process.env.PRETRAIN_LAB_MLM_DECODER !== 'split';

  constructor(
    readonly config: BertConfig,
    readonly products: OrtProducts,
    private readonly shapes: [string, number[]][], // every parameter's name and shape (bertParamShapes)
    kernels: 'simd' | 'javascript' = stepKernelChoice(),
    private readonly maxArena = MAX_ARENA, // bytes; a larger layout takes the JavaScript passes
  ) {
    const problem = fastBertProblem(config);
    if (problem) throw new Error(`The fast BERT step cannot train this model: ${problem}.`);
    this.simd = kernels === 'simd' && simdKernelsFit([config.hiddenSize, config.intermediateSize]);
    this.k = jsKernels(products);
    if (!this.simd) this.useJavaScriptPasses();
  }

  /** The JavaScript passes over plain arrays: the gradients in arrays of their own, no arena. */
  private useJavaScriptPasses(): void {
    this.simd = false;
    this.k = jsKernels(this.products);
    this.arenaParams.clear();
    for (const [name, shape] of this.shapes) this.grads.set(name, new Float32Array(size(shape)));
  }

  /**
   * The buffers for a batch shape. SIMD: one arena holds them, the gradients and a copy of the parameters
   * (laid out once to measure it, then for real, so that nothing in it ever moves).
   */
  protected layout(B: number, T: number, P: number): void {
    if (this.simd) {
      const lay = (a: Alloc) => ({
        ws: new Workspace(this.config, B, T, P, a, !this.fusedDecoder),
        params: this.shapes.map(([n, s]) => [n, a.f32(size(s))] as const),
        grads: this.shapes.map(([n, s]) => [n, a.f32(size(s))] as const),
      });
      const bytes = SimdKernels.measure(lay);
      let k: SimdKernels | undefined;
      try {
        // one wasm32 memory: at most 4 GB, and an allocation this large may be refused
        if (bytes <= this.maxArena) k = new SimdKernels(bytes);
      } catch {
        k = undefined;
      }
      if (k) {
        const l = lay(k);
        this.k = k;
        this.ws = l.ws;
        for (const [n, v] of l.params) this.arenaParams.set(n, v);
        for (const [n, v] of l.grads) this.grads.set(n, v);
        return;
      }
      this.useJavaScriptPasses(); // too large for one WebAssembly memory: this model and batch
    }
    this.ws = new Workspace(this.config, B, T, P, undefined, !this.fusedDecoder);
  }

  protected lap(part: string): void {
    if (!this.timings) return;
    const now = performance.now();
    this.timings.set(part, (this.timings.get(part) ?? 0) + now - this.last);
    this.last = now;
  }

  protected p(name: string): Float32Array {
    const v = this.params.get(name);
    if (!v) throw new Error(`The model has no parameter ${name}.`);
    return v;
  }

  protected g(name: string): Float32Array {
    return this.grads.get(name)!;
  }

  /** Closes the ONNX Runtime sessions (and their threads). */
  dispose(): void {
    this.products.dispose();
  }

  /** A product on ONNX Runtime (ortProducts.ts), timed apart when timings are kept. */
  protected mm(
    a: Float32Array,
    aShape: number[],
    b: Float32Array,
    bShape: number[],
    out: Float32Array,
    outShape: number[],
    tA = false,
    tB = false,
    bias?: Float32Array,
  ): void {
    if (!this.timings) {
      this.products.run(a, aShape, b, bShape, out, outShape, tA, tB, bias);
      return;
    }
    const t0 = performance.now();
    this.products.run(a, aShape, b, bShape, out, outShape, tA, tB, bias);
    this.countProduct(performance.now() - t0);
  }

  protected countProduct(ms: number): void {
    if (!this.timings) return;
    const k = 'matrix products (ONNX Runtime)';
    this.timings.set(k, (this.timings.get(k) ?? 0) + ms);
    this.last += ms; // the part around the product does not count it
  }

  /** out [rows, cout] = x · W + b for the dense layer `prefix` (kernel [cin, cout]). */
  protected dense(
    x: Float32Array,
    rows: number,
    prefix: string,
    cin: number,
    cout: number,
    out: Float32Array,
  ): void {
    const bias = this.p(`${prefix}.bias`);
    this.mm(x, [rows, cin], this.p(`${prefix}.kernel`), [cin, cout], out, [rows, cout], false, false, bias);
  }

  /** The backward pass of dense: d bias and d kernel accumulated, dx = dy · Wᵀ (when asked). */
  protected denseBackward(
    x: Float32Array,
    dy: Float32Array,
    rows: number,
    prefix: string,
    cin: number,
    cout: number,
    dx?: Float32Array,
  ): void {
    this.k.biasGrad(dy, this.g(`${prefix}.bias`), cout);
    this.mm(x, [rows, cin], dy, [rows, cout], this.g(`${prefix}.kernel`), [cin, cout], true, false);
    if (dx) this.mm(dy, [rows, cout], this.p(`${prefix}.kernel`), [cin, cout], dx, [rows, cin], false, true);
  }

  /** BERT's post-LN residual: out = LayerNorm(dropout(x) + residual), x overwritten, x̂ and 1/σ kept. */
  protected addNorm(
    x: Float32Array,
    residual: Float32Array,
    mask: Float32Array | undefined,
    norm: string,
    out: Float32Array,
    xhat: Float32Array,
    rstd: Float32Array,
  ): void {
    const m = this.mask(mask);
    if (m) this.k.mulInto(x, m);
    this.k.addInto(x, residual);
    const c = this.config;
    this.k.layerNorm(
      x,
      this.p(`${norm}.gamma`),
      this.p(`${norm}.beta`),
      c.layerNormEps,
      c.hiddenSize,
      out,
      xhat,
      rstd,
    );
  }

  /**
   * The backward pass of addNorm for d out = dy: d (sum) into dSum (which also flows to the residual),
   * d x (the dropped branch) into dx; LayerNorm's dγ, dβ accumulated.
   */
  protected addNormBackward(
    dy: Float32Array,
    mask: Float32Array | undefined,
    norm: string,
    xhat: Float32Array,
    rstd: Float32Array,
    dSum: Float32Array,
    dx: Float32Array,
  ): void {
    const H = this.config.hiddenSize;
    this.k.layerNormBackward(
      dy,
      xhat,
      rstd,
      this.p(`${norm}.gamma`),
      H,
      dSum,
      this.g(`${norm}.gamma`),
      this.g(`${norm}.beta`),
    );
    if (this.drop && mask) this.k.mulTo(dSum, mask, dx);
    else dx.set(dSum);
  }

  /** A dropout site: a fresh mask from the step's generator, or undefined when the step does not drop. */
  protected mask(m: Float32Array | undefined): Float32Array | undefined {
    if (!this.drop || !m) return undefined;
    this.k.dropoutMask(this.rng.seed(), m, this.config.dropout);
    return m;
  }

  /**
   * Lays out the buffers for this batch shape if it is new, copies the parameters and the batch into
   * the arena (SIMD passes), zeroes the gradients and starts the step's dropout generator.
   */
  protected begin(
    params: ReadonlyMap<string, Float32Array>,
    batch: FastBatch,
    training: boolean,
    seed: number,
  ): void {
    const c = this.config;
    const B = batch.batchSize;
    const T = batch.seqLength;
    const P = batch.maskedPositions.length;
    if (!this.ws || this.ws.B !== B || this.ws.T !== T || this.ws.P !== P) this.layout(B, T, P);
    if (this.simd) {
      for (const [n, v] of this.arenaParams) {
        const from = params.get(n);
        if (!from) throw new Error(`The model has no parameter ${n}.`);
        v.set(from);
      }
      const ws = this.ws;
      ws.inputIds.set(batch.inputIds);
      ws.segmentIds.set(batch.segmentIds);
      ws.attentionMask.set(batch.attentionMask);
      ws.maskedIds.set(batch.maskedIds);
      ws.maskedWeights.set(batch.maskedWeights);
      this.params = this.arenaParams;
      this.batch = {
        ...batch,
        inputIds: ws.inputIds,
        segmentIds: ws.segmentIds,
        attentionMask: ws.attentionMask,
        maskedIds: ws.maskedIds,
        maskedWeights: ws.maskedWeights,
      };
    } else {
      this.params = params;
      this.batch = batch;
    }
    this.drop = training && c.dropout > 0;
    this.rng = new Rng(seed);
    for (const a of this.grads.values()) a.fill(0);
    this.last = performance.now();
  }
}
