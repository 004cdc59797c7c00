// The tensor files of a BERT checkpoint: weights.bin (or optimizer_m/v.bin) holds float32 tensors
// packed one after another in the order of its manifest (weights.json, optimizer.json), which gives
// each tensor's name, shape and offset and the file's SHA-256; the names and shapes must be exactly
// those a config implies. A manifest with "dtype": "float16" has weights.bin in half precision (a model
// shipped to be small, writeHalfWeights: the bundled starter); it reads back as float32.
import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import type { BertConfig } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { bertParamShapes } from '../models/bert';
import {
  bytesOf,
  checksumHash,
  isRecord,
  ModelFolderError,
  readModelFile,
  readModelJson,
  requireFinite,
  verifyChecksum,
} from './files';
import { encodeF16, toFloat32 } from './hf/safetensors';

export interface WeightEntry {
  name: string;
  shape: number[];
  offset: number; // in elements
  dtype?: 'float16'; // set on every entry of a half-precision file (float32 otherwise)
}

export function writeTensors(
  file: string,
  names: string[],
  tensors: Map<string, tf.Tensor>,
): { entries: WeightEntry[]; sha256: string } {
  const fd = fs.openSync(file, 'w');
  const entries: WeightEntry[] = [];
  const hash = checksumHash();
  let offset = 0;
  try {
    for (const name of names) {
      const t = tensors.get(name);
      if (!t) throw new Error(l10n.t('missing tensor {0}', name));
      const bytes = bytesOf(t.dataSync() as Float32Array);
      fs.writeSync(fd, bytes);
      hash.update(bytes);
      entries.push({ name, shape: t.shape, offset });
      offset += bytes.byteLength / 4;
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { entries, sha256: hash.digest('hex') };
}

/** The manifest's tensor list, checked: float32, unique names, packed in order with no gap. */
export function readManifest(file: string): { entries: WeightEntry[]; sha256: Record<string, unknown> } {
  const raw = readModelJson(file);
  const damaged = l10n.t(
    '{0} is not a valid weight manifest; the checkpoint is damaged, so restore it or retrain.',
    file,
  );
  const dtype = raw && isRecord(raw) ? (raw.dtype ?? 'float32') : undefined;
  if (!isRecord(raw) || !Array.isArray(raw.weights) || (dtype !== 'float32' && dtype !== 'float16'))
    throw new ModelFolderError(damaged);
  const entries: WeightEntry[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const e of raw.weights as unknown[]) {
    if (
      !isRecord(e) ||
      typeof e.name !== 'string' ||
      names.has(e.name) ||
      !Array.isArray(e.shape) ||
      !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0) ||
      e.offset !== offset
    )
      throw new ModelFolderError(damaged);
    const shape = e.shape as number[];
    names.add(e.name);
    entries.push({ name: e.name, shape, offset, ...(dtype === 'float16' && { dtype }) });
    offset += shape.reduce((a, b) => a * b, 1);
  }
  const sums = raw.sha256 === undefined ? {} : raw.sha256;
  if (!isRecord(sums)) throw new ModelFolderError(damaged);
  return { entries, sha256: sums };
}

/** A weight file read whole, its size, checksum and values checked. */
export function readWeightFile(file: string, entries: WeightEntry[], checksum: unknown): Float32Array {
  const buf = readModelFile(file);
  const total = entries.reduce((s, e) => s + e.shape.reduce((a, b) => a * b, 1), 0);
  const half = entries[0]?.dtype === 'float16';
  if (buf.byteLength !== total * (half ? 2 : 4))
    throw new ModelFolderError(
      l10n.t(
        '{0} has {1} bytes but its manifest needs {2}; the file is truncated or from another model, so restore it or retrain.',
        file,
        buf.byteLength,
        total * (half ? 2 : 4),
      ),
    );
  verifyChecksum(file, buf, checksum);
  if (half) {
    const values = toFloat32(buf, 'F16', total);
    requireFinite(file, values);
    return values;
  }
  const all = new Float32Array(buf.buffer, buf.byteOffset, total);
  const aligned = buf.byteOffset % 4 === 0 ? all : new Float32Array(buf.buffer.slice(buf.byteOffset));
  requireFinite(file, aligned);
  return aligned;
}

/**
 * Rewrites a checkpoint's weights.bin in half precision into `to` (weights.bin and weights.json, the
 * manifest's other checksums kept): half the bytes, for a model that ships with the extension. Values
 * round to the nearest float16 (about 3 significant digits; magnitudes past 65,504 refuse).
 */
export function writeHalfWeights(from: string, to: string): { bytes: number } {
  const manifestFile = `${from}/weights.json`;
  const { entries, sha256 } = readManifest(manifestFile);
  const values = readWeightFile(`${from}/weights.bin`, entries, sha256['weights.bin']);
  for (let i = 0; i < values.length; i++)
    if (Math.abs(values[i]) > 65504)
      throw new Error(
        l10n.t('{0} holds a weight of {1}, too large for float16; keep it in float32.', from, values[i]),
      );
  const bytes = encodeF16(values);
  fs.mkdirSync(to, { recursive: true });
  fs.writeFileSync(`${to}/weights.bin`, bytes);
  const manifest = {
    dtype: 'float16',
    weights: entries.map(({ name, shape, offset }) => ({ name, shape, offset })),
    sha256: { ...sha256, 'weights.bin': checksumHash().update(bytes).digest('hex') },
  };
  fs.writeFileSync(`${to}/weights.json`, JSON.stringify(manifest, null, 1));
  return { bytes: bytes.byteLength };
}

export function toTensors(all: Float32Array, entries: WeightEntry[]): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const e of entries) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    out.set(e.name, tf.tensor(all.subarray(e.offset, e.offset + n), e.shape, 'float32'));
  }
  return out;
}

export function disposeAll(...maps: (Map<string, tf.Tensor> | undefined)[]): void {
  for (const m of maps) if (m) for (const t of m.values()) t.dispose();
}

function layers(c: BertConfig): string {
  return `${c.numLayers} layer${c.numLayers === 1 ? '' : 's'}`;
}

/** Every tensor the config needs, with its shape, and nothing else. */
export function checkAgainstConfig(file: string, entries: WeightEntry[], config: BertConfig): void {
  const expected = new Map(bertParamShapes(config));
  for (const e of entries) {
    const shape = expected.get(e.name);
    if (!shape)
      throw new ModelFolderError(
        l10n.t(
          '{0} holds the tensor {1}, which config.json ({2}) does not describe; the config and the weights disagree, so restore the config.json saved with these weights or retrain.',
          file,
          e.name,
          layers(config),
        ),
      );
    if (e.shape.join(',') !== shape.join(','))
      throw new ModelFolderError(
        l10n.t(
          '{0} gives {1} shape [{2}] but config.json implies [{3}]; the config and the weights disagree, so restore the config.json saved with these weights or retrain.',
          file,
          e.name,
          e.shape,
          shape,
        ),
      );
  }
  const have = new Set(entries.map((e) => e.name));
  for (const name of expected.keys())
    if (!have.has(name))
      throw new ModelFolderError(
        l10n.t(
          '{0} has no tensor {1}, which config.json ({2}) needs; the config and the weights disagree, so restore the config.json saved with these weights or retrain.',
          file,
          name,
          layers(config),
        ),
      );
}
