// Chooses the fastest TensorFlow.js backend this machine has (tfjs-node, then wasm, then cpu) and
// registers the kernels that make training usable on wasm and cpu. With `auto` or `onnx`, forward-only
// work (Predict Mask, attention, contextual vectors) runs on ONNX Runtime when its native library loads.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core's Node bundle registers no gradients; @tensorflow/tfjs normally does this.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { BackendChoice, BackendName } from '../shared/configs';
import { l10n } from '../shared/l10nCore';
import { installOrtMatMul, ortMatMulFromEnv, uninstallOrtMatMul } from './onnx/ortMatMul';
import { loadOrt, type OrtInfo } from './onnx/runtime';

export interface BackendInfo {
  name: BackendName; // what trains (and infers, without `inference`)
  tried: { name: BackendName; error?: string }[];
  inference?: OrtInfo; // ONNX Runtime runs forward-only work
  inferenceError?: string; // why ONNX Runtime did not load, when it was wanted
  ortProducts?: boolean; // the wasm backend's large matrix products run on ONNX Runtime (onnx/ortMatMul.ts)
}

let current: BackendInfo | undefined;

export function backendInfo(): BackendInfo | undefined {
  return current;
}

/** Reads PRETRAIN_LAB_BACKEND when no explicit choice is made. */
export function backendFromEnv(): BackendChoice {
  const v = (process.env.PRETRAIN_LAB_BACKEND ?? 'auto').trim().toLowerCase();
  if (v === 'auto' || v === 'onnx' || v === 'tensorflow' || v === 'wasm' || v === 'cpu') return v;
  throw new Error(
    l10n.t('PRETRAIN_LAB_BACKEND="{0}" is not a backend; use auto, onnx, tensorflow, wasm or cpu.', v),
  );
}

/** Whether forward-only work runs on ONNX Runtime (models loaded from now on build an ONNX graph). */
export function onnxInference(): boolean {
  return current?.inference !== undefined;
}

/** One line for logs and the status bar: "inference: onnxruntime 1.30.0 (2 threads) · training: wasm". */
export function describeBackend(info: BackendInfo): string {
  if (!info.inference) return trainingLine(info);
  return `inference: onnxruntime ${info.inference.version} (${info.inference.threads} thread${info.inference.threads === 1 ? '' : 's'}) · training: ${trainingLine(info)}`;
}

/** What trains: "wasm", or "wasm + onnxruntime matrix products". */
export function trainingLine(info: BackendInfo): string {
  return info.ortProducts ? l10n.t('{0} + onnxruntime matrix products', info.name) : info.name;
}

/**
 * What runs forward-only work, for the extension's log: "onnxruntime 1.30.0 (2 threads; 1 while a training
 * runs)", or the tfjs backend and why ONNX Runtime is not used; undefined when it was not wanted.
 */
export function inferenceLine(info: BackendInfo): string | undefined {
  if (info.inference)
    return l10n.t(
      'onnxruntime {0} ({1} threads; 1 while a training runs)',
      info.inference.version,
      info.inference.threads,
    );
  if (info.inferenceError) return l10n.t('{0} (ONNX Runtime not used: {1})', info.name, info.inferenceError);
  return undefined;
}

/**
 * `auto` and `onnx` train on the first tfjs backend that starts (tensorflow, wasm, cpu) and infer on ONNX
 * Runtime when it loads (PRETRAIN_LAB_ONNX=off skips it); a named tfjs backend does both itself.
 */
export async function initBackend(choice: BackendChoice = backendFromEnv()): Promise<BackendInfo> {
  const wantsOrt = choice === 'auto' || choice === 'onnx';
  const ortTried = current?.inference !== undefined || current?.inferenceError !== undefined;
  if (current && (wantsOrt ? choice === 'auto' || ortTried : choice === current.name && !ortTried))
    return current;
  const order: BackendName[] = wantsOrt ? ['tensorflow', 'wasm', 'cpu'] : [choice];
  const tried: BackendInfo['tried'] = [];
  for (const name of order) {
    try {
      await activate(name);
      tried.push({ name });
      current = { name, tried };
      if (wantsOrt) Object.assign(current, startOrt());
      current.ortProducts = ortProducts(current);
      return current;
    } catch (e) {
      tried.push({ name, error: e instanceof Error ? e.message.split('\n')[0] : String(e) });
    }
  }
  const why = tried.map((t) => `${t.name}: ${t.error}`).join('; ');
  throw new Error(
    l10n.t('No TensorFlow.js backend could start ({0}); set the backend to "cpu" and try again.', why),
  );
}

/**
 * Whether training's large matrix products go to ONNX Runtime: on the wasm backend, when ONNX Runtime
 * already runs inference (26–35% off a BERT-tiny step, docs/benchmarks.md), unless PRETRAIN_LAB_ORT_MATMUL=0;
 * with a named `wasm` backend (chosen to leave ONNX Runtime out) only when PRETRAIN_LAB_ORT_MATMUL=1.
 */
