// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON
// ({name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}), then the raw
// little-endian tensor bytes, offsets relative to the end of the header. Nothing in it can run code,
// unlike PyTorch's pickle files. The reader checks the header against the file size before it
// allocates anything and reads each tensor's byte range only when asked (F32, F16, BF16 and F64,
// returned as float32); a sharded model is several files joined by model.safetensors.index.json.
// The writer writes F32, F16 or BF16.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v from 'valibot';
import { l10n } from '../../../shared/l10nCore';
import { writeFileAtomic } from '../../io/atomic';
import { ModelFolderError } from '../files';

export type Dtype = 'F32' | 'F16' | 'BF16' | 'F64';
const BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};
const READABLE = new Set(['F32', 'F16', 'BF16', 'F64']);

/** A header longer than this is a damaged or hostile file (the reference implementation's limit). */
const MAX_HEADER = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: string;
  shape: number[];
  begin: number; // absolute byte offset in the file
  end: number;
  file: string;
}

const EntrySchema = v.object({
  dtype: v.string(),
  shape: v.array(v.pipe(v.number(), v.integer(), v.minValue(0))),
  data_offsets: v.tuple([v.pipe(v.number(), v.integer(), v.minValue(0)), v.pipe(v.number(), v.integer())]),
});

function bad(file: string, why: string): ModelFolderError {
  return new ModelFolderError(
    l10n.t('{0} is not a valid safetensors file ({1}); download or convert it again.', file, why),
  );
}

/** Reads and checks one file's header: every tensor inside the file, sized by its shape and dtype. */
export function readSafetensorsHeader(file: string): {
  tensors: TensorInfo[];
  metadata: Record<string, string>;
} {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    throw new ModelFolderError(l10n.t('Cannot read {0}; check that the file exists and is readable.', file));
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size < 8) throw bad(file, l10n.t('it has {0} bytes, fewer than the 8 of its header length', size));
    const lenBuf = Buffer.alloc(8);
    fs.readSync(fd, lenBuf, 0, 8, 0);
    const n = lenBuf.readBigUInt64LE(0);
    if (n > BigInt(Math.min(MAX_HEADER, size - 8)))
      throw bad(file, l10n.t('its header claims {0} bytes but the file has {1}', n, size));
    const headerBytes = Buffer.alloc(Number(n));
    fs.readSync(fd, headerBytes, 0, headerBytes.length, 8);
    let raw: unknown;
    try {
      raw = JSON.parse(headerBytes.toString('utf8'));
    } catch {
      throw bad(file, l10n.t('its header is not JSON'));
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw bad(file, l10n.t('its header is not a JSON object'));
    const dataStart = 8 + Number(n);
    const dataLen = size - dataStart;
    const tensors: TensorInfo[] = [];
    let metadata: Record<string, string> = {};
    for (const [name, entry] of Object.entries(raw)) {
      if (name === '__metadata__') {
        metadata = (entry ?? {}) as Record<string, string>;
        continue;
      }
      const e = v.safeParse(EntrySchema, entry);
      if (!e.success) throw bad(file, l10n.t('the entry of {0} has no dtype, shape and data_offsets', name));
      const {
        dtype,
        shape,
        data_offsets: [b, en],
      } = e.output;
      const width = BYTES[dtype];
      if (width === undefined) throw bad(file, l10n.t('{0} has the unknown dtype {1}', name, dtype));
      const bytes = shape.reduce((a, x) => a * x, 1) * width;
      if (en > dataLen || b > en)
        throw bad(file, l10n.t('{0} lies beyond the end of the file, which is truncated', name));
      if (en - b !== bytes)
        throw bad(
          file,
          l10n.t('{0} has {1} bytes but its shape [{2}] of {3} needs {4}', name, en - b, shape, dtype, bytes),
        );
      tensors.push({ name, dtype, shape, begin: dataStart + b, end: dataStart + en, file });
    }
    // the tensors tile the data exactly, as the reference implementation requires
    const sorted = [...tensors].sort((a, b) => a.begin - b.begin);
    let at = dataStart;
    for (const t of sorted) {
      if (t.begin !== at)
        throw bad(file, l10n.t('{0} overlaps another tensor or leaves a gap before it', t.name));
      at = t.end;
    }
    if (at !== size) throw bad(file, l10n.t('its tensors end at byte {0} but the file has {1}', at, size));
    return { tensors, metadata };
  } finally {
    fs.closeSync(fd);
  }
}

