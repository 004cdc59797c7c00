// Small generated tasks where context decides the label, and what a bag of words can do on them: shared
// by the fine-tuning tests of every base (finetune*.test.ts).
import type * as tf from '@tensorflow/tfjs-core';

export const NOUNS = ['film', 'meal', 'song', 'book', 'game', 'trip'];
export const ADJS = ['good', 'fine', 'great', 'bad', 'poor', 'awful'];
/** "not" flips the label: context, not a single word, decides it. */
export function sentimentLines(n: number, seed: number): string {
  let s = seed;
  const r = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 4294967296;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(r() * ADJS.length);
    const not = r() < 0.5;
    const positive = a < 3 !== not;
    out.push(
      `the ${NOUNS[Math.floor(r() * NOUNS.length)]} was ${not ? 'not ' : ''}${ADJS[a]}\t${positive ? 'pos' : 'neg'}`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** Naive Bayes over the words of a text (A and B together): what a bag of words can do on the task. */
export function bagOfWordsAccuracy(trainLines: string, devLines: string): number {
  const parse = (t: string) =>
    t
      .trim()
      .split('\n')
      .map((l) => {
        const f = l.split('\t');
        return { words: f.slice(0, -1).join(' ').split(' '), label: f[f.length - 1] };
      });
  const counts = new Map<string, Map<string, number>>();
  const prior = new Map<string, number>();
  for (const { words, label } of parse(trainLines)) {
    prior.set(label, (prior.get(label) ?? 0) + 1);
    const c = counts.get(label) ?? new Map<string, number>();
    for (const w of words) c.set(w, (c.get(w) ?? 0) + 1);
    counts.set(label, c);
  }
  const dev = parse(devLines);
  let right = 0;
  for (const { words, label } of dev) {
    let best = '';
    let bestScore = -Infinity;
    for (const [l, c] of counts) {
      const total = [...c.values()].reduce((x, y) => x + y, 0);
      let score = Math.log(prior.get(l) ?? 1);
      for (const w of words) score += Math.log(((c.get(w) ?? 0) + 1) / (total + 100));
      if (score > bestScore) [best, bestScore] = [l, score];
    }
    if (best === label) right++;
  }
  return right / dev.length;
}

export function bytesOf(t: tf.Tensor): Buffer {
  return Buffer.from((t.dataSync() as Float32Array).buffer);
}

/** CoNLL sentences where "run", "walk", "talk" are nouns after "the" and verbs after "to". */
export function nounVerbConll(n: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const w = ['run', 'walk', 'talk'][i % 3];
    lines.push(
      i % 2 ? `the DET\n${w} NOUN\nwas VERB\ngood ADJ` : `to PRT\n${w} VERB\na DET\n${NOUNS[i % 6]} NOUN`,
    );
  }
  return `${lines.join('\n\n')}\n`;
}

/** Sentence pairs labelled by whether both sentences name the same noun: a label that needs A and B. */
export function pairLines(n: number, seed: number): string {
  let x = seed;
  const r = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x / 4294967296;
  };
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const a = Math.floor(r() * NOUNS.length);
    const same = r() < 0.5;
    const b = same ? a : (a + 1 + Math.floor(r() * (NOUNS.length - 1))) % NOUNS.length;
    out.push(`the ${NOUNS[a]} was good\ta ${NOUNS[b]} was bad\t${same ? 'same' : 'diff'}`);
  }
  return `${out.join('\n')}\n`;
}
