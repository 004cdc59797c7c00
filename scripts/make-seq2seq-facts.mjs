#!/usr/bin/env node
// Makes sample/tasks/seq2seq-facts/: a task where a warm start has something to transfer (issue 17).
// Each person lives in one city. corpus.txt states every person's city in two framings ("anna lives
// in paris .", "the home of anna is in paris ."; up to four with --framings), for pretraining a BERT. The seq2seq task asks
// "where does anna live ?" → "paris"; train.jsonl holds half of the people, dev.jsonl the other half,
// so a dev answer is only in the pretraining text: a random-init model can only guess a city, a model
// warm-started from the BERT can recall it. Deterministic; test/unit/seq2seqTransfer.test.ts uses the
// same generator with fewer people.
//   node scripts/make-seq2seq-facts.mjs [--people 24] [--cities 4] [--docs 200] [--framings 2] [--out DIR]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PEOPLE = (
  'anna boris clara david emma felix grace henry irene james karen louis maria nora oscar paula ' +
  'quinn rosa simon tina victor wendy xavier yvonne adam bella carl diana ethan fiona george helen ' +
  'ivan julia kevin laura martin nina owen peter rachel steven thomas ursula vincent walter alice brian'
).split(' ');
export const CITIES = 'paris berlin rome madrid tokyo cairo lima oslo'.split(' ');

const FRAMINGS = [
  (p, c) => `${p} lives in ${c} .`,
  (p, c) => `the home of ${p} is in ${c} .`,
  (p, c) => `${p} has lived in ${c} for years .`,
  (p, c) => `in ${c} you can visit ${p} .`,
];

/** mulberry32: the same numbers on every run. */
function random(seed) {
  let s = seed;
  return () => {
    s |= 0;
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `people` people in `cities` cities (person i in city i mod cities, so each city has as many train
 * as dev people); documents of 4–6 fact sentences in the first `framings` framings; the question
 * pairs split by person.
 */
export function factsTask({ people = 24, cities = 4, docs = 200, framings = 2, seed = 17 } = {}) {
  if (people > PEOPLE.length || cities > CITIES.length)
    throw new Error(`At most ${PEOPLE.length} people and ${CITIES.length} cities.`);
  const rand = random(seed);
  const who = PEOPLE.slice(0, people).map((p, i) => ({ person: p, city: CITIES[i % cities] }));
  const lines = [];
  for (let d = 0; d < docs; d++) {
    const n = 4 + Math.floor(rand() * 3);
    const doc = [];
    for (let k = 0; k < n; k++) {
      const f = who[Math.floor(rand() * who.length)];
      doc.push(FRAMINGS[Math.floor(rand() * framings)](f.person, f.city));
    }
    lines.push(doc.join(' '));
  }
  const pair = (f) => ({ source: `where does ${f.person} live ?`, target: f.city });
  // person i is in train when (i div cities) is even: each city gets train and dev people alike
  const train = who.filter((_, i) => Math.floor(i / cities) % 2 === 0).map(pair);
  const dev = who.filter((_, i) => Math.floor(i / cities) % 2 === 1).map(pair);
  return { corpus: `${lines.join('\n\n')}\n`, train, dev };
}

export function writeFactsTask(out, options) {
  const t = factsTask(options);
  fs.mkdirSync(out, { recursive: true });
  const jsonl = (pairs) => `${pairs.map((p) => JSON.stringify(p)).join('\n')}\n`;
  fs.writeFileSync(path.join(out, 'corpus.txt'), t.corpus);
  fs.writeFileSync(path.join(out, 'train.jsonl'), jsonl(t.train));
  fs.writeFileSync(path.join(out, 'dev.jsonl'), jsonl(t.dev));
  return t;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : fallback;
  };
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const out = path.resolve(opt('out', path.join(root, 'sample', 'tasks', 'seq2seq-facts')));
  const t = writeFactsTask(out, {
    people: Number(opt('people', 24)),
    cities: Number(opt('cities', 4)),
    docs: Number(opt('docs', 200)),
    framings: Number(opt('framings', 2)),
  });
  console.log(`corpus.txt, ${t.train.length} train and ${t.dev.length} dev pairs in ${out}`);
}