const f16Table = (() => {
  // all 65536 half-precision values as float32: conversion is one lookup per element
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    if (e === 0) t[h] = s * 2 ** -14 * (m / 1024);
    else if (e === 31) t[h] = m ? Number.NaN : s * Number.POSITIVE_INFINITY;
    else t[h] = s * 2 ** (e - 15) * (1 + m / 1024);
  }
  return t;
})();

/** Converts raw little-endian bytes of a dtype into a new Float32Array. */
export function toFloat32(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  const out = new Float32Array(count);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (dtype === 'F16') for (let i = 0; i < count; i++) out[i] = f16Table[dv.getUint16(2 * i, true)];
  else if (dtype === 'BF16') {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u[i] = dv.getUint16(2 * i, true) << 16;
  } else for (let i = 0; i < count; i++) out[i] = dv.getFloat64(8 * i, true);
  return out;
}

/** One or several safetensors files read lazily: each tensor's bytes are read when asked for. */
export class SafetensorsReader {
  readonly tensors = new Map<string, TensorInfo>();
  readonly metadata: Record<string, string>;

  constructor(readonly files: string[]) {
    let meta: Record<string, string> = {};
    for (const f of files) {
      const h = readSafetensorsHeader(f);
      meta = { ...meta, ...h.metadata };
      for (const t of h.tensors) this.tensors.set(t.name, t);
    }
    this.metadata = meta;
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** The entry of a tensor the model in `dir` needs, with the shape config.json gives it, or why not. */
  expect(name: string, shape: readonly number[], dir: string): TensorInfo {
    const info = this.tensors.get(name);
    if (!info)
      throw new ModelFolderError(
        l10n.t('{0} has no tensor {1}; the checkpoint is incomplete, so download it again.', dir, name),
      );
    if (info.shape.join(',') !== shape.join(','))
      throw new ModelFolderError(
        l10n.t(
          'The tensor {0} in {1} has shape [{2}] but config.json needs [{3}]; the weights and config.json disagree, so download the folder again.',
          name,
          path.basename(info.file),
          info.shape,
          shape,
        ),
      );
    return info;
  }

  /** The tensor's values as float32 (a fresh array: F32 bytes are read straight into it). */
  read(name: string): { shape: number[]; data: Float32Array } {
    const t = this.tensors.get(name);
    if (!t)
      throw new ModelFolderError(
        l10n.t('The safetensors files have no tensor {0}; the folder is incomplete.', name),
      );
    if (!READABLE.has(t.dtype))
      throw new ModelFolderError(
        l10n.t(
          '{0} stores {1} as {2}; Pretrain Lab reads F32, F16 and BF16 weights, so convert it to one of them.',
          t.file,
          name,
          t.dtype,
        ),
      );
    const count = t.shape.reduce((a, x) => a * x, 1);
    const fd = fs.openSync(t.file, 'r');
    try {
      if (t.dtype === 'F32') {
        const out = new Float32Array(count);
        readFully(fd, new Uint8Array(out.buffer), t.begin);
        return { shape: t.shape, data: out };
      }
      const bytes = new Uint8Array(t.end - t.begin);
      readFully(fd, bytes, t.begin);
      return { shape: t.shape, data: toFloat32(bytes, t.dtype, count) };
    } finally {
      fs.closeSync(fd);
    }
  }
}

function readFully(fd: number, into: Uint8Array, pos: number): void {
  let done = 0;
  while (done < into.length) {
    const n = fs.readSync(fd, into, done, into.length - done, pos + done);
    if (n === 0)
      throw new ModelFolderError(l10n.t('A safetensors file ended early; it was cut while being written.'));
    done += n;
  }
}

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

const IndexSchema = v.object({ weight_map: v.record(v.string(), v.string()) });

/** The safetensors files of a folder: model.safetensors, or the shards its index names; [] if none. */
export function safetensorsFiles(dir: string): string[] {
  const index = path.join(dir, INDEX_FILE);
  if (fs.existsSync(index)) {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(index, 'utf8'));
    } catch {
      throw new ModelFolderError(
        l10n.t('{0} is not valid JSON; download or convert the model again.', index),
      );
    }
    const r = v.safeParse(IndexSchema, raw);
    if (!r.success)
      throw new ModelFolderError(
        l10n.t('{0} has no "weight_map"; download or convert the model again.', index),
      );
    const shards = [...new Set(Object.values(r.output.weight_map))];
    for (const s of shards) {
      if (path.basename(s) !== s || !fs.existsSync(path.join(dir, s)))
        throw new ModelFolderError(
          l10n.t('{0} names the shard {1}, which is not in {2}; download the missing shard.', index, s, dir),
        );
    }
    return shards.map((s) => path.join(dir, s));
  }
  const single = path.join(dir, SINGLE_FILE);
  return fs.existsSync(single) ? [single] : [];
}

