// pretrain-lab: the engine from the command line. This file finds the command, prints help, turns
// errors into one line and an exit code, and owns the signal handling of trainings; each command
// lives in its own file.
import { type Args, flag, readArgs, UsageError } from './args';
import { classifyCommand, tagCommand } from './classify';
import type { CliContext, Command } from './command';
import { downloadCommand } from './download';
import { elmoLayersCommand } from './elmoLayers';
import { embedCommand } from './embed';
import { evaluateCommand } from './evaluate';
import { exportHfCommand } from './exportHf';
import { finetuneCommand } from './finetune';
import { generateCommand, nextTokenCommand } from './generate';
import { importHfCommand } from './importHf';
import { infoCommand } from './info';
import { perplexityCommand } from './perplexity';
import { predictMaskCommand } from './predictMask';
import { pretrainBertCommand } from './pretrainBert';
import { pretrainElmoCommand } from './pretrainElmo';
import { pretrainGptCommand } from './pretrainGpt';
import { pretrainWord2vecCommand } from './pretrainWord2vec';
import { rewriteCommand } from './seq2seq';
import { tokenizeCommand } from './tokenize';
import {
  analogyCommand,
  doesntMatchCommand,
  exportVectorsCommand,
  neighboursCommand,
  similarityCommand,
} from './vectors';
import { vocabCommand } from './vocab';

// in the order the help lists them
const COMMANDS: readonly Command[] = [
  pretrainBertCommand,
  pretrainWord2vecCommand,
  pretrainGptCommand,
  pretrainElmoCommand,
  elmoLayersCommand,
  embedCommand,
  neighboursCommand,
  analogyCommand,
  similarityCommand,
  doesntMatchCommand,
  exportVectorsCommand,
  exportHfCommand,
  downloadCommand,
  importHfCommand,
  predictMaskCommand,
  generateCommand,
  nextTokenCommand,
  perplexityCommand,
  infoCommand,
  vocabCommand,
  tokenizeCommand,
  finetuneCommand,
  classifyCommand,
  tagCommand,
  evaluateCommand,
  rewriteCommand,
];

const HEAD = 'pretrain-lab — word2vec and BERT pretraining, word-vector queries and masked-token prediction';
const FOOT =
  'Every command takes --backend auto|onnx|tensorflow|wasm|cpu (or PRETRAIN_LAB_BACKEND) and --help.';

function usage(commands: readonly Command[]): string {
  return `${HEAD}\n\nUsage:\n${commands.map((c) => c.usage).join('\n')}\n\n${FOOT}\n`;
}

/** The commands whose name starts with `word` (`pretrain` has two: bert and word2vec). */
function family(word: string): Command[] {
  return COMMANDS.filter(
    (c) => c.name === word || c.name.startsWith(`${word} `) || c.aliases?.includes(word),
  );
}

const context: CliContext = {
  async stoppable(notice, lastWords, train) {
    let signal: NodeJS.Signals | undefined;
    const onSignal = (s: NodeJS.Signals) => {
      if (signal) {
        if (lastWords) process.stderr.write(lastWords);
        process.exit(s === 'SIGTERM' ? 143 : 130);
      }
      signal = s;
      process.stderr.write(notice);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const result = await train(() => signal !== undefined);
      return { result, stoppedCode: signal === 'SIGTERM' ? 143 : 130 };
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};

/** Runs one command line; resolves with the exit code (0 done, 1 failed, 2 bad usage, 130/143 stopped). */
export async function main(argv: string[]): Promise<number> {
  try {
    const found: Args = readArgs(argv, undefined, undefined, true);
    const [first, second] = found.positional;
    if (first === undefined || first === 'help') {
      const all = readArgs(argv);
      const topic = first === 'help' ? second : undefined;
      const shown = topic === undefined ? COMMANDS : family(topic);
      if (shown.length === 0)
        throw new UsageError(`Unknown command "${topic}"; run pretrain-lab help for the commands.`);
      process.stdout.write(usage(shown));
      return first === undefined && !flag(all, 'help') ? 2 : 0;
    }
    const candidates = family(first);
    if (candidates.length === 0)
      throw new UsageError(`Unknown command "${first}"; run pretrain-lab help for the commands.`);
    const cmd =
      candidates.length === 1 && !candidates[0].name.includes(' ')
        ? candidates[0]
        : candidates.find((c) => c.name === `${first} ${second}`);
    if (!cmd) {
      if (flag(found, 'help')) {
        process.stdout.write(usage(candidates));
        return 0;
      }
      throw new UsageError(
        `${first} needs a model type: ${candidates.map((c) => `"pretrain-lab ${c.name} ..."`).join(' or ')}.`,
      );
    }
    const a = readArgs(argv, cmd.options, cmd.name);
    if (flag(a, 'help')) {
      process.stdout.write(usage([cmd]));
      return 0;
    }
    a.positional = a.positional.slice(cmd.name.split(' ').length);
    return await cmd.run(a, context);
  } catch (e) {
    process.stderr.write(`pretrain-lab: ${(e as Error).message}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

/**
 * Runs one command line as a process: exits with its code once stdout and stderr have drained.
 * process.exit right away would cut a piped output at the pipe's buffer (64 KB), with exit code 0.
 */
export async function runCli(argv: string[]): Promise<void> {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    // the reader went away (| head): the rest of the output is dropped and a training still saves
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    process.stderr.write(`pretrain-lab: the output cannot be written (${e.message}).\n`);
    process.exit(1);
  });
  const code = await main(argv);
  process.exitCode = code;
  // a write's callback runs once it and everything written before it has left the process
  await Promise.all(
    [process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))),
  );
  // a backend or a worker may keep handles open; everything the command wrote is out
  process.exit(code);
}

if (require.main === module) void runCli(process.argv.slice(2));
