// A minimal protobuf writer for the few ONNX messages we emit (onnx/onnx.proto3 field numbers). A message
// is kept as a list of byte chunks, so that nesting a 400 MB initializer copies it once, at the end.

/** An encoded message: its chunks in order and their total length. */
export interface Msg {
  parts: Uint8Array[];
  length: number;
}

export class Writer implements Msg {
  readonly parts: Uint8Array[] = [];
  length = 0;

  private push(b: Uint8Array): void {
    this.parts.push(b);
    this.length += b.length;
  }

  private varint(n: number | bigint): void {
    let v = BigInt.asUintN(64, BigInt(n));
    const out: number[] = [];
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v !== 0n) byte |= 0x80;
      out.push(byte);
    } while (v !== 0n);
    this.push(Uint8Array.from(out));
  }

  private tag(field: number, wire: 0 | 2 | 5): void {
    this.varint((field << 3) | wire);
  }

  int(field: number, n: number): this {
    this.tag(field, 0);
    this.varint(n);
    return this;
  }

  float(field: number, x: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.push(b);
    return this;
  }

  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    this.push(b);
    return this;
  }

  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  message(field: number, m: Msg): this {
    this.tag(field, 2);
    this.varint(m.length);
    for (const p of m.parts) this.push(p);
    return this;
  }

  /** The whole message as one buffer. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

// ONNX TensorProto.DataType
export const FLOAT = 1;
export const INT32 = 6;
export const INT64 = 7;

/** A TensorProto holding raw little-endian data. */
export function tensorProto(
  name: string,
  dims: readonly number[],
  dataType: number,
  raw: Uint8Array,
): Writer {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  return w.int(2, dataType).string(8, name).bytes(9, raw);
}

/**
 * A TensorProto whose data is `length` bytes at `offset` in a file (data_location EXTERNAL), named
 * relative to the folder the session is given (runtime.ts); ONNX Runtime maps it in place.
 */
export function externalTensorProto(
  name: string,
  dims: readonly number[],
  dataType: number,
  location: string,
  offset: number,
  length: number,
): Writer {
  const w = new Writer();
  for (const d of dims) w.int(1, d);
  w.int(2, dataType).string(8, name);
  for (const [k, v] of [
    ['location', location],
    ['offset', String(offset)],
    ['length', String(length)],
  ])
    w.message(13, new Writer().string(1, k).string(2, v));
  return w.int(14, 1);
}

/** A ValueInfoProto: a graph input or output with element type and dims (a string is a symbolic dim). */
export function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): Writer {
  const shape = new Writer();
  for (const d of dims)
    shape.message(1, typeof d === 'number' ? new Writer().int(1, d) : new Writer().string(2, d));
  const tensorType = new Writer().int(1, elemType).message(2, shape);
  return new Writer().string(1, name).message(2, new Writer().message(1, tensorType));
}

export type AttrValue = number | string | number[] | { float: number } | { graph: Msg };

/** An AttributeProto: an integer, a float ({float: x}), a string, a list of integers or a graph (a GraphProto, Scan's body). */
export function attribute(name: string, value: AttrValue): Writer {
  const w = new Writer().string(1, name);
  if (typeof value === 'object' && 'graph' in value) return w.message(6, value.graph).int(20, 5);
  if (typeof value === 'string') return w.bytes(4, new TextEncoder().encode(value)).int(20, 3);
  if (Array.isArray(value)) {
    for (const v of value) w.int(8, v);
    return w.int(20, 7);
  }
  if (typeof value === 'object') return w.float(2, value.float).int(20, 1);
  return w.int(3, value).int(20, 2);
}

export function nodeProto(
  op: string,
  inputs: readonly string[],
  outputs: readonly string[],
  name: string,
  attrs: Record<string, AttrValue> = {},
  domain = '',
): Writer {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, op);
  for (const [k, v] of Object.entries(attrs)) w.message(5, attribute(k, v));
  if (domain) w.string(7, domain);
  return w;
}
