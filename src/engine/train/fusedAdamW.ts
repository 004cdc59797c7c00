// Issue 14: one AdamW update of a parameter as a single kernel instead of ~17 (mul, add, square, div,
// sqrt… and their scalar uploads), and the global gradient norm read straight from the tensors' memory
// instead of two kernels per parameter. A BERT-tiny step has ~45 parameters, so this removes ~800 of its
// ~1,900 kernel calls, which cost more than their arithmetic at this size (per-call overhead).
// Registered for the wasm and cpu backends, which keep float32 data in memory JavaScript can read (the
// wasm heap, the cpu backend's arrays); other backends (tfjs-node) keep the op-by-op update in trainer.ts.
import * as tf from '@tensorflow/tfjs-core';
import { tensorMemory } from '../backend';
import { stepKernelExports } from './stepKernels';

const KERNEL = 'PretrainLabAdamW';
const BACKENDS = ['wasm', 'cpu'] as const;

/** The hyper-parameters of one update, bias corrections and clip factor already worked out. */
export interface AdamWStep {
  lr: number;
  b1: number;
  b2: number;
  bc1: number; // 1 − β1^t
  bc2: number; // 1 − β2^t
  eps: number;
  wd: number; // decoupled weight decay for this parameter (0 when it has none)
  clip: number; // gradient scale from global-norm clipping (1 = none)
}

/** New float32 tensors of a shape, with their values writable in place (wasm heap, cpu array). */
function outputs(backend: unknown, name: string, n: number, shape: number[]) {
  if (name === 'wasm') {
    const b = backend as {
      makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
      typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
    };
    // every output first: an allocation may grow (and move) the heap, so views come after them
    const infos = Array.from({ length: n }, () => b.makeOutput(shape, 'float32'));
    return infos.map((info) => ({ info, values: b.typedArrayFromHeap(info) }));
  }
  const b = backend as {
    makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
  };
  const size = shape.reduce((x, y) => x * y, 1);
  return Array.from({ length: n }, () => {
    const values = new Float32Array(size);
    return { info: b.makeTensorInfo(shape, 'float32', values), values };
  });
}

/**
 * One AdamW update over arrays: new parameter, moments into po, mo, vo (which may be P, M, V themselves:
 * an update in place).
 */
export function adamWUpdate(
  P: Float32Array,
  M: Float32Array,
  V: Float32Array,
  G: Float32Array,
  a: AdamWStep,
  po: Float32Array,
  mo: Float32Array,
  vo: Float32Array,
): void {
  const { lr, b1, b2, eps, clip } = a;
  const c1 = (1 - b1) * clip;
  const c2 = (1 - b2) * clip * clip;
  const step = lr / a.bc1; // lr · m̂ = lr / bc1 · m
  const ibc2 = 1 / a.bc2;
  const decay = 1 - lr * a.wd;
  for (let i = 0; i < P.length; i++) {
    const gi = G[i];
    const mi = b1 * M[i] + c1 * gi;
    const vi = b2 * V[i] + c2 * gi * gi;
    mo[i] = mi;
    vo[i] = vi;
    po[i] = P[i] * decay - (step * mi) / (Math.sqrt(vi * ibc2) + eps);
  }
}

/** The scalars of one update as stepKernels.wat's adamw takes them after the four pointers and n. */
function adamWScalars(a: AdamWStep): number[] {
  return [
    a.b1,
    a.b2,
    (1 - a.b1) * a.clip,
    (1 - a.b2) * a.clip * a.clip,
    a.lr / a.bc1,
    1 / a.bc2,
    a.eps,
    1 - a.lr * a.wd,
  ];
}

/** AdamW in WebAssembly SIMD over any memory (stepKernels.wat), for the tests and the wasm heap. */
export function simdAdamW(memory: WebAssembly.Memory) {
  const w = stepKernelExports(memory);
  return (
    w &&
    ((P: number, M: number, V: number, G: number, n: number, a: AdamWStep) =>
      w.adamw(P, M, V, G, n, ...adamWScalars(a)))
  );
}

interface WasmHeap {
  asm?: { memory?: WebAssembly.Memory };
  _malloc(bytes: number): number;
  _free(pointer: number): void;
}

// per tfjs wasm heap: the SIMD update bound to it and a scratch the gradient is copied into
const heaps = new WeakMap<object, { run: ReturnType<typeof simdAdamW>; scratch: number; floats: number }>();

