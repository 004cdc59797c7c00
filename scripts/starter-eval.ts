// Masked-LM accuracy of a BERT folder on held-out text, with masks that do not depend on the model's
// vocabulary, so two models with different vocabularies are scored on the same words:
// the text is cut into words the way BERT's basic tokenizer does (a Chinese character is a word),
// 15% of the words that are not punctuation are chosen with a seeded generator, all WordPieces of a
// chosen word become [MASK], and a word counts as right when every one of its pieces is the top-1
// prediction (over all tokens but the special ones). The piece-level accuracy is given too.
// Usage: node --import tsx scripts/starter-eval.ts <model dir>... --heldout <dir with english.txt, chinese.txt>
//        node --import tsx scripts/starter-eval.ts --examples <model dir>   (top-3 for the README's examples)
//        node --import tsx scripts/starter-eval.ts --heldout-examples <model dir> --heldout <dir>
//          (sentences of the held-out text, one word masked each, in file order: the first three the
//          model gets right at top-1 and the first two it gets wrong, per language, as table rows)
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { BertPredictor } from '../src/engine/analysis/predictMask';
import { initBackend } from '../src/engine/backend';
import { Rng } from '../src/engine/random';
import { isPunctuation } from '../src/engine/tokenizer/basic';

export const EVAL_SEED = 1;
const WORDS_PER_CHUNK = 40; // at most 40 words (characters in Chinese) of one document per sequence
const MAX_PIECES = 126;
const BATCH = 16;

export interface MlmScore {
  words: number;
  wordAccuracy: number;
  pieces: number;
  pieceAccuracy: number;
}

interface Example {
  ids: number[]; // [CLS] ... [SEP], chosen pieces replaced by [MASK]
  positions: number[];
  targets: number[];
  wordOf: number[]; // which chosen word (global index) each position belongs to
}

/** The held-out file as masked sequences for this model; the chosen words depend only on the text. */
function examples(p: BertPredictor, text: string, seed: number): { ex: Example[]; words: number } {
  const rng = new Rng(seed);
  const rand = () => rng.next();
  const v = p.vocab;
  const ex: Example[] = [];
  let words = 0;
  for (const doc of text.split(/\n\s*\n/)) {
    const pieces = p.tokenizer.encode(doc);
    const byWord: number[][] = [];
    for (const piece of pieces) {
      byWord[piece.wordIndex] ??= [];
      byWord[piece.wordIndex].push(piece.id);
    }
    const wordText = p.tokenizer.basic.tokenize(doc);
    for (let w0 = 0; w0 < wordText.length; w0 += WORDS_PER_CHUNK) {
      const ids = [v.clsId];
      const e: Example = { ids, positions: [], targets: [], wordOf: [] };
      for (let w = w0; w < Math.min(w0 + WORDS_PER_CHUNK, wordText.length); w++) {
        const wp = byWord[w] ?? [];
        const chosen = rand() < 0.15 && !Array.from(wordText[w]).every(isPunctuation);
        if (ids.length + wp.length >= MAX_PIECES) continue; // rare; the generator advanced all the same
        if (chosen) words++;
        for (const id of wp) {
          if (chosen) {
            e.positions.push(ids.length);
            e.targets.push(id);
            e.wordOf.push(words - 1);
          }
          ids.push(chosen ? v.maskId : id);
        }
      }
      ids.push(v.sepId);
      if (e.positions.length) ex.push(e);
    }
  }
  return { ex, words };
}

