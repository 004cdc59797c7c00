// Which TensorFlow.js backend the engine runs on.

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
/** `auto` tries tensorflow (the optional native tfjs-node), then wasm, then cpu. */
export type BackendChoice = BackendName | 'auto';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];