function ortProducts(info: BackendInfo): boolean {
  const env = ortMatMulFromEnv();
  if (info.name !== 'wasm' || env === 'off' || (env === undefined && !info.inference)) {
    uninstallOrtMatMul();
    return false;
  }
  const why = installOrtMatMul();
  if (why)
    console.warn(l10n.t('ONNX Runtime did not load ({0}); matrix products run on TensorFlow.js.', why));
  return why === undefined;
}

/** ONNX Runtime for inference, or the one-line reason it is not used (then tfjs infers too). */
function startOrt(): Pick<BackendInfo, 'inference' | 'inferenceError'> {
  if ((process.env.PRETRAIN_LAB_ONNX ?? '').trim().toLowerCase() === 'off')
    return { inferenceError: l10n.t('turned off by PRETRAIN_LAB_ONNX=off') };
  try {
    return { inference: loadOrt() };
  } catch (e) {
    const inferenceError = e instanceof Error ? e.message.split('\n')[0] : String(e);
    console.warn(l10n.t('ONNX Runtime did not load ({0}); inference runs on TensorFlow.js.', inferenceError));
    return { inferenceError };
  }
}

async function activate(name: BackendName): Promise<void> {
  if (name === 'tensorflow') {
    // Registers the 'tensorflow' backend on the same tfjs-core instance when it is installed.
    require('@tensorflow/tfjs-node');
  } else if (name === 'wasm') {
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDir());
    registerFastUnsortedSegmentSum('wasm');
    patchWasmBatchMatMul();
    shareWasmIdentity();
  } else {
    registerFastUnsortedSegmentSum('cpu');
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(l10n.t('the {0} backend did not initialise', name));
  await tf.ready();
  tf.enableProdMode();
  // The cpu backend prints an advert for tfjs-node on first use; we report the backend ourselves.
  (tf.backend() as unknown as { firstUse?: boolean }).firstUse = false;
}

function wasmDir(): string {
  const dir = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  if (!fs.existsSync(path.join(dir, 'tfjs-backend-wasm-simd.wasm'))) {
    throw new Error(l10n.t('the wasm binaries are missing from {0}', dir));
  }
  return dir + path.sep;
}

// Kernel-level types: tfjs does not export the backend classes' internals, so these describe the
// few members the kernels below use.
interface TensorInfoLike {
  dataId: object;
  shape: number[];
  dtype: tf.DataType;
}
interface KernelBackendLike {
  typedArrayFromHeap?(t: TensorInfoLike): Float32Array | Int32Array;
  makeOutput?(shape: number[], dtype: tf.DataType, memory?: unknown, values?: Float32Array): TensorInfoLike;
  data?: { get(id: object): { values: Float32Array | Int32Array } };
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values: Float32Array): TensorInfoLike;
  disposeData(id: object): void;
}

/** A tensor's values in place, no copy: a view of the wasm heap, or the cpu backend's own array. */
export function tensorMemory(
  backend: unknown,
  backendName: string,
  t: TensorInfoLike,
): Float32Array | Int32Array {
  const b = backend as KernelBackendLike;
  return backendName === 'wasm' ? b.typedArrayFromHeap!(t) : b.data!.get(t.dataId).values;
}

/**
 * The gradient of tf.gather (every embedding lookup) is UnsortedSegmentSum. wasm has none; cpu's makes
 * one pass over the input per output row (O(V·N)), 123 s for an [8000,128] table. This one is O(N).
 */
export function registerFastUnsortedSegmentSum(backendName: 'wasm' | 'cpu'): void {
  if (tf.getKernel('UnsortedSegmentSum', backendName)) tf.unregisterKernel('UnsortedSegmentSum', backendName);
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: ({ inputs, attrs, backend }) => {
      const b = backend as unknown as KernelBackendLike;
      const x = inputs.x as TensorInfoLike;
      const segmentIds = inputs.segmentIds as TensorInfoLike;
      const numSegments = (attrs as { numSegments: number }).numSegments;
      const xv = tensorMemory(backend, backendName, x);
      const ids = tensorMemory(backend, backendName, segmentIds);
      const inner = ids.length === 0 ? 0 : xv.length / ids.length;
      const out = new Float32Array(numSegments * inner);
      for (let i = 0; i < ids.length; i++) {
        const s = ids[i];
        if (s < 0 || s >= numSegments) continue;
        const o = s * inner;
        const xi = i * inner;
        for (let j = 0; j < inner; j++) out[o + j] += xv[xi + j];
      }
      const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
      return backendName === 'wasm'
        ? b.makeOutput!(shape, x.dtype, undefined, out)
        : b.makeTensorInfo!(shape, x.dtype, out);
    },
  });
}

