// Where a frozen fine-tuned model finds its base. A feature-based run saves only its head and points at
// the base's encoder weights. An absolute path breaks when the base moves, and the bundled starter
// moves with every extension update (its folder name carries the version). So the reference keeps two
// things: `ref: 'starter'` when the base is the bundled starter (resolved against wherever this engine
// runs from: dist/ in the extension or CLI, src/engine/checkpoint/ under tsx), and the sha256 of the
// base's weights.bin from its checksummed manifest, so that a base that moved to another copy is still
// found, and a base whose weights changed (a retrained folder, a new starter) is refused in one sentence
// instead of giving silently different answers.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { l10n } from '../../shared/l10nCore';
import { ModelFolderError } from './files';

export interface BaseRef {
  dir: string; // absolute, as it was when the model was trained
  name: string;
  ref?: 'starter'; // the starter bundled with Pretrain Lab, wherever it is now
  weightsSha256?: string; // of the base's checkpoint/weights.bin, from its manifest
}

/** The bundled starter of this install: the first `models/starter` above this file with a config. */
export function bundledStarterDir(from: string = __dirname): string | undefined {
  let dir = path.resolve(from);
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'models', 'starter');
    if (fs.existsSync(path.join(candidate, 'config.json'))) return candidate;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

function same(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

/** The sha256 of a BERT folder's weights.bin as its manifest records it, if it does. */
export function weightsChecksum(baseDir: string): string | undefined {
  for (const ck of ['checkpoint', 'checkpoint.old']) {
    try {
      const m = JSON.parse(fs.readFileSync(path.join(baseDir, ck, 'weights.json'), 'utf8')) as {
        sha256?: Record<string, unknown>;
      };
      const s = m.sha256?.['weights.bin'];
      if (typeof s === 'string') return s;
    } catch {
      // try the other folder; a base without a manifest is referred to by path only
    }
  }
  return undefined;
}

/** The reference a fine-tuned model keeps to its base folder. */
export function baseRefOf(baseDir: string, starterDir = bundledStarterDir()): BaseRef {
  const dir = path.resolve(baseDir);
  const ref: BaseRef = { dir, name: path.basename(dir) };
  if (starterDir && same(dir, starterDir)) ref.ref = 'starter';
  const sum = weightsChecksum(dir);
  if (sum) ref.weightsSha256 = sum;
  return ref;
}

/**
 * The base folder to load now: the current bundled starter for `ref: 'starter'`, else the recorded
 * path. Throws one sentence when it is gone or its weights are not the ones the head was trained on.
 */
export function resolveBase(model: string, base: BaseRef, starterDir = bundledStarterDir()): string {
  const dir = base.ref === 'starter' && starterDir ? starterDir : base.dir;
  if (!fs.existsSync(path.join(dir, 'config.json')))
    throw new ModelFolderError(
      l10n.t(
        '{0} was trained on the frozen base {1}, which is gone; restore it or fine-tune again.',
        model,
        base.dir,
      ),
    );
  if (base.weightsSha256) {
    const now = weightsChecksum(dir);
    if (now && now !== base.weightsSha256)
      throw new ModelFolderError(
        l10n.t(
          '{0} was trained on the frozen base "{1}", whose weights in {2} have changed since (a retrained or updated model); fine-tune again on the new base.',
          model,
          base.name,
          dir,
        ),
      );
  }
  return dir;
}
