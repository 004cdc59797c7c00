// A fake Hugging Face Hub on node:http for the download tests (unit and integration): the file list
// (/api/models/{id}/revision/{rev}?blobs=true, with sizes, git blob ids and LFS sha256s, shaped as the
// Hub answers) and the files (/{id}/resolve/{rev}/{file}, with Range requests). A test can make it
// serve other bytes than it publishes, cut a transfer part way, ignore Range, answer 404 for a listed
// file, or require a token; every request is recorded with its Range and Authorization headers.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

export interface FakeRepo {
  id: string;
  revision?: string; // default main
  files: Map<string, Buffer>;
  lfs?: (name: string) => boolean; // default: *.safetensors
  token?: string; // required Bearer token (gated); 401 GatedRepo without it
}

export interface SeenRequest {
  path: string;
  range?: string;
  authorization?: string;
}

export function gitBlobId(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** A repository's files read from a folder (its top-level files). */
export function repoFromFolder(id: string, dir: string, extra: Partial<FakeRepo> = {}): FakeRepo {
  const files = new Map<string, Buffer>();
  for (const n of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, n);
    if (fs.statSync(p).isFile()) files.set(n, fs.readFileSync(p));
  }
  return { id, files, ...extra };
}

export class FakeHub {
  readonly seen: SeenRequest[] = [];
  /** file name → bytes to send instead of the published ones (a corrupted file). */
  readonly served = new Map<string, Buffer>();
  /** file name → cut the connection after this many bytes, for the next N transfers. */
  readonly cut = new Map<string, { after: number; times: number }>();
  /** file names answered with 404 although listed. */
  readonly missing = new Set<string>();
  ignoreRange = false;
  private server: http.Server | undefined;
  endpoint = '';

  constructor(readonly repos: FakeRepo[]) {}

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.answer(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.endpoint = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.endpoint;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private error(res: http.ServerResponse, status: number, code: string): void {
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Error-Code': code });
    res.end(JSON.stringify({ error: code }));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const p = decodeURIComponent(url.pathname);
    this.seen.push({ path: p, range: req.headers.range, authorization: req.headers.authorization });
    const api = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(p);
    const file = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(p);
    const id = api?.[1] ?? file?.[1];
    const repo = this.repos.find((r) => r.id === id);
    if (!repo) {
      this.error(res, 404, 'RepoNotFound');
      return;
    }
    if (repo.token && req.headers.authorization !== `Bearer ${repo.token}`) {
      this.error(res, 401, 'GatedRepo');
      return;
    }
    const rev = api?.[2] ?? file?.[2];
    if (rev !== (repo.revision ?? 'main')) {
      this.error(res, 404, 'RevisionNotFound');
      return;
    }
    if (api) {
      this.listing(repo, res);
      return;
    }
    const name = file?.[3] ?? '';
    const published = repo.files.get(name);
    if (!published || this.missing.has(name)) {
      this.error(res, 404, 'EntryNotFound');
      return;
    }
    const bytes = this.served.get(name) ?? published;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = m && !this.ignoreRange ? Number(m[1]) : 0;
    if (start >= bytes.length && start > 0) {
      res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` });
      res.end();
      return;
    }
    const body = bytes.subarray(start);
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': body.length,
      'Accept-Ranges': 'bytes',
    };
    if (start > 0) headers['Content-Range'] = `bytes ${start}-${bytes.length - 1}/${bytes.length}`;
    res.writeHead(start > 0 ? 206 : 200, headers);
    const cut = this.cut.get(name);
    if (cut && cut.times > 0) {
      cut.times--;
      // the first bytes, then the connection drops (the client sees a body shorter than announced)
      res.write(body.subarray(0, Math.max(0, cut.after - start)), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  }

  private listing(repo: FakeRepo, res: http.ServerResponse): void {
    const isLfs = repo.lfs ?? ((n: string) => n.endsWith('.safetensors'));
    const siblings = [...repo.files].map(([rfilename, bytes]) => {
      if (!isLfs(rfilename)) return { rfilename, size: bytes.length, blobId: gitBlobId(bytes) };
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${bytes.length}\n`;
      return {
        rfilename,
        size: bytes.length,
        blobId: gitBlobId(Buffer.from(pointer)),
        lfs: { sha256, size: bytes.length, pointerSize: pointer.length },
      };
    });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ id: repo.id, modelId: repo.id, sha: 'c0ffee'.padEnd(40, '0'), siblings }));
  }
}
