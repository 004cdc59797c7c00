// Which TensorFlow.js backend the engine runs on.

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
/**
 * `auto` trains on tensorflow (the optional native tfjs-node), then wasm, then cpu, and runs inference on
 * ONNX Runtime when it loads; `onnx` is the same, said explicitly; a backend name does both on that backend.
 */
export type BackendChoice = BackendName | 'auto' | 'onnx';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'onnx', 'tensorflow', 'wasm', 'cpu'];
