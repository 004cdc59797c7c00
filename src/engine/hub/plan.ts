// Which files of a Hub repository make a model folder Pretrain Lab reads: config.json, the safetensors
// weights (one file, or the index and the shards it names), and the tokenizer files that exist. Pickle
// and framework weights (pytorch_model.bin, *.ckpt, *.h5, *.msgpack) are never downloaded. The
// memory a model needs is estimated from the published sizes before anything is transferred.
import * as os from 'node:os';
import * as v from 'valibot';
import { l10n } from '../../shared/l10nCore';
import { INDEX_FILE, SINGLE_FILE } from '../checkpoint/hf/safetensors';
import { HubError, type HubFile, type HubTarget, type RepoListing } from './api';

export const CONFIG_FILE = 'config.json';
export const TOKENIZER_FILES = [
  'vocab.txt',
  'tokenizer_config.json',
  'tokenizer.json',
  'special_tokens_map.json',
  'vocab.json',
  'merges.txt',
];
const OTHER_WEIGHTS = /\.(bin|ckpt|pt|pth|pkl|h5|msgpack|onnx|ot|gguf)$/i;

/** model_type → the kind the registry loads it as. */
export const HUB_MODEL_TYPES = { bert: 'hf-bert', gpt2: 'hf-gpt2' } as const;
export type HubModelKind = (typeof HUB_MODEL_TYPES)[keyof typeof HUB_MODEL_TYPES];

export interface Plan {
  config: HubFile;
  index?: HubFile; // model.safetensors.index.json: the shards are read from it once downloaded
  weights: HubFile[]; // model.safetensors alone, or (sharded) every top-level .safetensors until the index is read
  tokenizer: HubFile[];
}

function need(t: HubTarget, l: RepoListing, name: string): HubFile {
  const f = l.files.get(name);
  if (!f)
    throw new HubError(
      l10n.t(
        '{0} publishes no size or checksum for {1} of {2}, so its download could not be checked; try another revision or endpoint.',
        t.endpoint,
        name,
        t.modelId,
      ),
    );
  return f;
}

export function planDownload(t: HubTarget, l: RepoListing): Plan {
  const has = (n: string) => l.names.includes(n);
  if (!has(CONFIG_FILE))
    throw new HubError(
      l10n.t(
        '{0} has no config.json at revision {1}, so it is not a transformers model; pick a BERT or GPT-2 model.',
        t.modelId,
        t.revision,
      ),
    );
  const config = need(t, l, CONFIG_FILE);
  let index: HubFile | undefined;
  let weights: HubFile[];
  if (has(INDEX_FILE)) {
    index = need(t, l, INDEX_FILE);
    weights = l.names.filter((n) => !n.includes('/') && n.endsWith('.safetensors')).map((n) => need(t, l, n));
  } else if (has(SINGLE_FILE)) weights = [need(t, l, SINGLE_FILE)];
  else {
    const others = l.names.filter((n) => OTHER_WEIGHTS.test(n) && !n.includes('/'));
    throw new HubError(
      others.length > 0
        ? l10n.t(
            "{0} publishes its weights only as {1} (PyTorch pickle or other formats, and pickles can run code when loaded), not as model.safetensors, so Pretrain Lab does not download it; pick a revision with safetensors weights (the Hub's conversion bot often offers one as refs/pr/<n>).",
            t.modelId,
            others.slice(0, 3).join(', '),
          )
        : l10n.t(
            '{0} has no model.safetensors at revision {1}; pick a model that publishes safetensors weights.',
            t.modelId,
            t.revision,
          ),
    );
  }
  const tokenizer = TOKENIZER_FILES.filter(has).map((n) => need(t, l, n));
  const tokenizerNames = tokenizer.map((f) => f.name);
  if (!['vocab.txt', 'tokenizer.json', 'vocab.json'].some((n) => tokenizerNames.includes(n)))
    throw new HubError(
      l10n.t(
        '{0} has no tokenizer files (vocab.txt, vocab.json or tokenizer.json); Pretrain Lab needs them to read text, so pick another model.',
        t.modelId,
      ),
    );
  return { config, index, weights, tokenizer };
}

const IndexSchema = v.looseObject({ weight_map: v.record(v.string(), v.string()) });

/** The shards an index names, each of them listed by the Hub. */
export function shardsOf(t: HubTarget, l: RepoListing, indexJson: string): HubFile[] {
  let raw: unknown;
  try {
    raw = JSON.parse(indexJson);
  } catch {
    raw = undefined;
  }
  const r = v.safeParse(IndexSchema, raw);
  if (!r.success)
    throw new HubError(
      l10n.t(
        '{0} of {1} has no weight_map; the repository is damaged, so pick another revision.',
        INDEX_FILE,
        t.modelId,
      ),
    );
  return [...new Set(Object.values(r.output.weight_map))].map((s) => {
    if (s.includes('/') || !l.names.includes(s))
      throw new HubError(
        l10n.t(
          '{0} of {1} names the shard {2}, which the repository does not have; pick another revision.',
          INDEX_FILE,
          t.modelId,
          s,
        ),
      );
    return need(t, l, s);
  });
}

/** Bytes per parameter of the stored weights, from config.json's torch_dtype (float32 when unsaid). */
export function storedBytesPerParam(config: unknown): number {
  const d =
    typeof config === 'object' && config !== null
      ? (config as { torch_dtype?: unknown }).torch_dtype
      : undefined;
  return d === 'float16' || d === 'bfloat16' ? 2 : d === 'float64' ? 8 : 4;
}

/**
 * Refuses a model whose weights, as float32, need more than half of this machine's memory — the
 * limit the loader applies, said before anything is downloaded.
 */
export function checkMemory(
  t: HubTarget,
  weightBytes: number,
  bytesPerParam = 4,
  memoryBytes = os.totalmem(),
): void {
  const need = (weightBytes * 4) / bytesPerParam;
  if (need <= memoryBytes / 2) return;
  const gb = (b: number) => (b / 2 ** 30).toFixed(1);
  throw new HubError(
    l10n.t(
      "{0} needs about {1} GB of memory as float32 (its weights are {2} GB), more than half of this machine's {3} GB; pick a smaller model.",
      t.modelId,
      gb(need),
      gb(weightBytes),
      gb(memoryBytes),
    ),
  );
}
