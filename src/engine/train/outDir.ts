// The output folder of a training, claimed before any work: it must be new, empty or a model of the
// kind being trained (never another kind's model, never a folder of other files), writable, and not
// written by another training at the same time (io/lock.ts). Leftovers of a crashed run are removed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ElmoSummary, ModelSummary, W2vSummary } from '../../shared/configs';
import { l10n } from '../../shared/l10nCore';
import { KINDS, type ModelKind } from '../../shared/modelKinds';
import { folderKind, summariseModel } from '../checkpoint/registry';
import { type FolderLock, LOCK_FILE, lockFolder, processAlive } from '../io/lock';

/** The model a training would replace, so that a person can be told (and asked) first. */
export interface ExistingModel {
  kind: ModelKind;
  dir: string;
  corpus?: string[];
  trained: string; // how far it was trained, e.g. "120 of 1000 steps", "3 of 5 epochs"
  description: string; // "the BERT model in /m (120 of 1000 steps on a.txt)"
}

function describe(kind: ModelKind, dir: string, s: ModelSummary | W2vSummary | ElmoSummary): ExistingModel {
  const trained =
    s.type !== 'word2vec'
      ? s.totalSteps
        ? l10n.t('{0} of {1} steps', s.steps, s.totalSteps)
        : l10n.t('{0} steps', s.steps)
      : s.epochs
        ? l10n.t('{0} of {1} epochs', s.epochsDone ?? 0, s.epochs)
        : l10n.t('{0} epochs', s.epochsDone ?? 0);
  const on = s.corpus?.length ? l10n.t(' on {0}', s.corpus.join(', ')) : '';
  return {
    kind,
    dir,
    corpus: s.corpus,
    trained,
    description: l10n.t('the {0} model in {1} ({2}{3})', KINDS[kind].label, dir, trained, on),
  };
}

// Temporary names of io/atomic.ts: checkpoint.tmp-<pid>, <file>.tmp-<pid>-<time>.
const LEFTOVER = /\.tmp-(\d+)(?:-\d+)?$/;

/** What a person put in the folder: not hidden files (the lock), not a crashed write's leftovers. */
const visible = (dir: string): string[] =>
  fs.readdirSync(dir).filter((f) => !f.startsWith('.') && !LEFTOVER.test(f));

/**
 * What training `kind` into `outDir` would find there: nothing (undefined) or a model of that kind.
 * Throws one sentence when the folder must not be trained into: a file, another kind's model, or a
 * folder of other files. The extension calls this to ask before replacing a model.
 */
export function inspectOutDir(kind: ModelKind, outDir: string): ExistingModel | undefined {
  const dir = path.resolve(outDir);
  if (!fs.existsSync(dir)) return undefined;
  const label = KINDS[kind].label;
  if (!fs.statSync(dir).isDirectory())
    throw new Error(
      l10n.t('{0} is a file, not a folder; choose a new or empty folder for the model (--out).', dir),
    );
  if (!fs.existsSync(path.join(dir, 'config.json'))) {
    const files = visible(dir);
    if (files.length === 0) return undefined;
    const some = files.slice(0, 3).join(', ') + (files.length > 3 ? ', …' : '');
    throw new Error(
      l10n.t(
        '{0} is not empty and holds no Pretrain Lab model; choose a new or empty folder (--out) so that its files ({1}) are not overwritten by {2} training.',
        dir,
        some,
        label,
      ),
    );
  }
  let found: ModelKind;
  try {
    found = folderKind(dir).kind;
  } catch {
    throw new Error(
      l10n.t(
        '{0} holds a config.json that is not a Pretrain Lab {1} model, so training there could destroy it; choose a new or empty folder (--out).',
        dir,
        label,
      ),
    );
  }
  if (found !== kind)
    throw new Error(
      l10n.t(
        '{0} holds a {1} model, which training {2} there would replace; choose a new or empty folder (--out).',
        dir,
        KINDS[found].label,
        label,
      ),
    );
  try {
    return describe(kind, dir, summariseModel(dir));
  } catch {
    return { kind, dir, trained: 'unknown', description: l10n.t('the {0} model in {1}', label, dir) };
  }
}

/** A claimed output folder: locked, writable, free of a crashed run's leftovers. */
export interface OutDirClaim {
  dir: string;
  existing?: ExistingModel;
  /** Before a fresh training writes its header: removes the replaced model's checkpoint and metrics. */
  clearForFresh(): void;
  /** Releases the lock; removes the folder if this training created it and wrote nothing. */
  release(): void;
}

/** Checks, creates and locks `outDir` for a training of `kind`; see inspectOutDir for what is refused. */
export function claimOutDir(kind: ModelKind, outDir: string, log: (m: string) => void): OutDirClaim {
  const dir = path.resolve(outDir);
  const existing = inspectOutDir(kind, dir);
  const created = !fs.existsSync(dir);
  const unwritable = (e: unknown) =>
    new Error(
      l10n.t(
        'Cannot write the model folder {0} ({1}); choose a folder you can write to (--out).',
        dir,
        (e as NodeJS.ErrnoException).code ?? (e as Error).message,
      ),
    );
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw unwritable(e);
  }
  let lock: FolderLock;
  try {
    lock = lockFolder(dir, log);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'EPERM') throw unwritable(e);
    throw e;
  }
  removeLeftovers(dir, log);
  return {
    dir,
    existing,
    clearForFresh() {
      if (!existing) return;
      for (const f of ['checkpoint', 'checkpoint.old', 'metrics.jsonl'])
        fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    },
    release() {
      lock.release();
      if (created) {
        try {
          fs.rmdirSync(dir); // only when empty: nothing was written
        } catch {
          // the training wrote its model there
        }
      }
    },
  };
}

/**
 * Removes what a crashed training left: checkpoint.tmp-<pid> folders and <file>.tmp-<pid>-<time>
 * files (io/atomic.ts) of processes that no longer run, and of this one (it holds the lock, so no
 * write of its own is under way).
 */
function removeLeftovers(dir: string, log: (m: string) => void): void {
  let removed = 0;
  for (const f of fs.readdirSync(dir)) {
    const m = LEFTOVER.exec(f);
    if (!m || f === LOCK_FILE) continue;
    const pid = Number(m[1]);
    if (pid !== process.pid && processAlive(pid)) continue;
    fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    removed++;
  }
  if (removed > 0)
    log(
      l10n.t(
        'Removed {0} unfinished temporary file(s) in {1} left by a training that crashed.',
        removed,
        dir,
      ),
    );
}
