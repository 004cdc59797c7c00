// pretrain-lab info: what a model folder holds (size, steps, last metrics), as text or JSON.
import * as path from 'node:path';
import type { TrainProgress } from '../../shared/configs';
import { BertPredictor } from '../analysis/predictMask';
import { type Args, flag, str, UsageError } from './args';
import { type Command, startBackend } from './command';
import { progressLine } from './progress';

export const infoCommand: Command = {
  name: 'info',
  usage: '  pretrain-lab info --model <dir> [--json]',
  options: ['model', 'json'],
  async run(a: Args) {
    const model = str(a, 'model');
    if (!model) throw new UsageError('info needs --model <dir>.');
    await startBackend(a, true);
    const predictor = new BertPredictor(path.resolve(model));
    const s = predictor.summary;
    predictor.dispose();
    if (flag(a, 'json')) process.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    else {
      const c = s.config;
      process.stdout.write(
        `${s.dir}\n  BERT ${s.preset ?? ''}: ${c.numLayers} layers, hidden ${c.hiddenSize}, ${c.numHeads} heads, vocab ${s.vocabSize}, ${s.parameters.toLocaleString('en')} parameters\n  steps ${s.steps}${s.totalSteps ? `/${s.totalSteps}` : ''}\n`,
      );
      if (s.finalMetrics?.mlmLoss !== undefined)
        process.stdout.write(`  last: ${progressLine(s.finalMetrics as TrainProgress)}\n`);
    }
    return 0;
  },
};
