// The Hugging Face Hub's HTTP API as the downloader uses it: the file listing of a model at a revision
// (GET {endpoint}/api/models/{id}/revision/{rev}?blobs=true → siblings with size, git blob id and, for
// LFS files, the sha256), the URL a file is served from ({endpoint}/{id}/resolve/{rev}/{file}), and
// every way a request can fail turned into one sentence saying what to do. Node's own fetch; a token
// goes in the Authorization header and nowhere else.
import * as v from 'valibot';
import { l10n } from '../../shared/l10nCore';
import { CancelledError } from '../../shared/rpc';

/** A failure the user can act on; its message is one sentence. */
export class HubError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'HubError';
  }
}

export interface HubTarget {
  endpoint: string; // no trailing slash
  modelId: string;
  revision: string;
  token?: string;
}

const SiblingSchema = v.looseObject({
  rfilename: v.string(),
  size: v.optional(v.number()),
  blobId: v.optional(v.string()),
  lfs: v.optional(v.nullable(v.looseObject({ sha256: v.string(), size: v.number() }))),
});
const ModelInfoSchema = v.looseObject({ sha: v.optional(v.string()), siblings: v.array(SiblingSchema) });

export interface HubFile {
  name: string;
  size: number;
  /** How the file is checked: sha256 of its bytes (LFS), or its git blob id (sha1 of "blob <size>\0" + bytes). */
  check: { sha256: string } | { gitBlob: string };
}

export interface RepoListing {
  commit?: string; // the commit the revision pointed to
  files: Map<string, HubFile>;
  names: string[]; // every file name, for the sentences
}

const seg = (s: string) => s.split('/').map(encodeURIComponent).join('/');

export function apiUrl(t: HubTarget): string {
  return `${t.endpoint}/api/models/${seg(t.modelId)}/revision/${encodeURIComponent(t.revision)}?blobs=true`;
}

export function resolveUrl(t: HubTarget, file: string): string {
  return `${t.endpoint}/${seg(t.modelId)}/resolve/${encodeURIComponent(t.revision)}/${seg(file)}`;
}

/** The endpoint as a base URL, or one sentence when it is not an http(s) URL. */
export function normaliseEndpoint(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint.trim());
  } catch {
    throw new HubError(
      l10n.t(
        'The Hub endpoint "{0}" is not a URL; set the setting pretrainLab.hub.endpoint (CLI: --endpoint or HF_ENDPOINT) to one, such as https://huggingface.co.',
        endpoint,
      ),
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new HubError(
      l10n.t(
        'The Hub endpoint "{0}" is not an http(s) URL; set the setting pretrainLab.hub.endpoint (CLI: --endpoint or HF_ENDPOINT) to one, such as https://huggingface.co.',
        endpoint,
      ),
    );
  return u.toString().replace(/\/+$/, '');
}

/** A GET with the token; network failures and cancellation become sentences. */
export async function hubGet(
  t: HubTarget,
  url: string,
  signal: AbortSignal | undefined,
  headers: Record<string, string> = {},
): Promise<Response> {
  const h: Record<string, string> = { ...headers };
  if (t.token) h.Authorization = `Bearer ${t.token}`;
  try {
    return await fetch(url, { headers: h, signal, redirect: 'follow' });
  } catch (e) {
    throw networkError(t, e, signal);
  }
}

/** A fetch or body-read failure as one sentence (or a CancelledError when it was cancelled). */
export function networkError(t: HubTarget, e: unknown, signal?: AbortSignal): Error {
  if (signal?.aborted) return new CancelledError();
  return new HubError(
    l10n.t(
      'Cannot reach {0} ({1}); check the network connection, or point the setting pretrainLab.hub.endpoint (CLI: --endpoint or HF_ENDPOINT) at a mirror.',
      t.endpoint,
      causeOf(e),
    ),
  );
}

/** What a failed fetch says: the system's code (ECONNREFUSED, ENOTFOUND…) when there is one. */
export function causeOf(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (e as Error).message;
}

/** The sentence for a refused request; `file` names the file when one was asked for. */
export function statusError(t: HubTarget, res: Response, file?: string): HubError {
  const code = res.headers.get('x-error-code') ?? '';
  const s = res.status;
  if (code === 'RevisionNotFound')
    return new HubError(
      l10n.t(
        '{0} has no revision "{1}" on {2}; give a branch, tag or commit it has (main by default).',
        t.modelId,
        t.revision,
        t.endpoint,
      ),
      s,
    );
  if (code === 'GatedRepo' || ((s === 401 || s === 403) && code !== 'RepoNotFound'))
    return new HubError(
      t.token
        ? l10n.t(
            '{0} refused the token for {1} (HTTP {2}); the model is gated or private, so accept its terms on the Hub and set a token that has access (Pretrain Lab: Set Hugging Face Token…, or HF_TOKEN for the CLI).',
            t.endpoint,
            t.modelId,
            s,
          )
        : l10n.t(
            '{0} is gated or private on {1} (HTTP {2}); set a token with access to it (Pretrain Lab: Set Hugging Face Token…, or HF_TOKEN for the CLI).',
            t.modelId,
            t.endpoint,
            s,
          ),
      s,
    );
  if (code === 'RepoNotFound' || (s === 404 && !file))
    return new HubError(
      t.token
        ? l10n.t('There is no model {0} on {1}; check the id as the Hub spells it.', t.modelId, t.endpoint)
        : l10n.t(
            'There is no model {0} on {1} (or it is private: then set a token); check the id as the Hub spells it.',
            t.modelId,
            t.endpoint,
          ),
      s,
    );
  if (s === 404)
    return new HubError(
      l10n.t(
        '{0} of {1} at revision {2} is not on {3} (HTTP 404) although its file list names it; try again later.',
        file,
        t.modelId,
        t.revision,
        t.endpoint,
      ),
      s,
    );
  return new HubError(
    l10n.t(
      '{0} answered HTTP {1} for {2}; try again later.',
      t.endpoint,
      `${s}${res.statusText ? ` ${res.statusText}` : ''}`,
      file ?? t.modelId,
    ),
    s,
  );
}

/** The files of the model at the revision, with their sizes and checksums. */
export async function listRepo(t: HubTarget, signal?: AbortSignal): Promise<RepoListing> {
  const res = await hubGet(t, apiUrl(t), signal, { Accept: 'application/json' });
  if (!res.ok) throw statusError(t, res);
  let raw: unknown;
  try {
    raw = await res.json();
  } catch (e) {
    if (signal?.aborted) throw new CancelledError();
    throw new HubError(
      l10n.t(
        '{0} did not answer with a file list for {1} ({2}); check that the endpoint is a Hugging Face Hub or a mirror of it.',
        t.endpoint,
        t.modelId,
        (e as Error).message,
      ),
    );
  }
  const r = v.safeParse(ModelInfoSchema, raw);
  if (!r.success)
    throw new HubError(
      l10n.t(
        '{0} answered without a file list (siblings) for {1}; check that the endpoint is a Hugging Face Hub or a mirror of it.',
        t.endpoint,
        t.modelId,
      ),
    );
  const files = new Map<string, HubFile>();
  for (const s of r.output.siblings) {
    const size = s.lfs?.size ?? s.size;
    const check = s.lfs
      ? { sha256: s.lfs.sha256.toLowerCase() }
      : s.blobId
        ? { gitBlob: s.blobId.toLowerCase() }
        : undefined;
    if (size !== undefined && check) files.set(s.rfilename, { name: s.rfilename, size, check });
  }
  return { commit: r.output.sha, files, names: r.output.siblings.map((s) => s.rfilename) };
}
