// What the Models view needs to know about a Hugging Face folder without loading it: the tensor names
// its safetensors files hold (from the index's weight map, or the first file's JSON header alone), so
// that a BERT saved without its masked-LM head is listed without Predict Mask. Weights are never read.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { noSafetensorsMessage } from '../shared/hfFolder';
import { l10n } from './l10n';

const MAX_HEADER = 100_000_000;

function headerNames(file: string): string[] {
  const fd = fs.openSync(file, 'r');
  try {
    const len = Buffer.alloc(8);
    fs.readSync(fd, len, 0, 8, 0);
    const n = len.readBigUInt64LE(0);
    if (n > BigInt(Math.min(MAX_HEADER, fs.fstatSync(fd).size - 8))) throw new Error('bad header');
    const b = Buffer.alloc(Number(n));
    fs.readSync(fd, b, 0, b.length, 8);
    const header: unknown = JSON.parse(b.toString('utf8'));
    if (typeof header !== 'object' || header === null) throw new Error('bad header');
    return Object.keys(header).filter((k) => k !== '__metadata__');
  } finally {
    fs.closeSync(fd);
  }
}

/** The tensor names of a Hugging Face folder's weights, or why it has none readable (one sentence). */
export function hfTensorNames(dir: string): { names: Set<string> } | { problem: string } {
  const index = path.join(dir, 'model.safetensors.index.json');
  const single = path.join(dir, 'model.safetensors');
  try {
    if (fs.existsSync(index)) {
      const raw = JSON.parse(fs.readFileSync(index, 'utf8')) as { weight_map?: Record<string, string> };
      return { names: new Set(Object.keys(raw.weight_map ?? {})) };
    }
    if (fs.existsSync(single)) return { names: new Set(headerNames(single)) };
  } catch {
    return { problem: l10n.t('Its safetensors weights are damaged; download the model again.') };
  }
  return { problem: noSafetensorsMessage(path.basename(dir), fs.readdirSync(dir)) };
}
