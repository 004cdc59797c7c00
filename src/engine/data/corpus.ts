// Streams a corpus from files, folders or globs, document by document, never holding a whole file
// nor a whole over-long line. Documents end at blank lines and at file ends. Binary and non-UTF-8
// files are skipped and counted.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lastSentenceEnd } from './sentences';

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
/** The longest line kept whole, in UTF-16 units; a longer one is cut at a sentence end (or a space) before it. */
export const MAX_LINE_CHARS = 1 << 17;
/** A document longer than this is yielded in parts of about this many characters. */
export const MAX_PART_CHARS = 1 << 21;

/** Some lines of one document: all of it, or one part of a document longer than MAX_PART_CHARS. */
export interface DocumentPart {
  lines: string[];
  /** True for a document's first (often only) part; false when it continues the previous part. */
  first: boolean;
}

/**
 * Where to cut a line longer than `limit`: after the last sentence end before it, else at the last
 * space, else at the limit itself (never between the halves of a surrogate pair). Always > 0.
 */
export function cutPoint(text: string, limit: number): number {
  const end = lastSentenceEnd(text, limit);
  if (end > 0) return end;
  for (let i = limit; i > limit / 2; i--) if (/\s/.test(text[i - 1])) return i;
  const c = text.charCodeAt(limit - 1);
  return c >= 0xd800 && c <= 0xdbff ? limit - 1 : limit;
}

/**
 * Yields documents from the files, reading 64 KB at a time, in parts so that memory stays bounded
 * whatever the line or document length: a line longer than MAX_LINE_CHARS is cut (its pieces stay in
 * the same document) and a document longer than MAX_PART_CHARS comes in several parts. A file with a
 * NUL byte in its first chunk is binary; one with invalid UTF-8 is skipped whole at the first bad byte
 * (parts of it already yielded stay yielded, as streaming cannot look ahead). `stats.documents`
 * counts whole documents.
 */
export async function* readDocumentParts(
  files: readonly string[],
  stats: CorpusStats,
): AsyncGenerator<DocumentPart> {
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
      let pending = ''; // text after the last line break, shorter than MAX_LINE_CHARS + CHUNK
      let doc: string[] = [];
      let docChars = 0;
      let first = true; // the next part yielded starts a document
      let firstChunk = true;
      let bad = false;
      const parts: DocumentPart[] = []; // ready to yield (a generator cannot yield inside a closure)
      const endDocument = () => {
        if (doc.length > 0) {
          if (first) stats.documents++;
          parts.push({ lines: doc, first });
        }
        doc = [];
        docChars = 0;
        first = true;
      };
      const addLine = (line: string) => {
        stats.lines++;
        doc.push(line);
        docChars += line.length;
        if (docChars >= MAX_PART_CHARS) {
          if (first) stats.documents++;
          parts.push({ lines: doc, first });
          doc = [];
          docChars = 0;
          first = false;
        }
      };
      for (;;) {
        const { bytesRead } = await fd.read(buf, 0, CHUNK, null);
        if (bytesRead === 0) break;
        const bytes = buf.subarray(0, bytesRead);
        if (firstChunk) {
          firstChunk = false;
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
        // only the new text can hold a line break: what was pending had none
        let from = 0;
        let nl = text.indexOf('\n');
        if (nl >= 0) {
          const line = cleanLine(pending + text.slice(0, nl));
          if (line.trim().length === 0) endDocument();
          else addLine(line);
          from = nl + 1;
          for (nl = text.indexOf('\n', from); nl >= 0; nl = text.indexOf('\n', from)) {
            const l = cleanLine(text.slice(from, nl));
            if (l.trim().length === 0) endDocument();
            else addLine(l);
            from = nl + 1;
          }
          pending = text.slice(from);
        } else pending += text;
        // a line too long to hold: its pieces join the document, and a blank piece ends nothing
        while (pending.length > MAX_LINE_CHARS) {
          const cut = cutPoint(pending, MAX_LINE_CHARS);
          const piece = pending.slice(0, cut);
          pending = pending.slice(cut);
          if (piece.trim().length > 0) addLine(cleanLine(piece));
        }
        yield* parts.splice(0);
      }
      if (bad) continue;
      try {
        pending += decoder.decode();
      } catch {
        stats.skippedEncoding.push(file);
        continue;
      }
      stats.files++;
      if (pending.trim().length > 0) addLine(cleanLine(pending));
      endDocument();
      yield* parts.splice(0);
    } finally {
      await fd.close();
    }
  }
}

function cleanLine(line: string): string {
  return line.replace(/\r$/, '').replace(/^\uFEFF/, '');
}

/**
 * Yields documents (arrays of non-empty lines) from the files, as readDocumentParts: a document longer
 * than MAX_PART_CHARS comes as several arrays, for readers that need lines, not document boundaries.
 */
export async function* readDocuments(files: readonly string[], stats: CorpusStats): AsyncGenerator<string[]> {
  for await (const part of readDocumentParts(files, stats)) yield part.lines;
}