/**
 * tfjs clones (Identity) every tensor an op saves for its gradient: ~330 calls a BERT-tiny training step.
 * wasm's Identity copies the data; kernels never write into their inputs, so the clone can share it, as
 * the cpu backend's does (one more reference on the same memory; the last dispose frees it).
 */
export function shareWasmIdentity(): void {
  const orig = tf.getKernel('Identity', 'wasm');
  if (!orig || (orig.kernelFunc as { shared?: boolean }).shared) return;
  const kernelFunc: tf.KernelFunc & { shared?: boolean } = (args) => {
    const x = args.inputs.x as TensorInfoLike;
    if (x.dtype === 'string') return orig.kernelFunc(args);
    (args.backend as unknown as { incRef(id: object): void }).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
  kernelFunc.shared = true;
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ ...orig, kernelFunc });
}

/**
 * wasm's BatchMatMul uses XNNPACK only for untransposed products with batch 1 and otherwise falls to a
 * naive loop 10-20x slower. Transpose explicitly, and fold a broadcast batch of `a` into rows.
 */
export function patchWasmBatchMatMul(): void {
  const orig = tf.getKernel('BatchMatMul', 'wasm');
  if (!orig || (orig.kernelFunc as { patched?: boolean }).patched) return;
  const transposeK = tf.getKernel('Transpose', 'wasm')!.kernelFunc;
  const prod = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const kernelFunc: tf.KernelFunc & { patched?: boolean } = ({ inputs, attrs, backend }) => {
    const b = backend as unknown as KernelBackendLike;
    let a = inputs.a as TensorInfoLike;
    let bb = inputs.b as TensorInfoLike;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const tmp: TensorInfoLike[] = [];
    const swap = (t: TensorInfoLike): TensorInfoLike => {
      const r = t.shape.length;
      const perm = [...Array(r).keys()];
      perm[r - 2] = r - 1;
      perm[r - 1] = r - 2;
      const o = transposeK({ inputs: { x: t as tf.TensorInfo }, attrs: { perm }, backend }) as TensorInfoLike;
      tmp.push(o);
      return o;
    };
    if (transposeA) a = swap(a);
    if (transposeB) bb = swap(bb);
    const ra = a.shape.length;
    const rb = bb.shape.length;
    const M = a.shape[ra - 2];
    const K = a.shape[ra - 1];
    const N = bb.shape[rb - 1];
    const batchA = prod(a.shape.slice(0, -2));
    const batchB = prod(bb.shape.slice(0, -2));
    const plain = { transposeA: false, transposeB: false };
    let out: TensorInfoLike;
    if (batchA === batchB && batchA > 1 && a.dtype === 'float32' && bb.dtype === 'float32') {
      // Equal batches (attention's [B, heads, T, d] products): one XNNPACK 2-D product per slice,
      // copying slices through two scratch buffers, instead of the naive batched loop.
      // XNNPACK caches the packed right-hand matrix by tensor id, so every slice needs a fresh one.
      out = b.makeOutput!([...a.shape.slice(0, -2), M, N], 'float32');
      const sa = b.makeOutput!([1, M, K], 'float32');
      for (let i = 0; i < batchA; i++) {
        const sb = b.makeOutput!([1, K, N], 'float32');
        // heap views are fetched anew after every allocation, which may grow (and move) the heap
        b.typedArrayFromHeap!(sa).set(b.typedArrayFromHeap!(a).subarray(i * M * K, (i + 1) * M * K));
        b.typedArrayFromHeap!(sb).set(b.typedArrayFromHeap!(bb).subarray(i * K * N, (i + 1) * K * N));
        const so = orig.kernelFunc({
          inputs: { a: sa as tf.TensorInfo, b: sb as tf.TensorInfo },
          attrs: plain,
          backend,
        }) as TensorInfoLike;
        b.typedArrayFromHeap!(out).set(b.typedArrayFromHeap!(so), i * M * N);
        b.disposeData(so.dataId);
        b.disposeData(sb.dataId);
      }
      b.disposeData(sa.dataId);
    } else if (batchB === 1 && batchA > 1 && ra >= 3) {
      // [..., M, K] x [K, N] is one [batchA*M, K] x [K, N] product.
      const folded = { dataId: a.dataId, shape: [1, batchA * M, K], dtype: a.dtype } as tf.TensorInfo;
      out = orig.kernelFunc({
        inputs: { a: folded, b: bb as tf.TensorInfo },
        attrs: plain,
        backend,
      }) as TensorInfoLike;
      out.shape = [...a.shape.slice(0, -2), M, N];
    } else {
      out = orig.kernelFunc({
        inputs: { a: a as tf.TensorInfo, b: bb as tf.TensorInfo },
        attrs: plain,
        backend,
      }) as TensorInfoLike;
    }
    for (const t of tmp) b.disposeData(t.dataId);
    return out as tf.TensorInfo;
  };
  kernelFunc.patched = true;
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...orig, kernelFunc });
}
