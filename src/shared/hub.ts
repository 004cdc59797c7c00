// Facts about downloads from the Hugging Face Hub that the engine (which downloads) and the extension
// host (which asks for a model id and shows progress) both need: the default endpoint, the suggested
// models, what a model id may look like, the folder a download goes to and its progress message.

import { l10n } from './l10nCore';

export const DEFAULT_HUB_ENDPOINT = 'https://huggingface.co';

/** Offered first by Download Model…; any other id can be typed. */
export const HUB_SUGGESTIONS = [
  'bert-base-uncased',
  'bert-base-chinese',
  'gpt2',
  'prajjwal1/bert-tiny',
] as const;

/** Where the extension keeps the token (VS Code's SecretStorage), never in settings or logs. */
export const HUB_TOKEN_SECRET = 'pretrainLab.hub.token';

/** Written into a downloaded folder: where it came from (never the token). */
export const DOWNLOAD_RECORD = 'pretrain-lab-download.json';

export interface DownloadProgress {
  file: string; // the file being transferred
  fileIndex: number; // 1-based
  files: number;
  done: number; // bytes of all files, including those already complete
  total: number;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

/** Why `id` is not a Hub model id ("name" or "owner/name"), as one sentence; undefined when it is one. */
export function modelIdProblem(id: string): string | undefined {
  if (ID.test(id) && !id.includes('..') && id.length <= 96) return undefined;
  return l10n.t(
    '"{0}" is not a model id; give one as the Hub shows it, such as bert-base-chinese or prajjwal1/bert-tiny.',
    id,
  );
}

/** The folder name of a download: the model's name, with the revision when it is not main. */
export function downloadFolderName(id: string, revision: string): string {
  const name = id.split('/').pop() ?? id;
  return revision === 'main' ? name : `${name}@${revision.replace(/[^A-Za-z0-9._-]/g, '_')}`;
}

const MB = 1024 * 1024;

/** `vocab.txt (3/5) · 12.3 / 440.0 MB` */
export function describeProgress(p: DownloadProgress): string {
  return `${p.file} (${p.fileIndex}/${p.files}) · ${(p.done / MB).toFixed(1)} / ${(p.total / MB).toFixed(1)} MB`;
}
