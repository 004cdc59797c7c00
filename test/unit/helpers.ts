import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initBackend } from '../../src/engine/backend';
import { loadOrt } from '../../src/engine/onnx/runtime';

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

export function factSentence(filler: number, country: string, city: string): string {
  return `${FILLERS[filler % FILLERS.length]} the capital of ${country} is ${city}.`;
}

/** Filler/country pairs kept out of training, to test on: a quarter of all, each filler and country in some. */
export function isHeldOut(filler: number, country: number): boolean {
  return (filler + country) % 4 === 0;
}

/**
 * Documents of fact sentences whose filler says nothing about the answer: only the country decides
 * the city. Held-out filler/country pairs never occur.
 */
export function factCorpus(dir: string, docs = 40, perDoc = 6, seed = 1): string {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const out: string[] = [];
  for (let d = 0; d < docs; d++) {
    const lines: string[] = [];
    while (lines.length < perDoc) {
      const k = Math.floor(next() * FACTS.length);
      const f = Math.floor(next() * FILLERS.length);
      if (isHeldOut(f, k)) continue;
      lines.push(factSentence(f, FACTS[k][0], FACTS[k][1]));
    }
    out.push(lines.join(' '));
  }
  return writeCorpus(dir, { 'facts.txt': out.join('\n\n') + '\n' });
}

/** A test's skip reason when onnxruntime-node cannot load on this machine, else false. */
export function ortSkip(): string | false {
  try {
    loadOrt();
    return false;
  } catch (e) {
    return `onnxruntime-node does not load here: ${e instanceof Error ? e.message : String(e)}`;
  }
}
