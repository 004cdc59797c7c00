import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../src/engine/backend';

export const FIXTURES = path.join(__dirname, '..', 'fixtures');

export function tmpDir(prefix = 'pl-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** The backend tests run on: PRETRAIN_LAB_BACKEND, else the same automatic choice users get. */
export async function backend(): Promise<string> {
  return (await initBackend()).name;
}

export function writeCorpus(dir: string, files: Record<string, string>): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** A tiny grammar where each fact has one right answer: "the capital of france is paris". */
export const FACTS: [string, string][] = [
  ['france', 'paris'],
  ['germany', 'berlin'],
  ['italy', 'rome'],
  ['spain', 'madrid'],
  ['japan', 'tokyo'],
  ['china', 'beijing'],
  ['egypt', 'cairo'],
  ['peru', 'lima'],
];
const FILLERS = [
  'everyone knows that',
  'we learned that',
  'it is true that',
  'the book says',
  'my teacher said',
  'they told us that',
  'as you know',
  'remember that',
];
const TAILS = ['.', ' indeed.', ' of course.', ' as always.'];

export function factSentence(country: string, city: string, i: number): string {
  return `${FILLERS[i % FILLERS.length]} the capital of ${country} is ${city}${TAILS[(i >> 3) % TAILS.length]}`;
}

/** Documents of fact sentences; held-out filler/tail combinations are left for testing. */
export function factCorpus(dir: string, docs = 40, perDoc = 6, seed = 1): string {
  let s = seed;
  const next = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  const out: string[] = [];
  for (let d = 0; d < docs; d++) {
    const lines: string[] = [];
    for (let k = 0; k < perDoc; k++) {
      const [c, city] = FACTS[Math.floor(next() * FACTS.length)];
      const i = Math.floor(next() * 24); // combinations 24..31 never occur in training
      lines.push(factSentence(c, city, i));
    }
    out.push(lines.join(' '));
  }
  return writeCorpus(dir, { 'facts.txt': out.join('\n\n') + '\n' });
}
