// pretrain-lab predict-mask: the candidates for every [MASK] of a text, as a table or JSON.
import * as path from 'node:path';
import { DEFAULT_ANALYSIS } from '../../shared/configs';
import { MissingCapabilityError, requireCapability } from '../analysis/loadedModel';
import { folderKind, openModel } from '../checkpoint/registry';
import { type Args, count, flag, str, UsageError } from './args';
import { type Command, startBackend } from './command';

/** The engine's sentence for a model that cannot fill a [MASK], with the advice a terminal user can follow. */
function forTerminal<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof MissingCapabilityError)) throw e;
    throw new MissingCapabilityError(
      e.message.replace(/: make one active in the Models view\.$/, ': give its folder with --model.'),
    );
  }
}

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
    const dir = path.resolve(model);
    folderKind(dir); // a path that is no model folder is said before a backend starts
    await startBackend(a, json);
    const loaded = openModel(dir);
    try {
      const r = forTerminal(() => requireCapability(loaded, 'predictMask')).predictMasks(text, topK);
      if (r.notice) process.stderr.write(`${r.notice}\n`);
      if (json) {
        // masks in text order; position is the character offset of the [MASK] in the text
        const masks = r.masks.map((m) => ({ position: m.position, candidates: m.candidates }));
        process.stdout.write(`${JSON.stringify({ masks })}\n`);
      } else {
        const lines: string[] = [];
        r.masks.forEach((m, i) => {
          lines.push(`[MASK] ${i + 1} (character ${m.position}):`);
          for (const c of m.candidates)
            lines.push(`  ${c.token.padEnd(16)} ${(c.probability * 100).toFixed(2)}%`);
        });
        lines.push(`=> ${r.filled}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      }
    } finally {
      loaded.dispose();
    }
    return 0;
  },
};
