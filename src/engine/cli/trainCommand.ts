// The shape every `pretrain <family>` command shares: --corpus and --out required, a --preset checked
// against the family's, the options every step-trained model takes, and a run that prints progress
// lines on stdout and messages on stderr and stops cleanly at a checkpoint on Ctrl-C or SIGTERM.
import { type Args, type OptionName, str, UsageError } from './args';
import { type CliContext, startBackend } from './command';

/** Options of every model trained in optimizer steps, besides its own. */
export const STEP_TRAINING_OPTIONS: readonly OptionName[] = [
  'corpus',
  'out',
  'preset',
  'steps',
  'batch-size',
  'lr',
  'warmup',
  'weight-decay',
  'clip-norm',
  'checkpoint-every',
  'log-every',
  'seed',
  'fresh',
];

/** The --out folder, after checking that --corpus and --out were given; `command` names the command. */
export function corpusAndOut(a: Args, command: string): string {
  const out = str(a, 'out');
  if (a.corpus.length === 0) throw new UsageError(`${command} needs --corpus <files|folder|glob>.`);
  if (!out) throw new UsageError(`${command} needs --out <dir> for the model folder.`);
  return out;
}

/** --preset if given (unset: a new model gets the default, a resumed one keeps its own). */
export function presetOption<P extends string>(
  a: Args,
  presets: readonly string[],
  isPreset: (p: string) => p is P,
): P | undefined {
  const preset = str(a, 'preset');
  if (preset !== undefined && !isPreset(preset))
    throw new UsageError(`--preset ${preset} is not one of ${presets.join(', ')}.`);
  return preset;
}

/** What a training prints: its messages on stderr, one progress line per report on stdout. */
export function printingCallbacks<P>(line: (p: P) => string, stopping: () => boolean) {
  return {
    onLog: (m: string) => process.stderr.write(`${m}\n`),
    onProgress: (p: P) => process.stdout.write(`${line(p)}\n`),
    shouldStop: stopping,
  };
}

interface StepTrainingResult {
  status: 'done' | 'cancelled';
  step: number;
  summary: { dir: string; parameters: number };
}

/**
 * Starts the backend and runs a step-trained model's training until done or stopped, then says
 * where the model is; `what` names it in that line ("model", "ELMo"). Returns the exit code.
 */
export async function runStepTraining<P>(
  a: Args,
  ctx: CliContext,
  what: string,
  line: (p: P) => string,
  train: (cb: ReturnType<typeof printingCallbacks<P>>) => Promise<StepTrainingResult>,
): Promise<number> {
  await startBackend(a);
  const { result: r, stoppedCode } = await ctx.stoppable(
    '\nStopping after this step and writing a checkpoint (Ctrl-C again to quit at once)…\n',
    'Stopped; the last checkpoint on disk is intact.\n',
    (stopping) => train(printingCallbacks(line, stopping)),
  );
  process.stdout.write(
    `${r.status === 'done' ? 'Finished' : 'Stopped'} at step ${r.step}; ${what} saved in ${r.summary.dir} (${r.summary.parameters.toLocaleString('en')} parameters).\n`,
  );
  return r.status === 'done' ? 0 : stoppedCode;
}
