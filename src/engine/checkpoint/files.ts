// Reading a model folder's files so that every problem is one sentence naming the file: a missing file,
// a folder where a file should be, unreadable or invalid JSON, a checksum that does not match, numbers
// that are not finite. Weight files carry a SHA-256 in their manifest (node:crypto: no dependency,
// about 1 GB/s, see bench/checksum.ts), written with them and checked on every load.
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { l10n } from '../../shared/l10nCore';
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
    throw new ModelFolderError(l10n.t('{0} is missing; {1}.', file, l10n.t(DAMAGED)));
  }
  if (!st.isFile())
    throw new ModelFolderError(l10n.t('{0} is a folder, not a file; {1}.', file, l10n.t(DAMAGED)));
  try {
    return fs.readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'an error';
    throw new ModelFolderError(
      l10n.t('{0} cannot be read ({1}); check its permissions or pick another model.', file, code),
    );
  }
}

/** A JSON file of a model folder, parsed. */
export function readModelJson(file: string): unknown {
  const text = readModelFile(file).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new ModelFolderError(l10n.t('{0} is not valid JSON; {1}.', file, l10n.t(DAMAGED)));
  }
}

/** Why a config.json that names no kind this version knows cannot be opened, in one sentence. */
export function unknownConfigMessage(dir: string, raw: unknown): string {
  if (isRecord(raw) && typeof raw.format === 'string')
    return l10n.t(
      '{0}/config.json names the format "{1}", which this version of Pretrain Lab does not know; update Pretrain Lab or pick another model.',
      dir,
      raw.format,
    );
  const d = detectKind(raw);
  if (d.huggingFace)
    return l10n.t(
      '{0} was not written by Pretrain Lab (it looks like a Hugging Face model folder); pick a model Pretrain Lab trained.',
      dir,
    );
  if (isRecord(raw))
    return l10n.t(
      '{0} was not written by Pretrain Lab (its config.json has no "format" field); pick a model folder Pretrain Lab trained.',
      dir,
    );
  return l10n.t(
    '{0}/config.json is not a JSON object; the model folder is damaged, so restore it or retrain.',
    dir,
  );
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
      l10n.t(
        '{0} does not match the checksum in its manifest (it was changed or damaged after saving); restore it from a copy or retrain the model.',
        file,
      ),
    );
}

/** Refuses NaN and infinite values, which would give NaN answers. */
export function requireFinite(file: string, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      throw new ModelFolderError(
        l10n.t(
          '{0} holds a non-finite number ({1}) at value {2}; the weights are damaged or training diverged, so restore an earlier copy or retrain.',
          file,
          a[i],
          i,
        ),
      );
  }
}

/** Float32 values of a whole file, checked against an expected length and checksum. */
export function readFloat32File(file: string, count: number, checksum: unknown, what: string): Float32Array {
  const buf = readModelFile(file);
  if (buf.byteLength !== count * 4)
    throw new ModelFolderError(
      l10n.t(
        '{0} has {1} bytes but {2} needs {3}; the file is truncated or from another model, so restore it or retrain.',
        file,
        buf.byteLength,
        what,
        count * 4,
      ),
    );
  verifyChecksum(file, buf, checksum);
  const a = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  requireFinite(file, a);
  return a;
}
