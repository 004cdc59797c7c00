// Where models live and which one is active: the starter model shipped with the extension, models in
// the storage folder (global storage, or the workspace by setting), and folders the user added.
// Reads only JSON metadata (the kind from src/shared/modelKinds.ts); weights are the engine's business.
// One model is active per capability: making a word2vec model active makes it the active vectors and
// leaves the active masked language model as it was.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS, type TrainProgress } from '../shared/configs';
import {
  CAPABILITIES,
  type Capability,
  detectKind,
  HF_MLM_HEAD_TENSOR,
  hfBertCapabilities,
  KINDS,
  type ModelKind,
} from '../shared/modelKinds';
import { hfTensorNames } from './hfFolder';

export interface ModelEntry {
  dir: string; // a folder, or a vector file (.vec, .bin, .txt, .tsv) for imported word vectors
  name: string;
  kind: 'starter' | 'stored' | 'added';
  modelKind?: ModelKind; // the kind config.json names, also for kinds this version cannot load
  capabilities: Capability[]; // empty when the model cannot be used
  algo?: string; // word2vec: skipgram or cbow
  dim?: number; // word2vec: vector size
  epochs?: number;
  epochsDone?: number;
  epochLosses?: number[];
  preset?: string;
  layers?: number;
  hidden?: number;
  heads?: number;
  vocabSize?: number;
  steps?: number;
  totalSteps?: number;
  corpus?: string[];
  metrics?: Partial<TrainProgress>;
  problem?: string; // why it cannot be used, in one sentence
}

const ACTIVE_KEY = 'pretrainLab.activeModel'; // the model last made active, of any kind
const ACTIVE_BY_CAPABILITY_KEY = 'pretrainLab.activeByCapability'; // capability → folder
const ADDED_KEY = 'pretrainLab.addedModels';

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const num = (x: unknown) => (typeof x === 'number' ? x : undefined);
const strings = (x: unknown) =>
  Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : undefined;

const VECTOR_FILE = /\.(vec|bin|txt|tsv)$/i;

/** A word2vec text/binary file or Projector TSV: its size from the header, without reading it all. */
function describeVectorFile(file: string, kind: ModelEntry['kind']): ModelEntry {
  const e: ModelEntry = {
    dir: file,
    name: path.basename(file),
    kind,
    modelKind: 'word2vec',
    capabilities: [...KINDS.word2vec.capabilities],
  };
  try {
    const b = Buffer.alloc(256);
    const fd = fs.openSync(file, 'r');
    let n: number;
    try {
      n = fs.readSync(fd, b, 0, 256, 0);
    } finally {
      fs.closeSync(fd);
    }
    const head = b.subarray(0, n).toString('latin1').split('\n')[0].trim().split(/\s+/);
    if (head.length === 2 && /^\d+$/.test(head[0]) && /^\d+$/.test(head[1])) {
      e.vocabSize = Number(head[0]);
      e.dim = Number(head[1]);
    } else if (/\.tsv$/i.test(file))
      e.dim = b.subarray(0, n).toString('latin1').split('\n')[0].split('\t').length;
    else if (head.length < 2) return unusable(e, vscode.l10n.t('It does not look like a word-vector file.'));
  } catch {
    return unusable(e, vscode.l10n.t('The file cannot be read.'));
  }
  return e;
}

function unusable(e: ModelEntry, problem: string): ModelEntry {
  return { ...e, capabilities: [], problem };
}

/** The checkpoint state file, or the one a crash between the two renames of a swap left in .old. */
function checkpointState(dir: string, file: string): Record<string, unknown> | undefined {
  return readJson(path.join(dir, 'checkpoint', file)) ?? readJson(path.join(dir, 'checkpoint.old', file));
}

/**
 * The describer of a pretrained step-trained folder (BERT, GPT, ELMo): its architecture from the
 * `section` of config.json, its progress from the checkpoint's trainer state.
 */
