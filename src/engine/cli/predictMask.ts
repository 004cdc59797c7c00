// pretrain-lab predict-mask: the candidates for every [MASK] of a text, as a table or JSON.
import * as path from 'node:path';
import { DEFAULT_ANALYSIS } from '../../shared/configs';
import { BertPredictor } from '../analysis/predictMask';
import { type Args, count, flag, str, UsageError } from './args';
import { type Command, startBackend } from './command';

export const predictMaskCommand: Command = {
  name: 'predict-mask',
  usage: `  pretrain-lab predict-mask --model <dir> "text with [MASK] ..." [--top-k ${DEFAULT_ANALYSIS.topK}] [--json]`,
  options: ['model', 'top-k', 'json'],
  async run(a: Args) {
    const model = str(a, 'model');
    if (!model) throw new UsageError('predict-mask needs --model <dir>.');
    const text = a.positional.join(' ');
    if (!text.trim())
      throw new UsageError(
        'predict-mask needs the text, e.g. pretrain-lab predict-mask --model m "paris is the [MASK] of france".',
      );
    const topK = count(a, 'top-k', DEFAULT_ANALYSIS.topK);
    const json = flag(a, 'json');
    await startBackend(a, json);
    const predictor = new BertPredictor(path.resolve(model));
    try {
      const r = predictor.predictMasks(text, topK);
      if (r.notice) process.stderr.write(`${r.notice}\n`);
      if (json) {
        // masks in text order; position is the character offset of the [MASK] in the text
        const masks = r.masks.map((m) => ({ position: m.position, candidates: m.candidates }));
        process.stdout.write(`${JSON.stringify({ masks })}\n`);
      } else {
        r.masks.forEach((m, i) => {
          process.stdout.write(`[MASK] ${i + 1} (character ${m.position}):\n`);
          for (const c of m.candidates)
            process.stdout.write(`  ${c.token.padEnd(16)} ${(c.probability * 100).toFixed(2)}%\n`);
        });
        process.stdout.write(`=> ${r.filled}\n`);
      }
    } finally {
      predictor.dispose();
    }
    return 0;
  },
};