/**
 * The update on the wasm backend's heap in SIMD (the gradient copied next to the variables first); false
 * where WebAssembly has no SIMD or the heap is not reachable.
 */
function adamWOnHeap(backend: unknown, pmv: tf.Variable[], g: Float32Array, a: AdamWStep): boolean {
  const wasm = (backend as { wasm?: WasmHeap }).wasm;
  const memory = wasm?.asm?.memory;
  if (!wasm || !(memory instanceof WebAssembly.Memory)) return false;
  let h = heaps.get(memory);
  if (!h) {
    h = { run: simdAdamW(memory), scratch: 0, floats: 0 };
    heaps.set(memory, h);
  }
  if (!h.run) return false;
  if (h.floats < g.length) {
    // grows to the largest parameter once (the word embeddings); kept while the heap lives
    if (h.scratch) wasm._free(h.scratch);
    h.scratch = wasm._malloc(g.length * 4);
    h.floats = h.scratch ? g.length : 0;
    if (!h.scratch) return false; // the heap is full: the update runs in JavaScript
  }
  // views after the allocation, which may have moved the heap
  const [P, M, V] = pmv.map((t) => tensorMemory(backend, 'wasm', t));
  new Float32Array(memory.buffer, h.scratch, g.length).set(g);
  h.run(P.byteOffset, M.byteOffset, V.byteOffset, h.scratch, g.length, a);
  return true;
}

/**
 * AdamW in place on the variables' own memory (the wasm heap, the cpu backend's arrays) when no other
 * tensor shares it; false (nothing done) when one does or the backend keeps its data elsewhere.
 */
export function adamWInPlace(
  p: tf.Variable,
  m: tf.Variable,
  v: tf.Variable,
  g: Float32Array,
  a: AdamWStep,
): boolean {
  const name = tf.getBackend();
  if (!(BACKENDS as readonly string[]).includes(name)) return false;
  const backend = tf.backend();
  if (![p, m, v].every((t) => backend.refCount(t.dataId) === 1)) return false;
  if (name === 'wasm' && !process.env.PRETRAIN_LAB_JS_ADAMW && adamWOnHeap(backend, [p, m, v], g, a))
    return true;
  const [P, M, V] = [p, m, v].map((t) => tensorMemory(backend, name, t) as Float32Array);
  adamWUpdate(P, M, V, g, a, P, M, V);
  return true;
}

let registered = false;

function register(): void {
  if (registered) return;
  registered = true;
  for (const backendName of BACKENDS) {
    tf.registerKernel({
      kernelName: KERNEL,
      backendName,
      kernelFunc: ({ inputs, backend, attrs }) => {
        const { p, m, v, g } = inputs as Record<'p' | 'm' | 'v' | 'g', tf.TensorInfo>;
        const a = attrs as unknown as AdamWStep;
        const outs = outputs(backend, backendName, 3, [...p.shape]);
        // read after the outputs exist: their allocation may have moved the wasm heap
        const [P, M, V, G] = [p, m, v, g].map((t) => tensorMemory(backend, backendName, t));
        const [po, mo, vo] = outs.map((o) => o.values);
        adamWUpdate(
          P as Float32Array,
          M as Float32Array,
          V as Float32Array,
          G as Float32Array,
          a,
          po,
          mo,
          vo,
        );
        return outs.map((o) => o.info);
      },
    });
  }
}

/** Whether the fused update runs on the active backend (float32 in memory JavaScript can read). */
export function fusedAvailable(): boolean {
  return (BACKENDS as readonly string[]).includes(tf.getBackend()) && !process.env.PRETRAIN_LAB_UNFUSED_ADAMW;
}

/** The L2 norm of all the gradients together, read in place (no kernel). */
export function globalNorm(grads: tf.Tensor[]): number {
  const [backend, name] = [tf.backend(), tf.getBackend()];
  let sum = 0;
  for (const g of grads) {
    const x = tensorMemory(backend, name, g);
    for (let i = 0; i < x.length; i++) sum += x[i] * x[i];
  }
  return Math.sqrt(sum);
}

/** One AdamW update: new parameter, first and second moments (the caller assigns them). */
export function adamW(p: tf.Tensor, m: tf.Tensor, v: tf.Tensor, g: tf.Tensor, step: AdamWStep): tf.Tensor[] {
  register();
  return tf.engine().runKernel(KERNEL, { p, m, v, g }, step as unknown as tf.NamedAttrMap) as tf.Tensor[];
}
