// Runs one command line of the CLI inside the test process and captures what it prints.
import { main } from '../../src/engine/cli/main';

/** Exit code, stdout and stderr of one CLI run. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const ewrite = process.stderr.write.bind(process.stderr);
  // strings are the CLI's; Buffers are the test runner's own events to its parent process, which
  // must pass through or the parent never hears of the test that just ended
  process.stdout.write = ((c: string | Uint8Array, ...rest: never[]) =>
    typeof c === 'string' ? out.push(c) > 0 : write(c, ...rest)) as typeof process.stdout.write;
  process.stderr.write = ((c: string | Uint8Array, ...rest: never[]) =>
    typeof c === 'string' ? err.push(c) > 0 : ewrite(c, ...rest)) as typeof process.stderr.write;
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = ewrite;
  }
}
