// One file from the Hub into `<file>.part`, resumable: a part file left by an interrupted transfer is
// continued with an HTTP Range request (a server that answers 200 instead of 206 sends the whole file,
// which then starts the part anew). The finished part is checked against the checksum the Hub
// publishes — sha256 for LFS files, the git blob id for small ones — and a part that fails is kept
// (for inspection and resume) and never renamed to its real name.
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import { l10n } from '../../shared/l10nCore';
import { CancelledError } from '../../shared/rpc';
import { causeOf, HubError, type HubFile, type HubTarget, hubGet, resolveUrl, statusError } from './api';

/** A transfer that stopped part way (the bytes so far are kept): running again continues it. */
/** A transfer cut short; `resuming` is the log line said when it is retried at once. */
export class TransferStopped extends HubError {
  constructor(
    message: string,
    readonly resuming: string,
  ) {
    super(message);
  }
}

/** A hash of the file's bytes as the Hub publishes it for this file. */
export function publishedHash(f: HubFile): { hash: Hash; expected: string } {
  if ('sha256' in f.check) return { hash: createHash('sha256'), expected: f.check.sha256 };
  const hash = createHash('sha1');
  hash.update(`blob ${f.size}\0`);
  return { hash, expected: f.check.gitBlob };
}

/** Whether the file at `file` is the one the Hub published (size, then checksum). */
export async function matchesPublished(file: string, f: HubFile): Promise<boolean> {
  if (fs.statSync(file).size !== f.size) return false;
  const { hash, expected } = publishedHash(f);
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }))
    hash.update(chunk as Buffer);
  return hash.digest('hex') === expected;
}

export interface TransferEvents {
  signal?: AbortSignal;
  /** Bytes of this file on disk so far (after each chunk). */
  onBytes(have: number): void;
  /** A line for the log: a resumed or restarted transfer. */
  onLog(message: string): void;
}

/**
 * Brings `part` to the file's full size from the Hub. Resolves once all bytes are there (not yet
 * checked); rejects with one sentence when the transfer stops, the bytes received so far kept.
 */
export async function fetchPart(t: HubTarget, f: HubFile, part: string, ev: TransferEvents): Promise<void> {
  let have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  if (have > f.size) {
    fs.truncateSync(part, 0);
    have = 0;
  }
  ev.onBytes(have);
  if (have === f.size) return;
  const url = resolveUrl(t, f.name);
  let res = await hubGet(t, url, ev.signal, have > 0 ? { Range: `bytes=${have}-` } : {});
  if (have > 0 && res.status === 416) {
    // the server will not serve from there: start over
    await res.body?.cancel();
    have = 0;
    res = await hubGet(t, url, ev.signal);
  }
  if (!res.ok) throw statusError(t, res, f.name);
  let start = 0;
  if (res.status === 206) {
    const m = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '');
    start = m ? Number(m[1]) : -1;
    if (start !== have) {
      await res.body?.cancel();
      throw new HubError(
        l10n.t(
          '{0} answered the resumed request for {1} with other bytes ({2}); run the download again.',
          t.endpoint,
          f.name,
          res.headers.get('content-range') ?? '',
        ),
      );
    }
    ev.onLog(l10n.t('Resuming {0} from byte {1} of {2}.', f.name, have, f.size));
  } else if (have > 0)
    ev.onLog(
      l10n.t('{0} does not resume transfers (HTTP {1}); {2} starts over.', t.endpoint, res.status, f.name),
    );
  const fd = fs.openSync(part, start === 0 ? 'w' : 'r+');
  let pos = start;
  try {
    if (!res.body)
      throw new HubError(l10n.t('{0} sent no content for {1}; try again later.', t.endpoint, f.name));
    try {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value: b } = await reader.read();
        if (done) break;
        if (pos + b.length > f.size) {
          fs.writeSync(fd, b, 0, f.size - pos, pos);
          pos = f.size;
          await reader.cancel();
          break;
        }
        fs.writeSync(fd, b, 0, b.length, pos);
        pos += b.length;
        ev.onBytes(pos);
      }
    } catch (e) {
      if (e instanceof HubError) throw e;
      if (ev.signal?.aborted) throw new CancelledError();
      const cause = causeOf(e);
      throw new TransferStopped(
        l10n.t(
          'The transfer of {0} stopped after {1} of {2} bytes ({3}); run the download again to continue from there.',
          f.name,
          pos,
          f.size,
          cause,
        ),
        l10n.t(
          'The transfer of {0} stopped after {1} of {2} bytes ({3}); resuming.',
          f.name,
          pos,
          f.size,
          cause,
        ),
      );
    }
  } finally {
    fs.closeSync(fd);
  }
  ev.onBytes(pos);
  if (pos < f.size)
    throw new TransferStopped(
      l10n.t(
        'The transfer of {0} ended after {1} of {2} bytes; run the download again to continue from there.',
        f.name,
        pos,
        f.size,
      ),
      l10n.t('The transfer of {0} ended after {1} of {2} bytes; resuming.', f.name, pos, f.size),
    );
}
