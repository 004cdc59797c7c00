// ONNX Runtime for forward-only work. We call onnxruntime-node's native session directly: its public
// `InferenceSession.run` is asynchronous (a setImmediate around the same native call), while Predict
// Mask, attention and contextual vectors are synchronous functions of a loaded model.
import * as os from 'node:os';
import type { Tensor as OrtTensor } from 'onnxruntime-node';
import { excuse, trainingRuns } from '../inferenceShare';

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
  threads: number; // intra-op threads of every session when no training runs (1 while one runs)
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

/** Intra-op threads for a session used now: one while a training runs beside it (inferenceShare.ts). */
export function sessionThreads(): number {
  return trainingRuns() ? 1 : (ort?.info.threads ?? 1);
}

/**
 * Whether ONNX Runtime flushes subnormal floats to zero (the default; PRETRAIN_LAB_DENORMALS=keep keeps
 * them). A training's backward products meet subnormals within its first steps, and x86 computes with
 * them about a hundred times slower: on the starter's batches (BERT-tiny, 64 × 64) a step took 2.0–3.3
 * times as long with them (bench/denormals.ts). The flag is ONNX Runtime's `session.set_denormal_as_zero`:
 * each session's pool threads take it, and the thread that builds the process's first session (the
 * engine's first thread) takes it once, for everything it computes, tfjs and our WebAssembly passes
 * included (a Float32Array then stores a value below 1.18e-38 as 0). A new thread inherits the mode of
 * the thread that creates it, so an engine worker restarted by the extension host (which never runs
 * ORT) keeps subnormals: flushesHere tells, and the training log says so.
 */
export function flushDenormals(): boolean {
  return (process.env.PRETRAIN_LAB_DENORMALS ?? '').trim().toLowerCase() !== 'keep';
}

const probe = new Float32Array(1);

/** Whether this thread flushes subnormal floats now (ORT set it here, see flushDenormals). */
export function flushesHere(): boolean {
  probe[0] = 1e-20;
  probe[0] *= 3e-20; // 3e-40: subnormal in float32
  return probe[0] === 0;
}

/** The options every session here is built with: CPU, sequential, `threads` intra-op threads, and `session` config entries. */
export function sessionOptions(threads: number, session: Record<string, unknown> = {}): object {
  const entries = { ...(flushDenormals() && { set_denormal_as_zero: '1' }), ...session };
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    executionProviders: ['cpu'],
    ...(Object.keys(entries).length > 0 && { extra: { session: entries } }),
  };
}

export class OrtSession {
  private session: NativeSession;
  private threads: number;
  private readonly model: () => Uint8Array;

  /**
   * Compiles the serialized ModelProto that `model` builds; call loadOrt() first. The graph is built
   * again (from the weights the caller holds) when a training starts or ends, to change the thread count;
   * given bytes, the session keeps them for that. `folder`: where the files of the graph's file weights
   * are (graph.ts fileWeight); ONNX Runtime maps them and reads them in place (it still pre-packs the
   * matrices of MatMul and Gemm into its own layout, as it does for weights inside the model).
   */
  constructor(
    model: Uint8Array | (() => Uint8Array),
    private readonly folder?: string,
  ) {
    if (!ort) throw new Error('ONNX Runtime is not loaded; call loadOrt() first.');
    this.model = typeof model === 'function' ? model : () => model;
    this.threads = sessionThreads();
    this.session = this.compile(this.model());
  }

  private compile(model: Uint8Array): NativeSession {
    const session = new ort!.mod.binding.InferenceSession();
    session.loadModel(
      model.buffer as ArrayBuffer,
      model.byteOffset,
      model.byteLength,
      sessionOptions(
        this.threads,
        this.folder !== undefined ? { model_external_initializers_file_folder_path: this.folder } : {},
      ),
    );
    return session;
  }

  /** Intra-op threads of the compiled session. */
  get threadCount(): number {
    return this.threads;
  }

  /** Runs the graph synchronously and returns the outputs asked for. */
  run(feeds: Record<string, Feed>, fetch: readonly string[]): Record<string, Fetched> {
    const T = ort!.Tensor;
    const inputs: Record<string, OrtTensor> = {};
    for (const [k, f] of Object.entries(feeds)) {
      inputs[k] = new T(f.data instanceof Int32Array ? 'int32' : 'float32', f.data, f.dims);
    }
    if (sessionThreads() !== this.threads) {
      const t0 = performance.now();
      const model = this.model();
      this.session.dispose();
      this.threads = sessionThreads();
      this.session = this.compile(model);
      excuse(performance.now() - t0);
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

/**
 * ONNX Runtime where it can, TensorFlow.js where it cannot: run(f) gives f's result, or undefined after
 * a failure (said once in the log) and from then on, so that the caller's model answers on TensorFlow.js;
 * the caller checks its input before (a bad input is not a reason to leave ORT).
 */
export class OrtOrTfjs {
  private failed = false;

  run<T>(f: () => T): T | undefined {
    if (this.failed) return undefined;
    try {
      return f();
    } catch (e) {
      this.failed = true;
      console.error(
        `ONNX Runtime could not run this model (${e instanceof Error ? e.message.split('\n')[0] : e}); it runs on TensorFlow.js.`,
      );
      return undefined;
    }
  }
}