function describeStepModel(
  section: 'bert' | 'gpt' | 'elmo',
  hasHeads: boolean,
  withMetrics: boolean,
): (e: ModelEntry, cfg: Record<string, unknown>) => ModelEntry {
  return (e, cfg) => {
    const arch = (cfg[section] ?? {}) as Record<string, unknown>;
    Object.assign(e, {
      preset: typeof cfg.preset === 'string' ? cfg.preset : undefined,
      layers: num(arch.numLayers),
      hidden: num(arch.hiddenSize),
      ...(hasHeads ? { heads: num(arch.numHeads) } : {}),
      vocabSize: num(arch.vocabSize),
      corpus: strings(cfg.corpus),
    });
    const state = checkpointState(e.dir, 'trainer_state.json');
    if (!state) return unusable(e, vscode.l10n.t('It has no checkpoint yet.'));
    e.steps = num(state.step);
    e.totalSteps = num(state.totalSteps);
    if (withMetrics) e.metrics = (state.lastMetrics as Partial<TrainProgress> | undefined) ?? undefined;
    return e;
  };
}

/** One describer per loadable kind: what the Models view shows, from the folder's JSON files. */
const DESCRIBE: Partial<Record<ModelKind, (e: ModelEntry, cfg: Record<string, unknown>) => ModelEntry>> = {
  word2vec(e, cfg) {
    const o = (cfg.options ?? {}) as Record<string, unknown>;
    Object.assign(e, {
      algo: typeof o.algo === 'string' ? o.algo : undefined,
      dim: num(cfg.dim),
      vocabSize: num(cfg.vocabSize),
      corpus: strings(cfg.corpus),
      epochs: num(o.epochs),
    });
    const st = checkpointState(e.dir, 'state.json');
    if (!st) return unusable(e, vscode.l10n.t('No epoch has finished yet.'));
    e.epochsDone = num(st.epochsDone);
    e.epochLosses = Array.isArray(st.epochLosses) ? (st.epochLosses as number[]) : undefined;
    return e;
  },
  bert: describeStepModel('bert', true, true),
  // a GPT (checkpoint/gpt.ts): generation and next tokens, its token embedding as vectors
  gpt: describeStepModel('gpt', true, false),
  // a Hugging Face BERT read in place: Predict Mask only when its weights have the masked-LM head
  'hf-bert'(e, cfg) {
    Object.assign(e, {
      preset: 'Hugging Face',
      layers: num(cfg.num_hidden_layers),
      hidden: num(cfg.hidden_size),
      heads: num(cfg.num_attention_heads),
      vocabSize: num(cfg.vocab_size),
    });
    const t = hfTensorNames(e.dir);
    if ('problem' in t) return unusable(e, t.problem);
    e.capabilities = hfBertCapabilities(t.names.has(HF_MLM_HEAD_TENSOR));
    return e;
  },
  // an ELMo biLM (checkpoint/elmo.ts): its layers per word, its token layer as word vectors
  elmo: describeStepModel('elmo', false, false),
  'hf-gpt2'(e, cfg) {
    Object.assign(e, {
      preset: 'Hugging Face',
      layers: num(cfg.n_layer),
      hidden: num(cfg.n_embd),
      heads: num(cfg.n_head),
      vocabSize: num(cfg.vocab_size),
    });
    const t = hfTensorNames(e.dir);
    return 'problem' in t ? unusable(e, t.problem) : e;
  },
  // a fine-tuned folder (checkpoint/finetuned.ts): classify or tag, by its task
  finetuned(e, cfg) {
    const bert = (cfg.bert ?? {}) as Record<string, unknown>;
    Object.assign(e, { layers: num(bert.numLayers), hidden: num(bert.hiddenSize), epochs: num(cfg.epochs) });
    e.capabilities = [cfg.task === 'tag' ? 'tag' : 'classify'];
    if (!checkpointState(e.dir, 'trainer_state.json'))
      return unusable(e, vscode.l10n.t('It has no checkpoint yet.'));
    return e;
  },
  // a sequence-to-sequence folder (checkpoint/seq2seq.ts): Rewrite Selection
  seq2seq(e, cfg) {
    const enc = ((cfg.model ?? {}) as Record<string, unknown>).encoder as Record<string, unknown> | undefined;
    Object.assign(e, { layers: num(enc?.numLayers), hidden: num(enc?.hiddenSize), epochs: num(cfg.epochs) });
    if (!fs.existsSync(path.join(e.dir, 'checkpoint', 'weights.json')))
      return unusable(e, vscode.l10n.t('It has no checkpoint yet.'));
    return e;
  },
};

