// pretrain-lab generate: continues a prompt with a GPT, streaming the text to stdout (or one JSON
// object with --json); pretrain-lab next-token: the most likely next tokens after a prefix.
import * as path from 'node:path';
import { DEFAULT_GENERATE } from '../../shared/configs';
import { generate } from '../analysis/generate';
import { type LoadedModel, MissingCapabilityError, requireCapability } from '../analysis/loadedModel';
import { nextTokens } from '../analysis/nextToken';
import { folderKind, openModel } from '../checkpoint/registry';
import { type Args, count, flag, num, str, UsageError } from './args';
import { type Command, startBackend } from './command';

/** The model's generation capability, with advice a terminal user can follow. */
function languageModel(m: LoadedModel) {
  try {
    return requireCapability(m, 'generate');
  } catch (e) {
    if (!(e instanceof MissingCapabilityError)) throw e;
    throw new MissingCapabilityError(
      e.message.replace(/: make one active in the Models view\.$/, ': give a GPT folder with --model.'),
    );
  }
}

async function open(a: Args, command: string): Promise<LoadedModel> {
  const model = str(a, 'model');
  if (!model) throw new UsageError(`${command} needs --model <gpt dir>.`);
  const dir = path.resolve(model);
  folderKind(dir); // a path that is no model folder is said before a backend starts
  await startBackend(a, true);
  return openModel(dir);
}

export const generateCommand: Command = {
  name: 'generate',
  usage: `  pretrain-lab generate --model <gpt dir> "prompt" [--max-new-tokens ${DEFAULT_GENERATE.maxNewTokens}] [--temperature ${DEFAULT_GENERATE.temperature}] [--top-k ${DEFAULT_GENERATE.topK}] [--top-p ${DEFAULT_GENERATE.topP}] [--seed ${DEFAULT_GENERATE.seed}] [--json]
      temperature 0 is greedy; --top-k 0 samples from every token; --max-tokens is the same as
      --max-new-tokens; an empty prompt starts a new text`,
  options: ['model', 'max-new-tokens', 'max-tokens', 'temperature', 'top-k', 'top-p', 'seed', 'json'],
  async run(a: Args) {
    const json = flag(a, 'json');
    const prompt = a.positional.join(' ');
    const loaded = await open(a, 'generate');
    try {
      const lm = languageModel(loaded);
      const r = await generate(
        lm,
        prompt,
        {
          maxNewTokens: num(a, 'max-new-tokens') ?? num(a, 'max-tokens'),
          temperature: num(a, 'temperature'),
          topK: str(a, 'top-k')?.trim() === '0' ? 0 : num(a, 'top-k'), // 0: every token
          topP: num(a, 'top-p'),
          seed: num(a, 'seed'),
        },
        { onText: json ? undefined : (t) => process.stdout.write(t) },
      );
      if (r.notice) process.stderr.write(`${r.notice}\n`);
      if (json) process.stdout.write(`${JSON.stringify({ text: r.text, tokens: r.tokens })}\n`);
      else process.stdout.write('\n');
    } finally {
      loaded.dispose();
    }
    return 0;
  },
};

export const nextTokenCommand: Command = {
  name: 'next-token',
  usage: '  pretrain-lab next-token --model <gpt dir> "prefix" [--top-k 10] [--json]',
  options: ['model', 'top-k', 'json'],
  async run(a: Args) {
    const json = flag(a, 'json');
    const prefix = a.positional.join(' ');
    const k = count(a, 'top-k', 10);
    const loaded = await open(a, 'next-token');
    try {
      const r = nextTokens(languageModel(loaded), prefix, k);
      if (r.notice) process.stderr.write(`${r.notice}\n`);
      if (json) {
        const candidates = r.candidates.map((c) => ({ token: c.token, probability: c.probability }));
        process.stdout.write(`${JSON.stringify({ candidates })}\n`);
      } else
        process.stdout.write(
          `${r.candidates.map((c) => `  ${JSON.stringify(c.token).padEnd(18)} ${(c.probability * 100).toFixed(2)}%`).join('\n')}\n`,
        );
    } finally {
      loaded.dispose();
    }
    return 0;
  },
};
