// Download Model: a Hub repository's model files into a model folder. Files are fetched into a hidden
// staging folder beside the target (`.<name>.download`, which the Models view never lists), each
// checked against its published checksum, and only when all are there is the folder moved into place
// atomically (io/atomic.ts), so a half-downloaded model never appears as a model folder. A second run
// after an interruption continues the part files; a transfer that stops is also resumed automatically
// a few times. Cancellation (AbortSignal) keeps the part files for the next run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  DEFAULT_HUB_ENDPOINT,
  DOWNLOAD_RECORD,
  type DownloadProgress,
  modelIdProblem,
} from '../../shared/hub';
import { l10n } from '../../shared/l10nCore';
import { CancelledError } from '../../shared/rpc';
import { replaceFolderAtomic, writeFileAtomic } from '../io/atomic';
import { HubError, type HubFile, type HubTarget, listRepo, normaliseEndpoint } from './api';
import {
  CONFIG_FILE,
  checkMemory,
  HUB_MODEL_TYPES,
  type HubModelKind,
  planDownload,
  shardsOf,
  storedBytesPerParam,
} from './plan';
import { fetchPart, matchesPublished, TransferStopped } from './transfer';

export interface DownloadOptions {
  modelId: string;
  revision?: string; // default main
  endpoint?: string; // default https://huggingface.co
  token?: string;
  outDir: string; // the model folder to create (or replace, when it holds an earlier download of the same model)
  signal?: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
  onLog?: (message: string) => void;
  memoryBytes?: number; // default os.totalmem()
  retries?: number; // automatic resumes of a transfer that stops (default 2)
}

export interface DownloadResult {
  dir: string;
  kind: HubModelKind;
  files: string[];
  bytes: number;
  commit?: string;
}

/** The staging folder of a download into `outDir`. */
export function stagingDir(outDir: string): string {
  return path.join(path.dirname(outDir), `.${path.basename(outDir)}.download`);
}

function readRecord(dir: string): { modelId?: string; revision?: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, DOWNLOAD_RECORD), 'utf8'));
  } catch {
    return undefined;
  }
}

/** The target is new, empty, or an earlier download of the same model (then replaced). */
function checkTarget(dir: string, modelId: string): void {
  if (!fs.existsSync(dir) || fs.readdirSync(dir).length === 0) return;
  if (readRecord(dir)?.modelId !== modelId)
    throw new HubError(
      l10n.t(
        '{0} already exists and is not a download of {1}; give another folder for the download.',
        dir,
        modelId,
      ),
    );
}