/** detectKind's fragment ("its config.json …", "it was not written …") as a sentence. */
const sentence = (fragment: string) => fragment.charAt(0).toUpperCase() + fragment.slice(1);

export function describeFolder(dir: string, kind: ModelEntry['kind']): ModelEntry {
  const e: ModelEntry = { dir, name: path.basename(dir), kind, capabilities: [] };
  if (!fs.existsSync(dir)) return unusable(e, vscode.l10n.t('The folder no longer exists.'));
  if (fs.statSync(dir).isFile()) {
    if (VECTOR_FILE.test(dir)) return describeVectorFile(dir, kind);
    return unusable(
      e,
      vscode.l10n.t('Only model folders and word-vector files (.vec, .bin, .txt, .tsv) can be added.'),
    );
  }
  const cfg = readJson(path.join(dir, 'config.json'));
  if (!cfg) return unusable(e, 'config.json is missing or not valid JSON.');
  const d = detectKind(cfg);
  const describe = d.ok && d.loadable ? DESCRIBE[d.kind] : undefined;
  if (d.ok && describe)
    return describe({ ...e, modelKind: d.kind, capabilities: [...KINDS[d.kind].capabilities] }, cfg);
  if (fs.existsSync(path.join(dir, 'vectors.bin')))
    return { ...describeVectorFile(path.join(dir, 'vectors.bin'), kind), dir, name: e.name };
  if (d.ok)
    return unusable(
      { ...e, modelKind: d.kind },
      vscode.l10n.t(
        'It is a {0} model, which this version of Pretrain Lab cannot load yet.',
        KINDS[d.kind].label,
      ),
    );
  return unusable(e, sentence(d.problem));
}

