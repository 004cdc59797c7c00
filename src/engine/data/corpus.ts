// Streams a corpus from files, folders or globs, document by document, never holding a whole file.
// Documents end at blank lines and at file ends. Binary and non-UTF-8 files are skipped and counted.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface CorpusFiles {
  files: string[];
  missing: string[]; // arguments that matched nothing
}

const TEXT_EXT = /\.(txt|md|markdown|text|rst|tex|csv|tsv|json|jsonl|html?|xml|org|srt|vtt)$/i;
const SKIP_DIRS = new Set(['node_modules', '.git', '.svn', '.hg', 'dist', 'out', '.vscode-test']);

/** Converts a glob (`*`, `**`, `?`, `{a,b}`) to a regular expression over /-separated paths. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++;
        if (glob[i + 1] === '/') {
          i++;
          re += '(?:.*/)?';
        } else re += '.*';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      const close = glob.indexOf('}', i);
      if (close < 0) re += '\\{';
      else {
        re +=
          '(?:' +
          glob
            .slice(i + 1, close)
            .split(',')
            .map(escapeRe)
            .join('|') +
          ')';
        i = close;
      }
    } else re += escapeRe(c);
  }
  return new RegExp('^' + re + '$');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(p, out);
    } else if (e.isFile()) out.push(p);
  }
}

/** Resolves corpus arguments to files: a file as is, a folder's text files, or a glob. */
export function resolveCorpus(args: readonly string[], cwd = process.cwd()): CorpusFiles {
  const files: string[] = [];
  const missing: string[] = [];
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    if (/[*?{]/.test(arg)) {
      const firstMeta = arg.search(/[*?{]/);
      const baseRel = arg.slice(0, firstMeta).replace(/[^/]*$/, '') || '.';
      const base = path.resolve(cwd, baseRel);
      const re = globToRegExp(path.resolve(cwd, arg).split(path.sep).join('/'));
      const all: string[] = [];
      walk(base, all);
      const hits = all.filter((f) => re.test(f.split(path.sep).join('/')));
      if (hits.length === 0) missing.push(arg);
      files.push(...hits);
    } else if (fs.existsSync(abs) && fs.statSync(abs).isDirectory()) {
      const all: string[] = [];
      walk(abs, all);
      const hits = all.filter((f) => TEXT_EXT.test(f));
      if (hits.length === 0) missing.push(arg);
      files.push(...hits);
    } else if (fs.existsSync(abs)) {
      files.push(abs);
    } else {
      missing.push(arg);
    }
  }
  return { files: [...new Set(files)], missing };
}

export interface CorpusStats {
  files: number;
  skippedBinary: string[];
  skippedEncoding: string[];
  documents: number;
  lines: number;
  bytes: number;
}

export function emptyStats(): CorpusStats {
  return { files: 0, skippedBinary: [], skippedEncoding: [], documents: 0, lines: 0, bytes: 0 };
}

const CHUNK = 1 << 16;

/**
 * Yields documents (arrays of non-empty lines) from the files, reading 64 KB at a time. A file with a
 * NUL byte in its first chunk is binary; one with invalid UTF-8 is skipped whole at the first bad byte
 * (documents of it already yielded stay yielded, as streaming cannot look ahead).
 */
export async function* readDocuments(files: readonly string[], stats: CorpusStats): AsyncGenerator<string[]> {
  for (const file of files) {
    let fd: fs.promises.FileHandle;
    try {
      fd = await fs.promises.open(file, 'r');
    } catch {
      continue;
    }
    try {
      const decoder = new TextDecoder('utf-8', { fatal: true });
      const buf = Buffer.alloc(CHUNK);
      let pending = '';
      let doc: string[] = [];
      let first = true;
      let bad = false;
      for (;;) {
        const { bytesRead } = await fd.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const bytes = buf.subarray(0, bytesRead);
        if (first) {
          first = false;
          if (bytes.includes(0)) {
            stats.skippedBinary.push(file);
            bad = true;
            break;
          }
        }
        let text: string;
        try {
          text = decoder.decode(bytes, { stream: true });
        } catch {
          stats.skippedEncoding.push(file);
          bad = true;
          break;
        }
        stats.bytes += bytesRead;
        pending += text;
        let nl = pending.indexOf('\n');
        while (nl >= 0) {
          const line = pending
            .slice(0, nl)
            .replace(/\r$/, '')
            .replace(/^\uFEFF/, '');
          pending = pending.slice(nl + 1);
          if (line.trim().length === 0) {
            if (doc.length > 0) {
              stats.documents++;
              yield doc;
              doc = [];
            }
          } else {
            stats.lines++;
            doc.push(line);
          }
          nl = pending.indexOf('\n');
        }
      }
      if (bad) continue;
      try {
        pending += decoder.decode();
      } catch {
        stats.skippedEncoding.push(file);
        continue;
      }
      stats.files++;
      if (pending.trim().length > 0) {
        stats.lines++;
        doc.push(pending.replace(/\r$/, ''));
      }
      if (doc.length > 0) {
        stats.documents++;
        yield doc;
      }
    } finally {
      await fd.close();
    }
  }
}
