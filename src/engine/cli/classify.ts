// pretrain-lab classify / tag: a fine-tuned model's answer for a text, or for each line of --input
// (plain text, or JSONL with "text" or "text_a"/"text_b"), one JSON per input in order.
import * as fs from 'node:fs';
import { requireTask } from '../checkpoint/finetuned';
import { openModel } from '../checkpoint/registry';
import { type Args, flag, str, UsageError } from './args';
import { type Command, startBackend } from './command';

interface Input {
  text: string;
  textB?: string;
}

function inputs(a: Args): Input[] {
  const file = str(a, 'input');
  if (file === undefined) {
    const text = a.positional.join(' ');
    if (!text.trim()) throw new UsageError('Give a text to read, e.g. "a fine film", or --input FILE.');
    return [{ text, textB: str(a, 'text-b') }];
  }
  if (!fs.existsSync(file)) throw new UsageError(`--input ${file} does not exist.`);
  return fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((l, i) => {
      if (!l.trimStart().startsWith('{')) return { text: l };
      let o: { text?: unknown; text_a?: unknown; text_b?: unknown };
      try {
        o = JSON.parse(l);
      } catch {
        throw new UsageError(`${file} line ${i + 1} starts with { but is not valid JSON.`);
      }
      const text = o.text ?? o.text_a;
      if (typeof text !== 'string') throw new UsageError(`${file} line ${i + 1} has no "text" or "text_a".`);
      return { text, textB: typeof o.text_b === 'string' ? o.text_b : undefined };
    });
}

/** One line of `predict` output, as scripts read it. */
type PredictLine =
  | { label: string; probabilities: Record<string, number> }
  | { tokens: { token: string; start: number; end: number; label: string }[] };

function command(which: 'classify' | 'tag'): Command {
  return {
    name: which,
    aliases: which === 'classify' ? ['predict'] : undefined,
    usage:
      which === 'classify'
        ? `  pretrain-lab predict --model <fine-tuned dir> [--text-b TEXT] [--json] "text" | --input FILE
                                  (also: classify) the label and its probabilities, or a tagger's label per
                                  word; --input: one text per line, or JSONL with "text" or "text_a"/"text_b";
                                  one JSON per input, in order`
        : `  pretrain-lab tag --model <fine-tuned tagger dir> [--json] "text" | --input FILE
                                  a label for each word`,
    options: ['model', 'input', 'text-b', 'json'],
    async run(a) {
      const dir = str(a, 'model');
      if (!dir) throw new UsageError(`${which} needs --model <fine-tuned model folder>.`);
      await startBackend(a, true);
      const m = openModel(dir);
      try {
        // `predict` reads either kind of fine-tuned model
        const cap = which === 'classify' && m.capabilities.includes('tag') ? 'tag' : which;
        const t = requireTask(m, cap);
        for (const x of inputs(a)) {
          // a pair model reads a plain line as text A, a tab, text B
          const tab = x.text.indexOf('\t');
          const [text, textB] =
            t.task === 'pair' && x.textB === undefined && tab >= 0
              ? [x.text.slice(0, tab), x.text.slice(tab + 1)]
              : [x.text, x.textB];
          const r = cap === 'tag' ? await t.tag(text) : await t.classify(text, textB);
          if (r.notice) process.stderr.write(`${r.notice}\n`);
          const { notice: _n, ...full } = r;
          // the shapes scripts rely on: {label, probabilities}, or {tokens: [{token, start, end, label}]}
          // with one entry per word (the probabilities and top-5 labels are the editor's hover)
          const answer: PredictLine =
            'tokens' in full
              ? { tokens: full.tokens.map(({ token, start, end, label }) => ({ token, start, end, label })) }
              : { label: full.label, probabilities: full.probabilities };
          if (flag(a, 'json') || str(a, 'input') !== undefined)
            process.stdout.write(`${JSON.stringify(answer)}\n`);
          else if ('label' in answer)
            process.stdout.write(
              `${answer.label}  ${Object.entries(answer.probabilities)
                .map(([l, p]) => `${l} ${p.toFixed(3)}`)
                .join('  ')}\n`,
            );
          else process.stdout.write(`${answer.tokens.map((w) => `${w.token}/${w.label}`).join(' ')}\n`);
        }
      } finally {
        m.dispose();
      }
      return 0;
    },
  };
}

export const classifyCommand = command('classify');
export const tagCommand = command('tag');
