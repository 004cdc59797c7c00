// Where models live and which one is active: the starter model shipped with the extension, models in
// the storage folder (global storage, or the workspace by setting), and folders the user added.
// Reads only JSON metadata; weights are the engine's business.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TrainProgress } from '../shared/configs';

export interface ModelEntry {
  dir: string;
  name: string;
  kind: 'starter' | 'stored' | 'added';
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

export function describeFolder(dir: string, kind: ModelEntry['kind']): ModelEntry {
  const e: ModelEntry = { dir, name: path.basename(dir), kind };
  if (!fs.existsSync(dir)) return { ...e, problem: 'The folder no longer exists.' };
  const cfg = readJson(path.join(dir, 'config.json'));
  if (!cfg) return { ...e, problem: 'config.json is missing or not valid JSON.' };
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
        if (fs.statSync(d).isDirectory() && !n.startsWith('.')) out.push(describeFolder(d, 'stored'));
      }
    }
    for (const d of this.ctx.globalState.get<string[]>(ADDED_KEY, [])) {
      if (!out.some((m) => m.dir === d)) out.push(describeFolder(d, 'added'));
    }
    return out;
  }

  /** The active model: the chosen one while it is usable, else the newest usable, else the starter. */
  active(): ModelEntry | undefined {
    const all = this.list().filter((m) => !m.problem);
    const chosen = this.ctx.globalState.get<string>(ACTIVE_KEY);
    return all.find((m) => m.dir === chosen) ?? all.find((m) => m.kind !== 'starter') ?? all[0];
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
