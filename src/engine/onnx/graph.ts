// Builds an ONNX model (opset 20, the default domain) node by node: initializers from typed arrays,
// nodes that name their outputs, graph inputs and outputs, then the serialized ModelProto. A weight may
// also stay in its file (`fileWeight`): ONNX Runtime then maps the file's bytes in place (the session
// is told the folder, runtime.ts), so the model holds no copy of it.
import {
  type AttrValue,
  externalTensorProto,
  FLOAT,
  INT32,
  INT64,
  nodeProto,
  tensorProto,
  valueInfo,
  Writer,
} from './proto';

export const OPSET = 20; // Gelu arrived in opset 20; LayerNormalization in 17
const IR_VERSION = 9; // the IR version of opset 20

export type Dim = number | string; // a string names a dimension given at run time

/** Bytes of a weight inside a file of the session's folder, little-endian F32, F16 or BF16. */
export interface FileSlice {
  file: string; // the file's name in the folder
  offset: number;
  length: number;
  dtype: 'F32' | 'F16' | 'BF16';
}

/**
 * A parameter's shape and values by its checkpoint name, in memory or in a file; `transposed` marks a
 * dense kernel stored [out, in] (PyTorch's nn.Linear, as a Hugging Face file has it), not our [in, out].
 */
export type WeightSource = (
  name: string,
) => { shape: number[]; transposed?: boolean } & ({ data: Float32Array } | { slice: FileSlice });

/** The weights of a tfjs model's parameters by name (`prefix` + name), read from its tensors. */
export function paramWeights(
  params: ReadonlyMap<string, { shape: number[]; dataSync(): unknown }>,
  prefix = '',
): WeightSource {
  return (name) => {
    const p = params.get(prefix + name);
    if (!p) throw new Error(`The model has no parameter ${prefix + name}.`);
    return { shape: p.shape, data: p.dataSync() as Float32Array };
  };
}

// ONNX TensorProto.DataType of a file's dtypes
const FILE_TYPES = { F32: FLOAT, F16: 10, BF16: 16 } as const;

/** Microsoft's operator domain in ONNX Runtime (FusedMatMul). */
export const MS_DOMAIN = 'com.microsoft';

export class GraphBuilder {
  private readonly nodes: Writer[] = [];
  private readonly inits: Writer[] = [];
  private readonly inputs: Writer[] = [];
  private readonly outputs: Writer[] = [];
  private count = 0;
  private usesMs = false;

  /** `prefix` names this graph's values and nodes apart from an outer graph's (a subgraph sees those). */
  constructor(private readonly prefix = '') {}

  input(name: string, elemType: 'float32' | 'int32', dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elemType === 'float32' ? FLOAT : INT32, dims));
    return name;
  }

  output(name: string, elemType: 'float32' | 'int32', dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, elemType === 'float32' ? FLOAT : INT32, dims));
  }

  /** A float32 weight; the bytes are referenced, not copied, until the model is serialized. */
  weight(name: string, dims: readonly number[], data: Float32Array): string {
    const raw = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.inits.push(tensorProto(name, dims, FLOAT, raw));
    return name;
  }

  /**
   * A weight left in its file (an external initializer). Half-precision bytes are cast to float32 by a
   * node, which ONNX Runtime folds into a float32 copy when it builds the session.
   */
  fileWeight(name: string, dims: readonly number[], s: FileSlice): string {
    const stored = s.dtype === 'F32' ? name : `${name}.${s.dtype}`;
    this.inits.push(externalTensorProto(stored, dims, FILE_TYPES[s.dtype], s.file, s.offset, s.length));
    return s.dtype === 'F32' ? name : this.node('Cast', [stored], { to: FLOAT }, name);
  }

  /** A small int64 constant (shapes, axes). */
  ints(values: readonly number[]): string {
    const name = `${this.prefix}c${this.count++}`;
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.inits.push(tensorProto(name, [values.length], INT64, new Uint8Array(data.buffer)));
    return name;
  }

  /** A float32 scalar constant. */
  scalar(x: number): string {
    const name = `${this.prefix}c${this.count++}`;
    this.inits.push(tensorProto(name, [], FLOAT, new Uint8Array(Float32Array.of(x).buffer)));
    return name;
  }

  /** Adds a node and returns the name of its (first) output; `out` names it when it is a graph output. */
  node(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const name = out ?? `${this.prefix}t${this.count++}`;
    this.nodes.push(nodeProto(op, inputs, [name], `${this.prefix}n${this.count++}_${op}`, attrs));
    return name;
  }

  /** A node of ONNX Runtime's Microsoft domain (FusedMatMul). */
  msNode(op: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const name = out ?? `${this.prefix}t${this.count++}`;
    this.usesMs = true;
    this.nodes.push(nodeProto(op, inputs, [name], `${this.prefix}n${this.count++}_${op}`, attrs, MS_DOMAIN));
    return name;
  }

  /** A node with several named outputs (Split). */
  nodeN(
    op: string,
    inputs: readonly string[],
    outputs: readonly string[],
    attrs: Record<string, AttrValue> = {},
  ): void {
    this.nodes.push(nodeProto(op, inputs, outputs, `${this.prefix}n${this.count++}_${op}`, attrs));
  }

  /** The GraphProto alone: a subgraph (Scan's body) given to a node of the outer graph as `{ graph }`. */
  graph(graphName: string): Writer {
    const g = new Writer();
    for (const n of this.nodes) g.message(1, n);
    g.string(2, graphName);
    for (const t of this.inits) g.message(5, t);
    for (const i of this.inputs) g.message(11, i);
    for (const o of this.outputs) g.message(12, o);
    return g;
  }

  /** The serialized ModelProto. */
  serialize(graphName: string): Uint8Array {
    const g = this.graph(graphName);
    const m = new Writer().int(1, IR_VERSION).string(2, 'pretrain-lab').message(7, g);
    m.message(8, new Writer().string(1, '').int(2, OPSET));
    if (this.usesMs) m.message(8, new Writer().string(1, MS_DOMAIN).int(2, 1));
    return m.finish();
  }
}
