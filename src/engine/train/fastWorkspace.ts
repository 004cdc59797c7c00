// The buffers of the hand-written BERT step (fastBert.ts) for one batch shape: what each block's forward
// pass keeps for its backward pass, the heads' activations, and the backward pass's scratch, allocated
// once and reused while the shape stays.
import type { BertConfig } from '../../shared/configs';
import type { StepKernels } from './stepKernels';

/** Where buffers come from: new arrays, or the SIMD kernels' arena (stepKernels.ts). */
export type Alloc = Pick<StepKernels, 'f32' | 'i32'>;

const plain: Alloc = { f32: (n) => new Float32Array(n), i32: (n) => new Int32Array(n) };

export interface LayerBuffers {
  input: Float32Array; // [N, H] the block's input
  qkv: Float32Array; // [N, 3H]
  q: Float32Array; // [B·nh, T, dh]
  k: Float32Array;
  v: Float32Array;
  probs: Float32Array; // [B·nh, T, T] softmax
  probsDropped: Float32Array; // after dropout (read only when the step drops)
  ctxHeads: Float32Array; // [B·nh, T, dh]
  ctx: Float32Array; // [N, H]
  r1: Float32Array; // attention out (dropped) + input, [N, H]
  xhat1: Float32Array;
  rstd1: Float32Array;
  h1: Float32Array; // [N, H]
  f: Float32Array; // [N, I] before GELU
  g: Float32Array; // [N, I] GELU
  gd: Float32Array; // [N, I] GELU'
  r2: Float32Array;
  xhat2: Float32Array;
  rstd2: Float32Array;
  out: Float32Array; // [N, H] the block's output
  maskProbs?: Float32Array;
  maskAttn?: Float32Array;
  maskFfn?: Float32Array;
}

/** Buffers for one batch shape, kept between steps. */
export class Workspace {
  readonly layers: LayerBuffers[] = [];
  readonly x0: Float32Array;
  readonly xhat0: Float32Array;
  readonly rstd0: Float32Array;
  readonly h0: Float32Array;
  readonly mask0?: Float32Array;
  readonly wqkv: Float32Array[]; // per layer [H, 3H]
  readonly bqkv: Float32Array[]; // per layer [3H]
  // heads
  readonly picked: Float32Array; // [P, H]
  readonly t: Float32Array;
  readonly tg: Float32Array;
  readonly tgd: Float32Array;
  readonly xhatT: Float32Array;
  readonly rstdT: Float32Array;
  readonly u: Float32Array;
  readonly logits: Float32Array; // [P, V], then d logits (empty when the decoder runs as one ORT graph)
  // backward scratch
  readonly dX: Float32Array; // [N, H] d block output, then d block input
  readonly dR2: Float32Array; // [N, H]
  readonly dTmp: Float32Array; // [N, H] d dropped FFN / attention output
  readonly dH1: Float32Array;
  readonly dR1: Float32Array;
  readonly dCtx: Float32Array;
  readonly dCtxH: Float32Array; // [B·nh, T, dh]
  readonly dQ: Float32Array;
  readonly dK: Float32Array;
  readonly dV: Float32Array;
  readonly dI: Float32Array; // [N, I]
  readonly dQkv: Float32Array; // [N, 3H]
  readonly db3: Float32Array; // [3H]
  readonly argmax: Int32Array; // [P]
  readonly cls: Float32Array; // [B, H] the [CLS] rows of the encoder output
  readonly pooled: Float32Array; // [B, H] the pooler's product, then its tanh
  readonly dPre: Float32Array; // [B, H] d (pooler's product)
  readonly dCls: Float32Array; // [B, H]
  readonly pY: Float32Array; // [P] each prediction's probability of its id
  readonly nll: Float32Array; // [P] −log p(id) per prediction (the decoder on ONNX Runtime)
  readonly hit: Float32Array; // [P] 1 where the arg max is the id
  readonly rowScale: Float32Array; // [P] weight / Σ weights: each row's share of the mean loss
  // the batch, copied in when the buffers are an arena's (the SIMD kernels read only their own memory)
  readonly inputIds: Int32Array; // [N]
  readonly segmentIds: Int32Array;
  readonly attentionMask: Float32Array;
  readonly maskedIds: Int32Array; // [P]
  readonly maskedWeights: Float32Array;
  readonly dProbs: Float32Array; // [B·nh, T, T]
  readonly dW3: Float32Array; // [H, 3H]
  readonly dPH: Float32Array; // [P, H]
  readonly dPH2: Float32Array;

  constructor(
    c: BertConfig,
    readonly B: number,
    readonly T: number,
    readonly P: number,
    a: Alloc = plain,
    splitDecoder = true, // the [P, V] logits live here only when the decoder is not one ORT graph
  ) {
    const H = c.hiddenSize;
    const I = c.intermediateSize;
    const N = B * T;
    const nh = c.numHeads;
    const f = (n: number) => a.f32(n);
    const drop = c.dropout > 0;
    this.x0 = f(N * H);
    this.xhat0 = f(N * H);
    this.rstd0 = f(N);
    this.h0 = f(N * H);
    if (drop) this.mask0 = f(N * H);
    for (let l = 0; l < c.numLayers; l++) {
      const probs = f(B * nh * T * T);
      this.layers.push({
        input: f(N * H),
        qkv: f(N * 3 * H),
        q: f(N * H),
        k: f(N * H),
        v: f(N * H),
        probs,
        probsDropped: drop ? f(B * nh * T * T) : probs,
        ctxHeads: f(N * H),
        ctx: f(N * H),
        r1: f(N * H),
        xhat1: f(N * H),
        rstd1: f(N),
        h1: f(N * H),
        f: f(N * I),
        g: f(N * I),
        gd: f(N * I),
        r2: f(N * H),
        xhat2: f(N * H),
        rstd2: f(N),
        out: f(N * H),
        ...(drop ? { maskProbs: f(B * nh * T * T), maskAttn: f(N * H), maskFfn: f(N * H) } : {}),
      });
    }
    this.wqkv = this.layers.map(() => f(H * 3 * H));
    this.bqkv = this.layers.map(() => f(3 * H));
    this.picked = f(P * H);
    this.t = f(P * H);
    this.tg = f(P * H);
    this.tgd = f(P * H);
    this.xhatT = f(P * H);
    this.rstdT = f(P);
    this.u = f(P * H);
    this.logits = f(splitDecoder ? P * c.vocabSize : 0);
    this.dX = f(N * H);
    this.dR2 = f(N * H);
    this.dTmp = f(N * H);
    this.dH1 = f(N * H);
    this.dR1 = f(N * H);
    this.dCtx = f(N * H);
    this.dCtxH = f(N * H);
    this.dQ = f(N * H);
    this.dK = f(N * H);
    this.dV = f(N * H);
    this.dI = f(N * I);
    this.dQkv = f(N * 3 * H);
    this.db3 = f(3 * H);
    this.argmax = a.i32(P);
    this.cls = f(B * H);
    this.pooled = f(B * H);
    this.dPre = f(B * H);
    this.dCls = f(B * H);
    this.pY = f(P);
    this.nll = f(P);
    this.hit = f(P);
    this.rowScale = f(P);
    this.inputIds = a.i32(N);
    this.segmentIds = a.i32(N);
    this.attentionMask = f(N);
    this.maskedIds = a.i32(P);
    this.maskedWeights = f(P);
    this.dProbs = f(B * nh * T * T);
    this.dW3 = f(H * 3 * H);
    this.dPH = f(P * H);
    this.dPH2 = f(P * H);
  }
}