export async function downloadModel(o: DownloadOptions): Promise<DownloadResult> {
  const idProblem = modelIdProblem(o.modelId);
  if (idProblem) throw new HubError(idProblem);
  const revision = o.revision?.trim() || 'main';
  const t: HubTarget = {
    endpoint: normaliseEndpoint(o.endpoint || DEFAULT_HUB_ENDPOINT),
    modelId: o.modelId,
    revision,
    token: o.token || undefined,
  };
  const dir = path.resolve(o.outDir);
  checkTarget(dir, o.modelId);
  const log = o.onLog ?? (() => {});
  const listing = await listRepo(t, o.signal);
  const plan = planDownload(t, listing);
  const weightBytes = () => plan.weights.reduce((s, f) => s + f.size, 0);
  checkMemory(t, weightBytes(), 4, o.memoryBytes);

  const staging = stagingDir(dir);
  const record = { modelId: t.modelId, revision, endpoint: t.endpoint, commit: listing.commit };
  const earlier = readRecord(staging);
  if (earlier && (earlier.modelId !== t.modelId || earlier.revision !== revision))
    fs.rmSync(staging, { recursive: true, force: true }); // part files of another model
  fs.mkdirSync(staging, { recursive: true });
  writeFileAtomic(path.join(staging, DOWNLOAD_RECORD), JSON.stringify(record, null, 2));

  let files: HubFile[] = [
    plan.config,
    ...(plan.index ? [plan.index] : []),
    ...plan.weights,
    ...plan.tokenizer,
  ];
  const sizeOf = (list: HubFile[]) => list.reduce((s, f) => s + f.size, 0);
  let total = sizeOf(files);
  let doneBefore = 0; // bytes of the files already complete
  let lastReport = 0;
  const report = (f: HubFile, i: number, have: number, force = false) => {
    const now = Date.now();
    if (!force && now - lastReport < 100) return;
    lastReport = now;
    o.onProgress?.({ file: f.name, fileIndex: i + 1, files: files.length, done: doneBefore + have, total });
  };

  for (let i = 0; i < files.length; i++) {
    if (o.signal?.aborted) throw new CancelledError();
    const f = files[i];
    report(f, i, 0, true);
    await getFile(t, f, staging, {
      signal: o.signal,
      retries: o.retries ?? 2,
      onBytes: (have) => report(f, i, have),
      onLog: log,
    });
    doneBefore += f.size;
    report(f, i, 0, true);
    if (f === plan.config) {
      const kind = kindOf(t, path.join(staging, CONFIG_FILE));
      checkMemory(t, weightBytes(), kind.bytesPerParam, o.memoryBytes);
    }
    if (f === plan.index) {
      // the shards are the files the index names, not every .safetensors of the repository
      const shards = shardsOf(t, listing, fs.readFileSync(path.join(staging, f.name), 'utf8'));
      plan.weights = shards;
      files = [...files.slice(0, i + 1), ...shards, ...plan.tokenizer];
      total = sizeOf(files);
    }
  }

  const { kind } = kindOf(t, path.join(staging, CONFIG_FILE));
  const names = files.map((f) => f.name);
  replaceFolderAtomic(path.dirname(dir), path.basename(dir), (tmp) => {
    for (const n of names) fs.renameSync(path.join(staging, n), path.join(tmp, n));
    fs.writeFileSync(
      path.join(tmp, DOWNLOAD_RECORD),
      JSON.stringify({ ...record, files: names, downloadedAt: new Date().toISOString() }, null, 2),
    );
  });
  fs.rmSync(staging, { recursive: true, force: true });
  return { dir, kind, files: names, bytes: total, commit: listing.commit };
}

/** config.json's model_type as the kind we load, or one sentence naming the types we read. */
function kindOf(t: HubTarget, file: string): { kind: HubModelKind; bytesPerParam: number } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new HubError(
      l10n.t(
        'config.json of {0} is not JSON; the repository is damaged, so pick another revision.',
        t.modelId,
      ),
    );
  }
  const type = (raw as { model_type?: unknown } | null)?.model_type;
  const kind =
    typeof type === 'string' && Object.hasOwn(HUB_MODEL_TYPES, type)
      ? HUB_MODEL_TYPES[type as keyof typeof HUB_MODEL_TYPES]
      : undefined;
  if (!kind)
    throw new HubError(
      l10n.t(
        '{0} is a model of type "{1}"; Pretrain Lab reads bert and gpt2 models only.',
        t.modelId,
        String(type),
      ),
    );
  return { kind, bytesPerParam: storedBytesPerParam(raw) };
}

interface GetEvents {
  signal?: AbortSignal;
  retries: number;
  onBytes(have: number): void;
  onLog(m: string): void;
}

/** One file into staging/<name>, checked; its part file stays when it fails. */
async function getFile(t: HubTarget, f: HubFile, staging: string, ev: GetEvents): Promise<void> {
  const final = path.join(staging, f.name);
  if (fs.existsSync(final) && fs.statSync(final).size === f.size) return; // checked by an earlier run
  const part = `${final}.part`;
  if (fs.existsSync(part) && fs.statSync(part).size === f.size) {
    if (await matchesPublished(part, f)) {
      fs.renameSync(part, final);
      return;
    }
    ev.onLog(l10n.t('The kept part of {0} does not match its checksum; it is downloaded anew.', f.name));
    fs.rmSync(part);
  }
  for (let attempt = 0; ; attempt++) {
    try {
      await fetchPart(t, f, part, ev);
      break;
    } catch (e) {
      if (!(e instanceof TransferStopped) || attempt >= ev.retries) throw e;
      ev.onLog(e.resuming);
    }
  }
  if (!(await matchesPublished(part, f)))
    throw new HubError(
      l10n.t(
        '{0} of {1} does not match the checksum the Hub publishes for it, so nothing was installed; its download is kept as {2}, and running the download again fetches it anew.',
        f.name,
        t.modelId,
        part,
      ),
    );
  fs.renameSync(part, final);
}