// ---- writer ----

export interface TensorToWrite {
  name: string;
  shape: number[];
  data: Float32Array;
}

function f32ToF16(x: number): number {
  // round to nearest even through float32 bits
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >> 16) & 0x8000;
  const exp = (u >> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 255) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant = (mant | 0x800000) >> (1 - e);
    return sign | ((mant + 0xfff + ((mant >> 13) & 1)) >> 13);
  }
  const r = mant + 0xfff + ((mant >> 13) & 1);
  if (r & 0x800000) {
    e++;
    if (e >= 31) return sign | 0x7c00;
    return sign | (e << 10);
  }
  return sign | (e << 10) | (r >> 13);
}

/** Float32 values as little-endian IEEE half-precision bytes, rounded to nearest even. */
export function encodeF16(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) dv.setUint16(2 * i, f32ToF16(data[i]), true);
  return out;
}

function encode(t: TensorToWrite, dtype: 'F32' | 'F16' | 'BF16'): Uint8Array {
  if (dtype === 'F32') return new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  if (dtype === 'F16') return encodeF16(t.data);
  const out = new Uint8Array(t.data.length * 2);
  const dv = new DataView(out.buffer);
  {
    const u = new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length);
    for (let i = 0; i < u.length; i++) {
      const x = u[i];
      const rounded = (x + 0x7fff + ((x >> 16) & 1)) >>> 16; // round to nearest even
      dv.setUint16(2 * i, (x & 0x7f800000) === 0x7f800000 ? x >>> 16 : rounded, true);
    }
  }
  return out;
}

/** Writes one safetensors file (atomically), tensors in the given order, header padded to 8 bytes. */
export function writeSafetensors(
  file: string,
  tensors: TensorToWrite[],
  opts: { dtype?: 'F32' | 'F16' | 'BF16'; metadata?: Record<string, string> } = {},
): void {
  const dtype = opts.dtype ?? 'F32';
  const header: Record<string, unknown> = { __metadata__: opts.metadata ?? { format: 'pt' } };
  const blobs: Uint8Array[] = [];
  let at = 0;
  for (const t of tensors) {
    const b = encode(t, dtype);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [at, at + b.length] };
    blobs.push(b);
    at += b.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileAtomic(file, Buffer.concat([len, Buffer.from(json, 'utf8'), ...blobs]));
}

/** Writes the tensors as `shards` files with model.safetensors.index.json (transformers' naming). */
export function writeShardedSafetensors(
  dir: string,
  tensors: TensorToWrite[],
  shards: number,
  opts: { dtype?: 'F32' | 'F16' | 'BF16' } = {},
): void {
  const per = Math.ceil(tensors.length / shards);
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (let s = 0; s < shards; s++) {
    const name = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
    const part = tensors.slice(s * per, (s + 1) * per);
    writeSafetensors(path.join(dir, name), part, opts);
    for (const t of part) {
      weightMap[t.name] = name;
      total += t.data.length * (opts.dtype === 'F32' || !opts.dtype ? 4 : 2);
    }
  }
  writeFileAtomic(
    path.join(dir, INDEX_FILE),
    JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2),
  );
}
