#!/usr/bin/env node
// Makes sample/tasks/seq2seq/: a small sequence-to-sequence task from the Brown text in sample/english/.
// Source: a Brown sentence of 4–12 words as written; target: the same words lower-cased with the
// punctuation removed ("Atlanta's recent primary election produced "no evidence"." → "atlanta s recent
// primary election produced no evidence"). The target is the source's tokens minus its punctuation,
// so a tiny model can learn it in minutes; what it has to learn is to copy through cross-attention and
// to drop what is not a word. Deterministic: a seeded shuffle; rerun to rebuild.
//   node scripts/make-seq2seq-task.mjs [--train 1200] [--dev 100]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
};
const nTrain = opt('train', 1200);
const nDev = opt('dev', 100);

const srcDir = path.join(root, 'sample', 'english');
const sentences = [];
for (const f of fs
  .readdirSync(srcDir)
  .filter((f) => f.endsWith('.txt'))
  .sort()) {
  const text = fs.readFileSync(path.join(srcDir, f), 'utf8');
  for (const para of text.split(/\n\s*\n/)) {
    // sentence ends: . ! ? (optionally followed by a closing quote) then a space and a capital or quote
    for (const s of para.replace(/\s+/g, ' ').split(/(?<=[.!?]["')]?)\s+(?=["'(]?[A-Z])/)) {
      const words = s.match(/[\p{L}\p{N}]+/gu) ?? [];
      if (words.length >= 4 && words.length <= 12 && /[.!?]["')]?$/.test(s.trim())) sentences.push(s.trim());
    }
  }
}
const unique = [...new Set(sentences)];
// mulberry32: a seeded shuffle, so the files are the same on every run
let seed = 20201;
const rand = () => {
  seed |= 0;
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
for (let i = unique.length - 1; i > 0; i--) {
  const j = Math.floor(rand() * (i + 1));
  [unique[i], unique[j]] = [unique[j], unique[i]];
}
if (unique.length < nTrain + nDev)
  throw new Error(`Only ${unique.length} sentences of 4–12 words; ask for fewer with --train and --dev.`);
const target = (s) => (s.match(/[\p{L}\p{N}]+/gu) ?? []).join(' ').toLowerCase();
const line = (s) => JSON.stringify({ source: s, target: target(s) });
const out = path.join(root, 'sample', 'tasks', 'seq2seq');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'train.jsonl'), `${unique.slice(0, nTrain).map(line).join('\n')}\n`);
fs.writeFileSync(
  path.join(out, 'dev.jsonl'),
  `${unique
    .slice(nTrain, nTrain + nDev)
    .map(line)
    .join('\n')}\n`,
);
console.log(
  `${nTrain} train and ${nDev} dev pairs (of ${unique.length} sentences) in ${path.relative(root, out)}/`,
);
