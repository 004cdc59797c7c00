// Issue 14, design (a): the wasm backend's large matrix products run on ONNX Runtime. The tfjs kernels
// `BatchMatMul` and `_FusedMatMul` (without bias or activation) are re-registered: a product of at least
// `minWork` multiply-adds (batch·M·K·N) is one synchronous run of a cached one-node ORT graph (MatMul, or
// com.microsoft FusedMatMul for transposed operands) with dynamic shapes, fed views of the wasm heap and
// writing into a tensor allocated on it; smaller products, other dtypes and fused bias/activation call
// the kernel that was registered before. Gradients follow: tfjs' gradient of BatchMatMul is BatchMatMul.
// On by default when the wasm backend trains and ONNX Runtime already runs inference (backend `auto` or
// `onnx`); PRETRAIN_LAB_ORT_MATMUL=0 turns it off, =1 turns it on for a named `wasm` backend too.
import * as tf from '@tensorflow/tfjs-core';
import { OrtProducts } from './ortProducts';
import { loadOrt } from './runtime';

/** Multiply-adds (batch·M·K·N) from which a product runs on ORT: 2^16…2^24 measured alike (docs/benchmarks.md). */
export const DEFAULT_MIN_WORK = 2 ** 16;

interface HeapBackend {
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}
type Attrs = { transposeA?: boolean; transposeB?: boolean; activation?: string };

interface State {
  minWork: number;
  products: OrtProducts;
  originals: tf.KernelConfig[];
  tfjsCalls: number;
}
let state: State | undefined;

/** What PRETRAIN_LAB_ORT_MATMUL asks for: 'on' (1/on/true), 'off' (0/off/false), or undefined (the default). */
export function ortMatMulFromEnv(): 'on' | 'off' | undefined {
  const v = (process.env.PRETRAIN_LAB_ORT_MATMUL ?? '').trim().toLowerCase();
  if (['1', 'on', 'true'].includes(v)) return 'on';
  if (['0', 'off', 'false'].includes(v)) return 'off';
  return undefined;
}

/** PRETRAIN_LAB_ORT_MATMUL_MIN (multiply-adds, e.g. 65536) or the default threshold. */
export function minWorkFromEnv(): number {
  const v = Number(process.env.PRETRAIN_LAB_ORT_MATMUL_MIN);
  return Number.isFinite(v) && v >= 0 && process.env.PRETRAIN_LAB_ORT_MATMUL_MIN ? v : DEFAULT_MIN_WORK;
}

export interface OrtMatMulStats {
  installed: boolean;
  minWork: number;
  threads: number;
  ortCalls: number; // products run on ORT since installation
  tfjsCalls: number; // products left to the previous kernel (small, int32, fused bias/activation)
}

export function ortMatMulStats(): OrtMatMulStats {
  const s = state;
  return {
    installed: s !== undefined,
    minWork: s?.minWork ?? 0,
    threads: s?.products.threads ?? 0,
    ortCalls: s?.products.calls ?? 0,
    tfjsCalls: s?.tfjsCalls ?? 0,
  };
}

/**
 * Re-registers the wasm `BatchMatMul` and `_FusedMatMul` kernels (call after the wasm package is loaded).
 * Returns undefined, or the one-line reason ONNX Runtime cannot be used (the kernels stay as they were).
 * `threads`: ORT's intra-op threads (tfjs-wasm trains on one; default PRETRAIN_LAB_ORT_MATMUL_THREADS, else
 * all cores).
 */
export function installOrtMatMul(
  opts: { minWork?: number; threads?: number; spin?: boolean } = {},
): string | undefined {
  uninstallOrtMatMul();
  const batch = tf.getKernel('BatchMatMul', 'wasm');
  const fused = tf.getKernel('_FusedMatMul', 'wasm');
  if (!batch || !fused) return 'the wasm backend is not loaded';
  let products: OrtProducts;
  try {
    const info = loadOrt(); // initialises the native library before any session
    const threads = opts.threads ?? (Number(process.env.PRETRAIN_LAB_ORT_MATMUL_THREADS) || info.threads);
    products = new OrtProducts(threads, opts.spin ?? false);
  } catch (e) {
    return e instanceof Error ? e.message.split('\n')[0] : String(e);
  }
  const s: State = {
    minWork: opts.minWork ?? minWorkFromEnv(),
    products,
    originals: [batch, fused],
    tfjsCalls: 0,
  };
  state = s;
  const wrap = (orig: tf.KernelConfig): tf.KernelConfig => ({
    ...orig,
    kernelFunc: (args) => {
      const attrs = args.attrs as Attrs;
      const extra = Object.keys(args.inputs).some((k) => k !== 'a' && k !== 'b' && args.inputs[k]);
      const plain = !extra && (attrs.activation ?? 'linear') === 'linear';
      const out =
        plain && state === s ? product(s, args.inputs.a!, args.inputs.b!, attrs, args.backend) : undefined;
      if (out) return out;
      s.tfjsCalls++;
      return orig.kernelFunc(args);
    },
  });
  for (const k of s.originals) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(wrap(k));
  }
  return undefined;
}

/** Puts the previous kernels back and closes the sessions. */
export function uninstallOrtMatMul(): void {
  const s = state;
  if (!s) return;
  state = undefined;
  for (const k of s.originals) {
    tf.unregisterKernel(k.kernelName, 'wasm');
    tf.registerKernel(k);
  }
  s.products.dispose();
}

/** The product on ORT, or undefined when it belongs to the previous kernel. */
function product(s: State, a: tf.TensorInfo, b: tf.TensorInfo, attrs: Attrs, backend: unknown) {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length !== b.shape.length) return undefined;
  const r = a.shape.length;
  if (r < 2) return undefined;
  const tA = attrs.transposeA === true;
  const tB = attrs.transposeB === true;
  const M = a.shape[tA ? r - 1 : r - 2];
  const K = a.shape[tA ? r - 2 : r - 1];
  const N = b.shape[tB ? r - 2 : r - 1];
  const batch: number[] = [];
  for (let i = 0; i < r - 2; i++) {
    const x = a.shape[i];
    const y = b.shape[i];
    if (x !== y && x !== 1 && y !== 1) return undefined;
    batch.push(Math.max(x, y));
  }
  const work = batch.reduce((p, x) => p * x, 1) * M * K * N;
  if (work < s.minWork || work === 0) return undefined;
  const heap = backend as HeapBackend;
  const shape = [...batch, M, N];
  const out = heap.makeOutput(shape, 'float32'); // may grow (and move) the heap: views come after it
  s.products.run(
    heap.typedArrayFromHeap(a) as Float32Array,
    a.shape,
    heap.typedArrayFromHeap(b) as Float32Array,
    b.shape,
    heap.typedArrayFromHeap(out) as Float32Array,
    shape,
    tA,
    tB,
  );
  return out;
}
