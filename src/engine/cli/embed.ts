// pretrain-lab embed: a text's tokens with their character offsets and their vectors at each layer of an
// ELMo (or of a BERT), as JSON for scripts — {"tokens":[{token,start,end}],"layers":[layer][token][dim]}
// — or a short summary. --input FILE: every line, one JSON per line, in order (an empty line gives
// empty tokens, so line N of the output is line N of the file).
import * as fs from 'node:fs';
import { checkEmbedLayer, type EmbedAnswer, type EmbedLayer, embedText } from '../analysis/embedText';
import { openModel } from '../checkpoint/registry';
import { type Args, flag, str, UsageError } from './args';
import { type Command, startBackend } from './command';

function readLayer(a: Args): EmbedLayer | undefined {
  const v = str(a, 'layer')?.trim();
  if (v === undefined) return undefined;
  if (v === 'mix') return 'mix';
  if (/^\d+$/.test(v)) return Number(v);
  throw new UsageError(`--layer takes a layer number (ELMo: 0, 1 or 2) or mix, not "${v}".`);
}

function texts(a: Args): { texts: string[]; file?: string } {
  const file = str(a, 'input');
  const text = a.positional.join(' ');
  if (file !== undefined) {
    if (text.trim()) throw new UsageError('Give either a text or --input FILE, not both.');
    let body: string;
    try {
      body = fs.readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(
        `--input ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); give a text file, one text per line.`,
      );
    }
    const lines = body.split('\n').map((l) => l.replace(/\r$/, ''));
    if (lines.at(-1) === '') lines.pop(); // the file's last newline ends a line, it does not start one
    if (!lines.some((l) => l.trim()))
      throw new UsageError(`--input ${file} has no text; write one text per line.`);
    return { texts: lines, file };
  }
  if (!text.trim())
    throw new UsageError(
      'The text to embed is empty; give one, e.g. pretrain-lab embed --model m --json "a play at the theatre".',
    );
  return { texts: [text] };
}

const MIX_NOTE =
  'mix is the plain average of the layers (equal weights): a pretrained model has no learned scalar mix; a fine-tuned task learns its own.\n';

function summary(r: EmbedAnswer, label: string): string {
  const dim = r.layers[0]?.[0]?.length ?? 0;
  const head = `${label}${r.model} (${r.kind}): ${r.tokens.length} tokens × ${r.layers.length} layer${r.layers.length === 1 ? '' : 's'} (${r.layerNames.join(', ')}) × ${dim} numbers\n`;
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)).toFixed(3);
  const rows = r.tokens.map(
    (t, i) =>
      `  ${t.token}  [${t.start}, ${t.end})  length per layer: ${r.layers.map((l) => norm(l[i])).join('  ')}\n`,
  );
  return head + rows.join('');
}

export const embedCommand: Command = {
  name: 'embed',
  usage: `  pretrain-lab embed --model <elmo or bert dir> [--layer 0|1|2|mix] [--json] "text" | --input FILE
      every token's vector at each layer (ELMo: 0 = token layer, 1-2 = biLSTM; BERT: 0..layers) or at one;
      mix = the layers' plain average; --json: {"tokens":[{token,start,end}],"layers":[layer][token][dim]},
      one JSON per line of --input`,
  options: ['model', 'layer', 'json', 'input'],
  async run(a: Args) {
    const dir = str(a, 'model');
    if (!dir) throw new UsageError('embed needs --model <elmo dir> (an ELMo, or a BERT).');
    const layer = readLayer(a);
    const input = texts(a);
    await startBackend(a, true);
    const model = openModel(dir);
    try {
      try {
        checkEmbedLayer(model, layer);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
      if (layer === 'mix') process.stderr.write(MIX_NOTE);
      const json = flag(a, 'json');
      input.texts.forEach((text, i) => {
        const r = embedText(model, text, layer);
        const where = input.file ? `Line ${i + 1} of ${input.file}` : 'The text';
        if (r.truncated)
          process.stderr.write(
            `${where} was cut to its first ${r.maxTokens} tokens, the most ${r.kind} reads at once; the rest has no vectors.\n`,
          );
        if (json) {
          const out = { tokens: r.tokens, layers: r.layers, ...(r.truncated ? { truncated: true } : {}) };
          process.stdout.write(`${JSON.stringify(out)}\n`);
        } else {
          if (r.unknown.length)
            process.stderr.write(
              `Not in ${r.model}'s vocabulary (read as <unk>, so layer 0 is the same for all of them): ${r.unknown.join(', ')}\n`,
            );
          process.stdout.write(summary(r, input.file ? `line ${i + 1}: ` : ''));
        }
      });
      return 0;
    } finally {
      model.dispose();
    }
  },
};
