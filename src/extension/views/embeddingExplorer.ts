// The Embedding Explorer: a webview view in the Pretrain Lab sidebar. It picks a model (word2vec, or a
// BERT's input embeddings), answers neighbour / analogy / search questions through the engine, sends
// vector tables (binary) for the webview to project, and gathers contextual vectors of a word's
// occurrences in the workspace from a BERT.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { VectorsAnswer, VectorsInfo, W2vProgress } from '../../shared/configs';
import type { EngineResponses } from '../../shared/engineProtocol';
import {
  type ExplorerContextual,
  type ExplorerModel,
  type FromExplorer,
  isFromExplorer,
  type ToExplorer,
} from '../../shared/webviewProtocol';
import type { EngineClient } from '../engineClient';
import type { ModelEntry, ModelStore } from '../modelStore';
import { webviewHtml, webviewOptions } from '../webviewHtml';

const MODEL_KEY = 'pretrainLab.explorerModel';

export class EmbeddingExplorer implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'pretrainLab.embeddings';
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private queue: ToExplorer[] = [];
  private pendingWord: string | undefined;
  private trainingState: { progress?: W2vProgress; status?: string } | undefined;
  private occurrences: ExplorerContextual['occurrences'] = [];
  private available: ExplorerModel[] | undefined; // explorerModels(), until the store changes
  private readonly subs: vscode.Disposable[] = [];
  // for tests and the closing notes: what the view last showed
  lastInfo: VectorsInfo | undefined;
  lastAnswer: VectorsAnswer | undefined;
  lastContextual: ExplorerContextual | undefined;
  lastExport: string | undefined;
  nextExportPath: string | undefined; // a scripted save target instead of the dialog (tests)

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
  ) {
    this.subs.push(
      models.onDidChange(() => {
        this.available = undefined;
        this.postModels();
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = webviewOptions(this.ctx.extensionUri);
    view.webview.html = webviewHtml(view.webview, this.ctx.extensionUri, 'explorer', 'Embedding Explorer');
    this.subs.push(
      view.webview.onDidReceiveMessage((m: unknown) => {
        if (!isFromExplorer(m)) return;
        void this.onMessage(m).catch((e: Error) => this.post({ type: 'error', message: e.message }));
      }),
      view.onDidDispose(() => {
        this.view = undefined;
        this.ready = false;
      }),
      view.onDidChangeVisibility(() => {
        if (!view.visible) this.ready = false;
      }),
    );
  }

  get isReady(): boolean {
    return this.ready;
  }

  private post(m: ToExplorer): void {
    if (this.view && this.ready) void this.view.webview.postMessage(m);
    // training progress is not queued: the latest state is replayed when the view comes up
    else if (m.type !== 'training') this.queue.push(m);
  }

  /**
   * Usable models the explorer can open, word2vec ones first, then BERTs (input embeddings). Read
   * from the model folders when the store changes, not on every question the view asks.
   */
  private explorerModels(): ExplorerModel[] {
    if (!this.available) {
      const all = this.models.list().filter((m) => !m.problem);
      const w2v = all.filter((m) => m.type === 'word2vec');
      const bert = all.filter((m) => m.type === 'bert');
      this.available = [...w2v, ...bert].map((m) => ({
        id: m.dir,
        name: m.name,
        kind: m.type,
        detail: detail(m),
      }));
    }
    return this.available;
  }

  private selected(): ExplorerModel | undefined {
    const models = this.explorerModels();
    const chosen = this.ctx.globalState.get<string>(MODEL_KEY);
    return models.find((m) => m.id === chosen) ?? models[0];
  }

  selectedModel(): string | undefined {
    return this.selected()?.id;
  }

  private postModels(): void {
    this.post({ type: 'models', models: this.explorerModels(), selected: this.selectedModel() });
  }

  private async onMessage(m: FromExplorer): Promise<void> {
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        const q = this.queue.splice(0).filter((x) => x.type !== 'models' && x.type !== 'info');
        this.postModels();
        const sel = this.selectedModel();
        if (sel) await this.sendInfo(sel);
        for (const x of q) this.post(x);
        if (this.trainingState) this.post({ type: 'training', ...this.trainingState });
        if (this.pendingWord) {
          this.post({ type: 'focusWord', word: this.pendingWord });
          this.pendingWord = undefined;
        }
        return;
      }
      case 'selectModel': {
        if (!this.explorerModels().some((x) => x.id === m.model)) return;
        await this.ctx.globalState.update(MODEL_KEY, m.model);
        await this.sendInfo(m.model);
        return;
      }
      case 'query': {
        const model = this.selectedModel();
        if (!model) return;
        const r: EngineResponses['vectorsQuery'] = await this.engine.call({
          type: 'vectorsQuery',
          model,
          query: m.query,
        });
        this.lastAnswer = r;
        this.post({ type: 'answer', id: m.id, answer: r });
        return;
      }
      case 'table': {
        const model = this.selectedModel();
        if (!model) return;
        try {
          const t: EngineResponses['vectorsTable'] = await this.engine.call({
            type: 'vectorsTable',
            model,
            words: m.words,
            top: m.top,
          });
          this.post({ type: 'table', id: m.id, table: t });
        } catch (e) {
          this.post({ type: 'error', id: m.id, message: (e as Error).message });
        }
        return;
      }
      case 'contextual':
        await this.contextual(m.word, m.layer);
        return;
      case 'openOccurrence':
        await this.openOccurrence(m.index);
        return;
      case 'export': {
        let target = this.nextExportPath;
        this.nextExportPath = undefined;
        if (!target) {
          const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
          const uri = await vscode.window.showSaveDialog({
            defaultUri: ws ? vscode.Uri.joinPath(ws, `projection.${m.format}`) : undefined,
            filters: m.format === 'csv' ? { CSV: ['csv'] } : { TSV: ['tsv'] },
            title: 'Export the projection',
          });
          target = uri?.fsPath;
        }
        if (!target) return;
        fs.writeFileSync(target, m.data);
        this.lastExport = target;
        vscode.window.setStatusBarMessage(`Pretrain Lab: projection saved to ${target}`, 4000);
        return;
      }
      case 'pretrain':
        await vscode.commands.executeCommand('pretrainLab.pretrainWord2vec');
        return;
    }
  }

  private async sendInfo(model: string): Promise<void> {
    try {
      const info: EngineResponses['vectorsInfo'] = await this.engine.call({ type: 'vectorsInfo', model });
      this.lastInfo = info;
      this.post({ type: 'info', info });
    } catch (e) {
      this.post({ type: 'error', message: (e as Error).message });
    }
  }

  /** Every occurrence of a word in the workspace as its own BERT vector, beside word2vec's single one. */
  async contextual(word: string, layer = 1000): Promise<ExplorerContextual | undefined> {
    const bert = this.models.activeBert();
    if (!bert) {
      this.post({
        type: 'error',
        message: 'Contextual vectors need a BERT model; pretrain one or add one in the Models view.',
      });
      return undefined;
    }
    const glob = vscode.workspace.getConfiguration('pretrainLab').get<string>('corpusGlob', '**/*.{txt,md}');
    const files = (
      await vscode.workspace.findFiles(glob, '**/{node_modules,.git,.pretrain-lab}/**', 5000)
    ).map((u) => u.fsPath);
    if (files.length === 0) {
      this.post({
        type: 'error',
        message: `No workspace file matches ${glob}; open a folder with text files.`,
      });
      return undefined;
    }
    try {
      const r: EngineResponses['contextual'] = await this.engine.call({
        type: 'contextual',
        modelDir: bert.dir,
        word,
        files,
        layer,
        max: 400,
      });
      const ws = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      const data: ExplorerContextual = {
        word: r.word,
        layer: r.layer,
        layers: r.layers,
        dim: r.dim,
        bertModel: bert.name,
        occurrences: r.occurrences.map((o) => ({
          ...o,
          label: `${ws ? path.relative(ws, o.file) : path.basename(o.file)}:${o.line + 1}`,
        })),
        vectors: r.vectors,
        total: r.total,
        notice: r.notice,
      };
      const entry = this.selected();
      if (entry?.kind === 'word2vec') {
        const a: EngineResponses['vectorsQuery'] = await this.engine.call({
          type: 'vectorsQuery',
          model: entry.id,
          query: { op: 'neighbours', word, k: 8 },
        });
        data.staticModel = entry.name;
        data.staticNeighbours = a.neighbours;
        data.staticError = a.error;
      }
      this.occurrences = data.occurrences;
      this.lastContextual = data;
      this.post({ type: 'contextual', data });
      return data;
    } catch (e) {
      this.post({ type: 'error', message: (e as Error).message });
      return undefined;
    }
  }

  /** Opens the source line of one occurrence of the last contextual view, the word selected. */
  async openOccurrence(index: number): Promise<void> {
    const o = this.occurrences[index];
    if (!o) return;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(o.file));
    const sel = new vscode.Selection(o.line, o.start, o.line, o.end);
    await vscode.window.showTextDocument(doc, { selection: sel, preview: true });
  }

  /** Opens the view on a word (from the editor). */
  async focusWord(word: string): Promise<void> {
    await vscode.commands.executeCommand(`${EmbeddingExplorer.viewId}.focus`);
    if (this.ready) this.post({ type: 'focusWord', word });
    else this.pendingWord = word;
  }

  async showModel(dir: string): Promise<void> {
    await this.ctx.globalState.update(MODEL_KEY, dir);
    this.postModels();
    if (this.ready) await this.sendInfo(dir);
  }

  training(state: { progress?: W2vProgress; status?: string }): void {
    this.trainingState = { ...this.trainingState, ...state };
    this.post({ type: 'training', ...state });
  }

  dispose(): void {
    for (const s of this.subs.splice(0)) s.dispose();
  }
}

function detail(m: ModelEntry): string {
  if (m.type === 'bert')
    return `BERT input embeddings · ${m.vocabSize ?? '?'} WordPieces · ${m.hidden ?? '?'}d`;
  const algo = m.algo === 'cbow' ? 'CBOW' : m.algo === 'skipgram' ? 'skip-gram' : 'vectors';
  return `word2vec ${algo} · ${m.vocabSize?.toLocaleString('en') ?? '?'} words · ${m.dim ?? '?'}d`;
}

/** The word under the selection or the cursor in an editor. */
export function wordAt(editor: vscode.TextEditor): string | undefined {
  const sel = editor.selection;
  if (!sel.isEmpty) return editor.document.getText(sel).trim().split(/\s+/)[0];
  const pos = sel.active;
  const line = editor.document.lineAt(pos.line).text;
  // Chinese has no spaces: without a selection, the character under the cursor
  for (const at of [pos.character, pos.character - 1]) {
    const ch = line.charAt(at);
    if (/[\u3400-\u9fff\uf900-\ufaff]/.test(ch)) return ch;
  }
  const range = editor.document.getWordRangeAtPosition(pos, /[\p{L}\p{N}_'-]+/u);
  return range ? editor.document.getText(range) : undefined;
}
