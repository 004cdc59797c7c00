// Reading a model folder's files so that every problem is one sentence naming the file: a missing file,
// a folder where a file should be, unreadable or invalid JSON, a checksum that does not match, numbers
// that are not finite. Weight files carry a SHA-256 in their manifest (node:crypto: no dependency,
// about 1 GB/s, see bench/checksum.ts), written with them and checked on every load.
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { detectKind } from '../../shared/modelKinds';

/** A model folder that cannot be read; the message says which file and what to do. */
export class ModelFolderError extends Error {
  override name = 'ModelFolderError'; // kept across the worker channel (src/shared/rpc.ts)
}

export const CHECKSUM_ALGORITHM = 'sha256';

export function sha256(bytes: Uint8Array): string {
  return createHash(CHECKSUM_ALGORITHM).update(bytes).digest('hex');
}

/**
 * SHA-256 of a text file's lines, whatever their line ends: a checkout that turns LF into CRLF (git's
 * autocrlf on Windows) must not make a vocabulary fail its check.
 */
export function textChecksum(bytes: Uint8Array): string {
  return sha256(Buffer.from(Buffer.from(bytes).toString('utf8').replace(/\r\n/g, '\n')));
}

/** A hash fed piece by piece, for files written in parts. */
export function checksumHash(): Hash {
  return createHash(CHECKSUM_ALGORITHM);
}

/** The bytes of a float32 array, without copying. */
export function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

const DAMAGED = 'the model folder is damaged, so restore it from a copy or retrain';

/** The file's bytes, or a sentence for a missing file, a folder in its place or a read error. */
export function readModelFile(file: string): Buffer {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new ModelFolderError(`${file} is missing; ${DAMAGED}.`);
  }
  if (!st.isFile()) throw new ModelFolderError(`${file} is a folder, not a file; ${DAMAGED}.`);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'an error';
    throw new ModelFolderError(
      `${file} cannot be read (${code}); check its permissions or pick another model.`,
    );
  }
}

/** A JSON file of a model folder, parsed. */
export function readModelJson(file: string): unknown {
  const text = readModelFile(file).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelFolderError(`${file} is not valid JSON; ${DAMAGED}.`);
  }
}

/** Why a config.json that names no kind this version knows cannot be opened, in one sentence. */
export function unknownConfigMessage(dir: string, raw: unknown): string {
  if (isRecord(raw) && typeof raw.format === 'string')
    return `${dir}/config.json names the format "${raw.format}", which this version of Pretrain Lab does not know; update Pretrain Lab or pick another model.`;
  const d = detectKind(raw);
  if (d.huggingFace)
    return `${dir} was not written by Pretrain Lab (it looks like a Hugging Face model folder); pick a model Pretrain Lab trained.`;
  if (isRecord(raw))
    return `${dir} was not written by Pretrain Lab (its config.json has no "format" field); pick a model folder Pretrain Lab trained.`;
  return `${dir}/config.json is not a JSON object; the model folder is damaged, so restore it or retrain.`;
}

export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Checks bytes against the manifest's digest. A manifest written before checksums existed has none
 * (undefined): those folders still load, with the other checks only.
 */
export function verifyChecksum(
  file: string,
  bytes: Uint8Array,
  expected: unknown,
  hash: (b: Uint8Array) => string = sha256,
): void {
  if (expected === undefined) return;
  if (typeof expected !== 'string' || hash(bytes) !== expected)
    throw new ModelFolderError(
      `${file} does not match the checksum in its manifest (it was changed or damaged after saving); restore it from a copy or retrain the model.`,
    );
}

/** Refuses NaN and infinite values, which would give NaN answers. */
export function requireFinite(file: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      throw new ModelFolderError(
        `${file} holds a non-finite number (${a[i]}) at value ${i}; the weights are damaged or training diverged, so restore an earlier copy or retrain.`,
      );
  }
}

/** Float32 values of a whole file, checked against an expected length and checksum. */
export function readFloat32File(file: string, count: number, checksum: unknown, what: string): Float32Array {
  const buf = readModelFile(file);
  if (buf.byteLength !== count * 4)
    throw new ModelFolderError(
      `${file} has ${buf.byteLength} bytes but ${what} needs ${count * 4}; the file is truncated or from another model, so restore it or retrain.`,
    );
  verifyChecksum(file, buf, checksum);
  const a = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  requireFinite(file, a);
  return a;
}
