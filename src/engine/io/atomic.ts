// Writes that a crash cannot leave half done: a file is written beside its target and renamed over it;
// a folder (a checkpoint) is filled under a temporary name, then swapped in. Readers then see either
// the old or the new content, never a part.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes a file so that readers see either the old or the new content, never a part. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * Replaces the folder `parent/name` by one that `fill` writes: fill writes into name.tmp-<pid>, then
 * name → name.old, name.tmp-<pid> → name, and name.old is removed. A crash before the first rename
 * keeps the old folder; between the two renames it leaves name.old, which `completeFolder` finds.
 */
export function replaceFolderAtomic(parent: string, name: string, fill: (tmpDir: string) => void): void {
  const tmp = path.join(parent, `${name}.tmp-${process.pid}`);
  const final = path.join(parent, name);
  const old = path.join(parent, `${name}.old`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    fill(tmp);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  // A name.old left by an earlier crash is complete only if name is missing; it is then kept as
  // name's replacement until the new folder is in place.
  if (fs.existsSync(final)) {
    fs.rmSync(old, { recursive: true, force: true });
    fs.renameSync(final, old);
  }
  fs.renameSync(tmp, final);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * The last complete version of `parent/name`: name itself, or name.old when a crash hit between the
 * two renames of `replaceFolderAtomic`. A folder counts as complete when it holds `marker`, the file
 * written last.
 */
export function completeFolder(parent: string, name: string, marker: string): string | undefined {
  for (const n of [name, `${name}.old`]) {
    const d = path.join(parent, n);
    if (fs.existsSync(path.join(d, marker))) return d;
  }
  return undefined;
}

/** Writes float32 data, fsynced; SharedArrayBuffer views are copied in 16 MB slices, which every Node can write. */
export function writeFloat32File(file: string, a: Float32Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    const step = 1 << 22;
    for (let i = 0; i < a.length; i += step) {
      const part = a.subarray(i, Math.min(a.length, i + step));
      const bytes =
        part.buffer instanceof ArrayBuffer
          ? new Uint8Array(part.buffer, part.byteOffset, part.byteLength)
          : new Uint8Array(Float32Array.from(part).buffer);
      fs.writeSync(fd, bytes);
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