export class ModelStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly ctx: vscode.ExtensionContext) {}

  get starterDir(): string {
    return path.join(this.ctx.extensionPath, 'models', 'starter');
  }

  /** The folder new models are written to. */
  storageDir(): string {
    const where = vscode.workspace
      .getConfiguration('pretrainLab')
      .get<string>('storage', DEFAULT_SETTINGS.storage);
    const ws = vscode.workspace.workspaceFolders?.[0];
    if (where === 'workspace' && ws) return path.join(ws.uri.fsPath, '.pretrain-lab', 'models');
    return path.join(this.ctx.globalStorageUri.fsPath, 'models');
  }

  list(): ModelEntry[] {
    const out: ModelEntry[] = [];
    if (fs.existsSync(this.starterDir))
      out.push({ ...describeFolder(this.starterDir, 'starter'), name: 'starter BERT (English + 中文)' });
    const dir = this.storageDir();
    if (fs.existsSync(dir)) {
      for (const n of fs.readdirSync(dir).sort()) {
        const d = path.join(dir, n);
        if (fs.statSync(d).isDirectory() && !n.startsWith('.') && !n.includes('.tmp'))
          out.push(describeFolder(d, 'stored'));
      }
    }
    for (const d of this.ctx.globalState.get<string[]>(ADDED_KEY, [])) {
      if (!out.some((m) => m.dir === d)) out.push(describeFolder(d, 'added'));
    }
    return out;
  }

  /**
   * With no capability: the model last made active while it is usable, else the default BERT. With a
   * capability: the model made active for it (or, from older versions, the one last made active, if
   * it has it), else the newest usable model with it, else the starter.
   */
  active(cap?: Capability): ModelEntry | undefined {
    return this.activeIn(this.list(), cap);
  }

  private activeIn(list: ModelEntry[], cap?: Capability): ModelEntry | undefined {
    const all = list.filter((m) => !m.problem);
    const last = all.find((m) => m.dir === this.ctx.globalState.get<string>(ACTIVE_KEY));
    if (!cap) return last ?? this.activeIn(list, 'predictMask');
    const chosen = this.ctx.globalState.get<Partial<Record<Capability, string>>>(
      ACTIVE_BY_CAPABILITY_KEY,
      {},
    )[cap];
    const able = all.filter((m) => m.capabilities.includes(cap));
    return (
      able.find((m) => m.dir === chosen) ??
      (chosen === undefined && last?.capabilities.includes(cap) ? last : undefined) ??
      able.find((m) => m.kind !== 'starter') ??
      able[0]
    );
  }

  /** For each capability, the folder of the model active for it (read once, for the Models view). */
  activeByCapability(): Map<Capability, string> {
    const list = this.list();
    const out = new Map<Capability, string>();
    for (const cap of CAPABILITIES) {
      const m = this.activeIn(list, cap);
      if (m) out.set(cap, m.dir);
    }
    return out;
  }

  /** Makes the model active for every capability it has; the others keep their active model. */
  async setActive(dir: string): Promise<void> {
    const entry = this.list().find((m) => m.dir === dir) ?? describeFolder(dir, 'added');
    const byCap = {
      ...this.ctx.globalState.get<Partial<Record<Capability, string>>>(ACTIVE_BY_CAPABILITY_KEY, {}),
    };
    for (const cap of entry.capabilities) byCap[cap] = dir;
    await this.ctx.globalState.update(ACTIVE_BY_CAPABILITY_KEY, byCap);
    await this.ctx.globalState.update(ACTIVE_KEY, dir);
    this.changed.fire();
  }

  /**
   * Gives each capability in `previous` back to the model it had before `from` took it (a training's
   * *Switch back*); capabilities another model has taken since are left alone.
   */
  async restoreActive(previous: Partial<Record<Capability, string>>, from: string): Promise<void> {
    const byCap = {
      ...this.ctx.globalState.get<Partial<Record<Capability, string>>>(ACTIVE_BY_CAPABILITY_KEY, {}),
    };
    for (const cap of CAPABILITIES) {
      const d = previous[cap];
      if (d !== undefined && byCap[cap] === from) byCap[cap] = d;
    }
    await this.ctx.globalState.update(ACTIVE_BY_CAPABILITY_KEY, byCap);
    if (this.ctx.globalState.get<string>(ACTIVE_KEY) === from)
      await this.ctx.globalState.update(ACTIVE_KEY, previous.predictMask ?? Object.values(previous)[0]);
    this.changed.fire();
  }

  async add(dir: string): Promise<ModelEntry> {
    const e = describeFolder(dir, 'added');
    if (e.problem)
      throw new Error(
        vscode.l10n.t(
          '{0} cannot be added: {1}{2}',
          dir,
          e.problem.charAt(0).toLowerCase(),
          e.problem.slice(1),
        ),
      );
    const added = this.ctx.globalState.get<string[]>(ADDED_KEY, []);
    if (!added.includes(dir)) await this.ctx.globalState.update(ADDED_KEY, [...added, dir]);
    this.changed.fire();
    return e;
  }

  async remove(entry: ModelEntry): Promise<void> {
    if (entry.kind === 'stored') fs.rmSync(entry.dir, { recursive: true, force: true });
    const added = this.ctx.globalState.get<string[]>(ADDED_KEY, []);
    await this.ctx.globalState.update(
      ADDED_KEY,
      added.filter((d) => d !== entry.dir),
    );
    if (this.ctx.globalState.get<string>(ACTIVE_KEY) === entry.dir)
      await this.ctx.globalState.update(ACTIVE_KEY, undefined);
    const byCap = this.ctx.globalState.get<Partial<Record<Capability, string>>>(ACTIVE_BY_CAPABILITY_KEY, {});
    await this.ctx.globalState.update(
      ACTIVE_BY_CAPABILITY_KEY,
      Object.fromEntries(Object.entries(byCap).filter(([, d]) => d !== entry.dir)),
    );
    this.changed.fire();
  }

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
