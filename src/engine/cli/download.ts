// pretrain-lab download <model-id>: a BERT or GPT-2 from the Hugging Face Hub (or a mirror) into a
// model folder, resumable and checked file by file (hub/download.ts). The token comes from HF_TOKEN
// (never from the command line, which other users of the machine can see); the endpoint from
// --endpoint, else HF_ENDPOINT, else the public Hub. Ctrl-C stops it and keeps the part files.
import * as path from 'node:path';
import { DEFAULT_HUB_ENDPOINT, describeProgress, downloadFolderName, modelIdProblem } from '../../shared/hub';
import { CancelledError } from '../../shared/rpc';
import { downloadModel, stagingDir } from '../hub/download';
import { type Args, str, UsageError } from './args';
import type { Command } from './command';

export const downloadCommand: Command = {
  name: 'download',
  usage: `  pretrain-lab download <model-id> [--revision R] [--out DIR] [--endpoint URL]
                                  a BERT or GPT-2 from the Hugging Face Hub (token: HF_TOKEN; mirror: --endpoint or HF_ENDPOINT)`,
  options: ['revision', 'out', 'endpoint'],
  async run(a: Args, ctx) {
    const [id, extra] = a.positional;
    if (!id)
      throw new UsageError('download needs a model id, such as pretrain-lab download bert-base-chinese.');
    if (extra !== undefined)
      throw new UsageError(
        `download takes one model id, not also "${extra}"; give options with --revision, --out and --endpoint.`,
      );
    const problem = modelIdProblem(id);
    if (problem) throw new UsageError(problem);
    const revision = str(a, 'revision') ?? 'main';
    const out = path.resolve(str(a, 'out') ?? downloadFolderName(id, revision));
    const endpoint = str(a, 'endpoint') ?? process.env.HF_ENDPOINT ?? DEFAULT_HUB_ENDPOINT;
    const ac = new AbortController();
    let last = '';
    const { result } = await ctx.stoppable(
      'Stopping the download; the part files are kept, so running the same command again continues it.\n',
      undefined,
      async (stopping) => {
        const poll = setInterval(() => stopping() && ac.abort(), 100);
        try {
          return await downloadModel({
            modelId: id,
            revision,
            endpoint,
            token: process.env.HF_TOKEN,
            outDir: out,
            signal: ac.signal,
            onLog: (m) => process.stderr.write(`${m}\n`),
            onProgress: (p) => {
              // a line per file and per whole percent
              const key = `${p.file} ${Math.floor((100 * p.done) / Math.max(1, p.total))}`;
              if (key !== last) process.stdout.write(`${describeProgress(p)}\n`);
              last = key;
            },
          });
        } catch (e) {
          if (e instanceof CancelledError) return undefined;
          throw e;
        } finally {
          clearInterval(poll);
        }
      },
    );
    if (!result) {
      process.stderr.write(`Stopped; the files so far are in ${stagingDir(out)}.\n`);
      return 130;
    }
    process.stdout.write(
      `Downloaded ${id} (${revision}${result.commit ? `, commit ${result.commit.slice(0, 10)}` : ''}) into ${result.dir}: ${result.files.join(', ')}; use it with --model ${result.dir}.\n`,
    );
    return 0;
  },
};
