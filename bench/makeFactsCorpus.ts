// A synthetic corpus of facts and filler, generated deterministically (issue 11): ~115k words in
// documents of 4–9 sentences; about a quarter of the sentences state one of 25 facts ("the capital of
// france is paris") in one of six framings, the rest are filler from a small grammar. Each fact has one
// framing held out of the text: the 25 questions ask the fact in that framing, so a model answers them
// only if it learnt the fact, not the sentence.
// Run: node --import tsx bench/makeFactsCorpus.ts [outDir]   (default bench/out/facts)
import * as fs from 'node:fs';
import * as path from 'node:path';

export const FACTS: [string, string][] = [
  ['france', 'paris'],
  ['germany', 'berlin'],
  ['italy', 'rome'],
  ['spain', 'madrid'],
  ['japan', 'tokyo'],
  ['china', 'beijing'],
  ['egypt', 'cairo'],
  ['peru', 'lima'],
  ['russia', 'moscow'],
  ['greece', 'athens'],
  ['austria', 'vienna'],
  ['norway', 'oslo'],
  ['sweden', 'stockholm'],
  ['poland', 'warsaw'],
  ['ireland', 'dublin'],
  ['portugal', 'lisbon'],
  ['kenya', 'nairobi'],
  ['cuba', 'havana'],
  ['chile', 'santiago'],
  ['india', 'delhi'],
  ['iran', 'tehran'],
  ['thailand', 'bangkok'],
  ['hungary', 'budapest'],
  ['finland', 'helsinki'],
  ['denmark', 'copenhagen'],
];

const FRAMINGS = [
  'everyone knows that',
  'we learned that',
  'it is true that',
  'the book says',
  'my teacher said',
  'they told us that',
];

const SUBJECTS = [
  'the old man',
  'a young woman',
  'the farmer',
  'my sister',
  'the teacher',
  'a small dog',
  'the children',
  'our neighbour',
  'the doctor',
  'a tired driver',
];
const VERBS = [
  'walked to',
  'looked at',
  'painted',
  'cleaned',
  'visited',
  'left',
  'found',
  'waited near',
  'talked about',
  'remembered',
];
const OBJECTS = [
  'the market',
  'the river',
  'a red house',
  'the station',
  'the garden',
  'an empty room',
  'the bridge',
  'the library',
  'a wooden boat',
  'the hill',
];
const TIMES = [
  'in the morning',
  'after lunch',
  'before dark',
  'on sunday',
  'last winter',
  'every day',
  'at noon',
  'late at night',
];

/** The held-out framing of fact k: never in the corpus with that country. */
export function heldOutFraming(k: number): number {
  return k % FRAMINGS.length;
}

export function factSentence(framing: number, country: string, city: string): string {
  return `${FRAMINGS[framing]} the capital of ${country} is ${city}.`;
}

/** The 25 questions: each fact in its held-out framing, the city masked. */
export function factQuestions(): { text: string; answer: string }[] {
  return FACTS.map(([country, city], k) => ({
    text: factSentence(heldOutFraming(k), country, '[MASK]'),
    answer: city,
  }));
}

/** The corpus text: documents separated by blank lines, one document a line. */
export function makeFactsCorpus(targetWords = 115_000, seed = 11): string {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)];
  const docs: string[] = [];
  let words = 0;
  while (words < targetWords) {
    const n = 4 + Math.floor(next() * 6); // 4–9 sentences
    const sentences: string[] = [];
    for (let i = 0; i < n; i++) {
      let sentence: string;
      if (next() < 0.25) {
        const k = Math.floor(next() * FACTS.length);
        let f = Math.floor(next() * FRAMINGS.length);
        if (f === heldOutFraming(k)) f = (f + 1) % FRAMINGS.length;
        sentence = factSentence(f, FACTS[k][0], FACTS[k][1]);
      } else {
        sentence = `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(TIMES)}.`;
      }
      words += sentence.split(' ').length + 1; // the full stop is a token too
      sentences.push(sentence);
    }
    docs.push(sentences.join(' '));
  }
  return `${docs.join('\n\n')}\n`;
}

/** Writes facts.txt and questions.json into dir; returns the corpus path. */
export function writeFactsCorpus(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'facts.txt');
  fs.writeFileSync(file, makeFactsCorpus());
  fs.writeFileSync(path.join(dir, 'questions.json'), JSON.stringify(factQuestions(), null, 1));
  return file;
}

if (require.main === module) {
  const dir = process.argv[2] ?? path.join(__dirname, 'out', 'facts');
  const file = writeFactsCorpus(dir);
  const text = fs.readFileSync(file, 'utf8');
  const docs = text.trim().split(/\n\n/).length;
  console.log(`${file}: ${docs} documents, ~${text.split(/\s+/).length} words; questions.json: 25 facts`);
}
