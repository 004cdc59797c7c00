// ONNX Runtime for forward-only work. We call onnxruntime-node's native session directly: its public
// `InferenceSession.run` is asynchronous (a setImmediate around the same native call), while Predict
// Mask, attention and contextual vectors are synchronous functions of a loaded model.
import * as os from 'node:os';
import type { Tensor as OrtTensor } from 'onnxruntime-node';

interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, OrtTensor>;
  dispose(): void;
}
interface Binding {
  InferenceSession: new () => NativeSession;
}
interface OrtModule {
  binding: Binding;
  initOrt(): void;
}

export interface OrtInfo {
  version: string;
  threads: number; // intra-op threads of every session
}

let ort: { mod: OrtModule; Tensor: typeof OrtTensor; info: OrtInfo } | undefined;

/** Loads the native library once; throws (one line) when it cannot load on this machine. */
export function loadOrt(threads = os.availableParallelism()): OrtInfo {
  if (ort) return ort.info;
  const index = require('onnxruntime-node') as { Tensor: typeof OrtTensor };
  const mod = require('onnxruntime-node/dist/binding') as OrtModule;
  const version = (require('onnxruntime-node/package.json') as { version: string }).version;
  mod.initOrt();
  ort = { mod, Tensor: index.Tensor, info: { version, threads: Math.max(1, threads) } };
  return ort.info;
}

export function ortInfo(): OrtInfo | undefined {
  return ort?.info;
}

/** A feed: an int32 or float32 tensor in row-major order. */
export type Feed = { data: Int32Array | Float32Array; dims: readonly number[] };
export type Fetched = { data: Float32Array; dims: number[] };

export class OrtSession {
  private readonly session: NativeSession;

  /** Compiles a serialized ModelProto; call loadOrt() first. */
  constructor(model: Uint8Array) {
    if (!ort) throw new Error('ONNX Runtime is not loaded; call loadOrt() first.');
    this.session = new ort.mod.binding.InferenceSession();
    this.session.loadModel(model.buffer as ArrayBuffer, model.byteOffset, model.byteLength, {
      intraOpNumThreads: ort.info.threads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      executionProviders: ['cpu'],
    });
  }

  /** Runs the graph synchronously and returns the outputs asked for. */
  run(feeds: Record<string, Feed>, fetch: readonly string[]): Record<string, Fetched> {
    const T = ort!.Tensor;
    const inputs: Record<string, OrtTensor> = {};
    for (const [k, f] of Object.entries(feeds)) {
      inputs[k] = new T(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, f.dims);
    }
    const wanted: Record<string, null> = {};
    for (const k of fetch) wanted[k] = null;
    const out = this.session.run(inputs, wanted, {});
    const result: Record<string, Fetched> = {};
    for (const k of fetch) result[k] = { data: out[k].data as Float32Array, dims: [...out[k].dims] };
    return result;
  }

  dispose(): void {
    this.session.dispose();
  }
}
