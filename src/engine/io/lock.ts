// A training's claim on its model folder: a lock file created with O_EXCL, holding the owner's pid,
// host, thread and start time. A second training into the same folder (another process, or another run
// in this one) is refused; the lock of a process that died without releasing it is taken over. The lock
// is removed when the training ends, and on process exit (a second Ctrl-C exits at once). An engine
// thread that was terminated cannot remove its lock and its process lives on: its owner touches the
// file while it trains, so a lock of this process untouched for STALE_MS is taken over.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { threadId } from 'node:worker_threads';
import { l10n } from '../../shared/l10nCore';

export const LOCK_FILE = '.pretrain-lab.lock';

interface LockOwner {
  pid: number;
  host: string;
  thread?: number; // worker_threads id: the engine trains in a worker of the extension host
  startedAt: string;
}

export class FolderLockedError extends Error {
  override name = 'FolderLockedError'; // kept across the worker channel (src/shared/rpc.ts)
}

/** Whether a process with this pid runs on this machine (EPERM: it runs, as another user). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string' && typeof o.startedAt === 'string')
      return o as LockOwner;
  } catch {
    // missing, or being written by its owner right now
  }
  return undefined;
}

// A lock file that cannot be read is being written (the owner creates it, then writes); after this
// long it is the remains of a crash.
const UNREADABLE_GRACE_MS = 10_000;
const HEARTBEAT_MS = 30_000;
export const STALE_MS = 5 * 60_000; // far above the longest step between two touches

export interface FolderLock {
  readonly file: string;
  release(): void;
}

const held = new Set<string>(); // lock files this process holds, removed on exit
let exitHookInstalled = false;

function releaseAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const f of held) removeIfOurs(f);
  });
}

function removeIfOurs(file: string): void {
  const o = readOwner(file);
  if (o && o.pid === process.pid && o.host === os.hostname() && (o.thread ?? threadId) === threadId)
    fs.rmSync(file, { force: true });
}

/** Whether the owner of a lock on this host still trains. */
function isLive(owner: LockOwner, file: string): boolean {
  if (owner.pid !== process.pid) return processAlive(owner.pid);
  if ((owner.thread ?? threadId) === threadId) return held.has(file);
  // another thread of this process: alive while it touches the file
  try {
    return Date.now() - fs.statSync(file).mtimeMs < STALE_MS;
  } catch {
    return false;
  }
}

/**
 * Removes a stale lock, unless another process replaced it meanwhile: the file is moved aside under a
 * name of ours (an atomic rename only one process can win) and put back if it is not the stale one.
 */
function takeOver(file: string, stale: LockOwner): boolean {
  const aside = `${file}.stale-${process.pid}`;
  try {
    fs.renameSync(file, aside);
  } catch {
    return false; // another process moved it first
  }
  const moved = readOwner(aside);
  if (moved && (moved.pid !== stale.pid || moved.startedAt !== stale.startedAt)) {
    try {
      fs.linkSync(aside, file); // a live lock taken by mistake goes back, unless a newer one is there
    } catch {
      // a newer lock is in place; that owner holds the folder
    }
    fs.rmSync(aside, { force: true });
    return false;
  }
  fs.rmSync(aside, { force: true });
  return true;
}

/**
 * Takes the lock of `dir` (which must exist), or throws a FolderLockedError saying who holds it.
 * `log` hears when the stale lock of a dead process is taken over.
 */
export function lockFolder(dir: string, log: (m: string) => void = () => {}): FolderLock {
  const file = path.join(dir, LOCK_FILE);
  const me: LockOwner = {
    pid: process.pid,
    host: os.hostname(),
    thread: threadId,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, JSON.stringify(me), { flag: 'wx' }); // O_CREAT | O_EXCL
      held.add(file);
      releaseAllOnExit();
      const heartbeat = setInterval(() => {
        try {
          const now = new Date();
          fs.utimesSync(file, now, now);
        } catch {
          // the folder was removed under the training; its next write says so
        }
      }, HEARTBEAT_MS);
      heartbeat.unref();
      let released = false;
      return {
        file,
        release() {
          if (released) return;
          released = true;
          clearInterval(heartbeat);
          held.delete(file);
          removeIfOurs(file);
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(file);
    if (!owner) {
      let age = 0;
      try {
        age = Date.now() - fs.statSync(file).mtimeMs;
      } catch {
        continue; // removed meanwhile: try again
      }
      if (age < UNREADABLE_GRACE_MS)
        throw new FolderLockedError(
          l10n.t(
            'Another training is starting in {0}; wait for it to finish or choose another folder (--out).',
            dir,
          ),
        );
      log(l10n.t('Removed the unreadable lock file {0} left by a crashed training.', file));
      fs.rmSync(file, { force: true });
      continue;
    }
    const sameHost = owner.host === os.hostname();
    if (sameHost && isLive(owner, file))
      throw new FolderLockedError(
        l10n.t(
          'Another training (process {0}{1}, started {2}) is writing to {3}; wait for it to finish or choose another folder (--out).',
          owner.pid,
          owner.pid === process.pid ? ', this one' : '',
          owner.startedAt,
          dir,
        ),
      );
    if (!sameHost)
      throw new FolderLockedError(
        l10n.t(
          'A training on {0} (process {1}, started {2}) holds {3}; wait for it, or delete {4} if that training is gone.',
          owner.host,
          owner.pid,
          owner.startedAt,
          dir,
          file,
        ),
      );
    if (takeOver(file, owner))
      log(
        l10n.t(
          'Took over the lock of {0} from {1} (started {2}), which is no longer running.',
          dir,
          owner.pid === process.pid ? 'a stopped engine thread of this process' : `process ${owner.pid}`,
          owner.startedAt,
        ),
      );
  }
  throw new FolderLockedError(
    l10n.t(
      'Could not lock {0} because other trainings keep claiming it; choose another folder (--out).',
      dir,
    ),
  );
}
