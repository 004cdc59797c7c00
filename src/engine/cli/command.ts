// What a command is to main.ts: its name, its help, the options it takes, and how it runs.
import { BACKEND_CHOICES, type BackendChoice } from '../../shared/configs';
import { describeBackend, initBackend } from '../backend';
import { type Args, choice, type OptionName } from './args';

export interface CliContext {
  /**
   * Runs a training during which Ctrl-C (SIGINT) or SIGTERM asks it to stop at its next safe point:
   * the first signal prints `notice` and makes `stopping()` true; a second one prints `lastWords`
   * (if any) and quits at once with 130. Resolves with what `train` resolved and the exit code a
   * stopped training returns (130 after Ctrl-C, 143 after SIGTERM).
   */
  stoppable<T>(
    notice: string,
    lastWords: string | undefined,
    train: (stopping: () => boolean) => Promise<T>,
  ): Promise<{ result: T; stoppedCode: number }>;
}

export interface Command {
  name: string;
  aliases?: readonly string[];
  /** Its lines of the help text, starting with `pretrain-lab <name>`. */
  usage: string;
  options: readonly OptionName[];
  /** Exit code: 0 done, 1 failed, 2 bad usage, 130/143 stopped by a signal. */
  run(a: Args, ctx: CliContext): Promise<number>;
}

/** Starts the --backend (or PRETRAIN_LAB_BACKEND) backend; says on stderr which one runs unless quiet. */
export async function startBackend(a: Args, quiet = false): Promise<void> {
  const b: BackendChoice | undefined = choice(a, 'backend', BACKEND_CHOICES);
  const info = await initBackend(b);
  if (!quiet) {
    const skipped = info.tried.filter((t) => t.error).map((t) => `${t.name} unavailable`);
    if (info.inferenceError) skipped.push(`onnxruntime unavailable`);
    process.stderr.write(
      `backend: ${describeBackend(info)}${skipped.length ? ` (${skipped.join(', ')})` : ''}\n`,
    );
  }
}