export function mlmAccuracy(p: BertPredictor, text: string, seed = EVAL_SEED): MlmScore {
  const { ex, words } = examples(p, text, seed);
  const wrongWords = new Set<number>();
  let pieces = 0;
  let right = 0;
  const penalty = new Float32Array(p.vocab.size);
  for (const id of p.vocab.specialIds) penalty[id] = -1e9; // never predict [PAD], [MASK]...
  for (let b = 0; b < ex.length; b += BATCH) {
    const batch = ex.slice(b, b + BATCH);
    const T = Math.max(...batch.map((e) => e.ids.length));
    const ids = new Int32Array(batch.length * T);
    const mask = new Float32Array(batch.length * T);
    const flat: number[] = [];
    batch.forEach((e, i) => {
      e.ids.forEach((id, t) => {
        ids[i * T + t] = id;
        mask[i * T + t] = 1;
      });
      for (const pos of e.positions) flat.push(i * T + pos);
    });
    const best = tf.tidy(() => {
      const { hidden } = p.model.forward({
        inputIds: tf.tensor2d(ids, [batch.length, T], 'int32'),
        segmentIds: tf.zeros([batch.length, T], 'int32') as tf.Tensor2D,
        attentionMask: tf.tensor2d(mask, [batch.length, T]),
      });
      const logits = p.model.mlmLogits(hidden, tf.tensor1d(flat, 'int32'));
      return tf.argMax(tf.add(logits, tf.tensor1d(penalty)), 1);
    });
    const got = best.dataSync();
    best.dispose();
    let k = 0;
    for (const e of batch)
      e.targets.forEach((t, j) => {
        pieces++;
        if (got[k++] === t) right++;
        else wrongWords.add(e.wordOf[j]);
      });
  }
  return { words, wordAccuracy: (words - wrongWords.size) / words, pieces, pieceAccuracy: right / pieces };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The README's example predictions: the test point of issue 11 and sample/try-predict-mask.txt, a few more. */
export const EXAMPLES = [
  'The jury said the [MASK] was conducted in a fair manner.',
  'He walked into the room and [MASK] down by the window.',
  'The committee will meet on [MASK] to discuss the new budget.',
  'Paris is the [MASK] of France.',
  'She opened the [MASK] and looked out at the rain.',
  '苏轼是北宋文[MASK]家、书画家。',
  '字子瞻，号东坡居[MASK]。',
  '他在政治上属于旧[MASK]。',
  '床前明月光，疑是地上[MASK]。',
  '白日依山尽，黄河入[MASK]流。',
];

/** Top-3 of predict-mask for each example, one line each. */
export async function printExamples(dir: string): Promise<void> {
  await initBackend();
  const p = new BertPredictor(dir);
  try {
    for (const text of EXAMPLES) {
      const c = p.predictMasks(text, 3).masks[0].candidates;
      console.log(`${text}  →  ${c.map((x) => `${x.token} ${pct(x.probability)}`).join(', ')}`);
    }
  } finally {
    p.dispose();
  }
}

/**
 * Good and bad examples not picked by hand: the held-out text's sentences in file order (English
 * 8–25 words, Chinese 7–30 characters), one word of a single WordPiece chosen in each with EVAL_SEED,
 * masked and predicted as Predict Mask does; the first `good` right at top-1 and the first `bad`
 * wrong, per language. Returns markdown table rows: sentence, top-3, right answer, right or not.
 */
export async function heldoutExamples(dir: string, heldout: string, good = 3, bad = 2): Promise<string[]> {
  await initBackend();
  const p = new BertPredictor(dir);
  const rows: string[] = [];
  try {
    for (const lang of ['english', 'chinese']) {
      const rng = new Rng(EVAL_SEED);
      const text = fs.readFileSync(path.join(heldout, `${lang}.txt`), 'utf8');
      const sentences =
        lang === 'english'
          ? text.split(/(?<=[.!?]["']?)\s+/).filter((x) => /^[A-Z]/.test(x))
          : text.split(/(?<=[。！？])|\n/).filter((x) => /^[\u4e00-\u9fff]/.test(x) && !x.includes('（')); // not the titles: 调名（作者）
      const found = { good: [] as string[], bad: [] as string[] };
      for (const sentence of sentences) {
        if (found.good.length >= good && found.bad.length >= bad) break;
        const words = p.tokenizer.basic.tokenize(sentence);
        if (
          lang === 'english' ? words.length < 8 || words.length > 25 : words.length < 7 || words.length > 30
        )
          continue;
        // words of one piece, not punctuation, not the first (a capital letter gives it away)
        const candidates = words
          .map((w, i) => ({ w, i }))
          .filter(
            ({ w, i }) =>
              i > 0 &&
              !Array.from(w).every(isPunctuation) &&
              p.tokenizer.encode(w).length === 1 &&
              p.tokenizer.encode(w)[0].id !== p.vocab.unkId,
          );
        if (candidates.length === 0) continue;
        const { w } = candidates[Math.floor(rng.next() * candidates.length)];
        // mask that word's first whole-word occurrence after the first word
        const at =
          lang === 'english'
            ? sentence.search(new RegExp(`(?<=\\W)${w}(?=\\W|$)`, 'i'))
            : sentence.indexOf(w, 1);
        if (at < 0) continue;
        const masked = `${sentence.slice(0, at)}[MASK]${sentence.slice(at + w.length)}`;
        const c = p.predictMasks(masked, 3).masks[0]?.candidates ?? [];
        const right = c[0]?.token === p.tokenizer.encode(w)[0]?.text;
        const list = right ? found.good : found.bad;
        if (list.length >= (right ? good : bad)) continue;
        const top = c.map((x) => `${x.token} ${pct(x.probability)}`).join(', ');
        list.push(`| ${masked.replace(/\|/g, '\\|')} | ${top} | ${w} | ${right ? 'right' : 'wrong'} |`);
      }
      rows.push(...found.good, ...found.bad);
    }
  } finally {
    p.dispose();
  }
  return rows;
}

/** Scores each model on <heldout>/{english,chinese}.txt and prints a table. */
export async function scoreModels(dirs: string[], heldout: string): Promise<Record<string, MlmScore>[]> {
  await initBackend();
  const out: Record<string, MlmScore>[] = [];
  for (const dir of dirs) {
    const p = new BertPredictor(dir);
    const scores: Record<string, MlmScore> = {};
    try {
      for (const lang of ['english', 'chinese']) {
        const s = mlmAccuracy(p, fs.readFileSync(path.join(heldout, `${lang}.txt`), 'utf8'));
        scores[lang] = s;
        console.log(
          `${dir}  ${lang}: ${s.words} masked words, word accuracy ${pct(s.wordAccuracy)}, piece accuracy ${pct(s.pieceAccuracy)} (${s.pieces} pieces)`,
        );
      }
    } finally {
      p.dispose();
    }
    out.push(scores);
  }
  return out;
}

/** True when the new model's word accuracy beats the old one's on both languages. */
export async function compareStarters(oldDir: string, newDir: string, heldout: string): Promise<boolean> {
  const [a, b] = await scoreModels([oldDir, newDir], heldout);
  return ['english', 'chinese'].every((l) => b[l].wordAccuracy > a[l].wordAccuracy);
}

if (require.main === module && process.argv[2] === '--examples') {
  printExamples(process.argv[3] ?? 'models/starter').catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
} else if (require.main === module && process.argv[2] === '--heldout-examples') {
  const h = process.argv.indexOf('--heldout');
  if (h < 0 || h === process.argv.length - 1)
    throw new Error('give --heldout <dir with english.txt and chinese.txt>');
  heldoutExamples(process.argv[3] ?? 'models/starter', process.argv[h + 1])
    .then((rows) =>
      console.log(
        ['| held-out sentence | top-3 | answer | top-1 |', '| --- | --- | --- | --- |', ...rows].join('\n'),
      ),
    )
    .catch((e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    });
} else if (require.main === module) {
  const args = process.argv.slice(2);
  const h = args.indexOf('--heldout');
  if (h < 0 || h === args.length - 1)
    throw new Error('give --heldout <dir with english.txt and chinese.txt>');
  const heldout = args[h + 1];
  scoreModels(
    args.filter((_, i) => i !== h && i !== h + 1),
    heldout,
  ).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
