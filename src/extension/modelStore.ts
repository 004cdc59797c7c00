// Where models live and which one is active: the starter model shipped with the extension, models in
// the storage folder (global storage, or the workspace by setting), and folders the user added.
// Reads only JSON metadata; weights are the engine's business.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainProgress } from '../shared/configs';

export interface ModelEntry {
  dir: string; // a folder, or a vector file (.vec, .bin, .txt, .tsv) for imported word vectors
  name: string;
  kind: 'starter' | 'stored' | 'added';
  type: 'bert' | 'word2vec';
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

const ACTIVE_KEY = 'pretrainLab.activeModel';
const ADDED_KEY = 'pretrainLab.addedModels';

function readJson(file: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const VECTOR_FILE = /\.(vec|bin|txt|tsv)$/i;

/** A word2vec text/binary file or Projector TSV: its size from the header, without reading it all. */
function describeVectorFile(file: string, kind: ModelEntry['kind']): ModelEntry {
  const e: ModelEntry = { dir: file, name: path.basename(file), kind, type: 'word2vec' };
  try {
    const fd = fs.openSync(file, 'r');
    const b = Buffer.alloc(256);
    const n = fs.readSync(fd, b, 0, 256, 0);
    fs.closeSync(fd);
    const head = b.subarray(0, n).toString('latin1').split('\n')[0].trim().split(/\s+/);
    if (head.length === 2 && /^\d+$/.test(head[0]) && /^\d+$/.test(head[1])) {
      e.vocabSize = Number(head[0]);
      e.dim = Number(head[1]);
    } else if (/\.tsv$/i.test(file))
      e.dim = b.subarray(0, n).toString('latin1').split('\n')[0].split('\t').length;
    else if (head.length < 2) return { ...e, problem: 'It does not look like a word-vector file.' };
  } catch {
    return { ...e, problem: 'The file cannot be read.' };
  }
  return e;
}

export function describeFolder(dir: string, kind: ModelEntry['kind']): ModelEntry {
  const e: ModelEntry = { dir, name: path.basename(dir), kind, type: 'bert' };
  if (!fs.existsSync(dir)) return { ...e, problem: 'The folder no longer exists.' };
  if (fs.statSync(dir).isFile()) {
    if (VECTOR_FILE.test(dir)) return describeVectorFile(dir, kind);
    return {
      ...e,
      problem: 'Only model folders and word-vector files (.vec, .bin, .txt, .tsv) can be added.',
    };
  }
  const cfg = readJson(path.join(dir, 'config.json'));
  if (!cfg) return { ...e, problem: 'config.json is missing or not valid JSON.' };
  if (cfg.format === 'pretrain-lab/word2vec') {
    const o = (cfg.options ?? {}) as Record<string, unknown>;
    Object.assign(e, {
      type: 'word2vec',
      algo: typeof o.algo === 'string' ? o.algo : undefined,
      dim: typeof cfg.dim === 'number' ? cfg.dim : undefined,
      vocabSize: typeof cfg.vocabSize === 'number' ? cfg.vocabSize : undefined,
      corpus: Array.isArray(cfg.corpus) ? (cfg.corpus as string[]) : undefined,
      epochs: typeof o.epochs === 'number' ? o.epochs : undefined,
    });
    const st =
      readJson(path.join(dir, 'checkpoint', 'state.json')) ??
      readJson(path.join(dir, 'checkpoint.old', 'state.json'));
    if (!st) return { ...e, problem: 'No epoch has finished yet.' };
    e.epochsDone = typeof st.epochsDone === 'number' ? st.epochsDone : undefined;
    e.epochLosses = Array.isArray(st.epochLosses) ? (st.epochLosses as number[]) : undefined;
    return e;
  }
  if (fs.existsSync(path.join(dir, 'vectors.bin')))
    return { ...describeVectorFile(path.join(dir, 'vectors.bin'), kind), dir };
  if (cfg.format !== 'pretrain-lab/bert')
    return { ...e, problem: 'This folder was not written by Pretrain Lab.' };
  const bert = (cfg.bert ?? {}) as Record<string, number>;
  Object.assign(e, {
    preset: typeof cfg.preset === 'string' ? cfg.preset : undefined,
    layers: bert.numLayers,
    hidden: bert.hiddenSize,
    heads: bert.numHeads,
    vocabSize: bert.vocabSize,
    corpus: Array.isArray(cfg.corpus) ? (cfg.corpus as string[]) : undefined,
  });
  const state =
    readJson(path.join(dir, 'checkpoint', 'trainer_state.json')) ??
    readJson(path.join(dir, 'checkpoint.old', 'trainer_state.json'));
  if (!state) return { ...e, problem: 'It has no checkpoint yet.' };
  e.steps = typeof state.step === 'number' ? state.step : undefined;
  e.totalSteps = typeof state.totalSteps === 'number' ? state.totalSteps : undefined;
  e.metrics = (state.lastMetrics as Partial<TrainProgress> | undefined) ?? undefined;
  return e;
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
    const where = vscode.workspace.getConfiguration('pretrainLab').get<string>('storage', 'global');
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
   * The active model: the chosen one while it is usable (a word2vec model too: Predict Mask and
   * attention then say they need a BERT), else the newest usable BERT, else the starter.
   */
  active(): ModelEntry | undefined {
    const all = this.list().filter((m) => !m.problem);
    const chosen = this.ctx.globalState.get<string>(ACTIVE_KEY);
    const bert = all.filter((m) => m.type === 'bert');
    return all.find((m) => m.dir === chosen) ?? bert.find((m) => m.kind !== 'starter') ?? bert[0];
  }

  /** The active model if it is a BERT, else the newest usable BERT (for contextual vectors). */
  activeBert(): ModelEntry | undefined {
    const a = this.active();
    if (a?.type === 'bert') return a;
    const bert = this.list().filter((m) => !m.problem && m.type === 'bert');
    return bert.find((m) => m.kind !== 'starter') ?? bert[0];
  }

  async setActive(dir: string): Promise<void> {
    await this.ctx.globalState.update(ACTIVE_KEY, dir);
    this.changed.fire();
  }

  async add(dir: string): Promise<ModelEntry> {
    const e = describeFolder(dir, 'added');
    if (e.problem)
      throw new Error(`${dir} cannot be added: ${e.problem.charAt(0).toLowerCase()}${e.problem.slice(1)}`);
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
    this.changed.fire();
  }

  refresh(): void {
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
