// The Embedding Explorer: a webview view in the Pretrain Lab sidebar. It picks a model (word2vec, or a
// BERT's input embeddings), answers neighbour / analogy / search questions through the engine, sends
// vector tables (binary) for the webview to project, gathers contextual vectors of a word's occurrences
// in the workspace from a BERT, and mirrors the projection in a full-size editor-area panel. Every
// question of the webview is an RPC request: it gets its answer or an error with one sentence.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { VectorsAnswer, VectorsInfo, VectorsQuery } from '../../shared/configs';
import type { EngineResponses } from '../../shared/engineProtocol';
import {
  type ExplorerAnswers,
  type ExplorerContextual,
  type FromExplorer,
  isFromExplorer,
  type ToExplorer,
} from '../../shared/protocol/explorer';
import type { JobProgress } from '../../shared/protocol/training';
import { CancelledError, type RequestContext } from '../../shared/rpc';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import { ExplorerPlotPanel } from '../panels/explorerPlotPanel';
import { WebviewRpc } from '../panels/webviewRpc';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { contextualChoices, gatherContextual } from './explorerContextual';
import { ExplorerModels } from './explorerModels';

const MODEL_KEY = 'pretrainLab.explorerModel';
const NO_MODEL = vscode.l10n.t(
  'There is no model to explore yet; pretrain word2vec or add a model in the Models view.',
);

export class EmbeddingExplorer implements vscode.WebviewViewProvider, vscode.Disposable {
  static readonly viewId = 'pretrainLab.embeddings';
  private rpc: WebviewRpc<FromExplorer> | undefined;
  private ready = false;
  private pendingWord: { word: string; select: boolean } | undefined;
  private trainingState: { progress?: JobProgress; status?: string } | undefined;
  private occurrences: ExplorerContextual['occurrences'] = [];
  private readonly choices: ExplorerModels;
  readonly plot: ExplorerPlotPanel;
  private readonly subs: vscode.Disposable[] = [];
  private readonly viewSubs: vscode.Disposable[] = []; // of the current webview: replaced when it is resolved again
  // for tests and the closing notes: what the view last showed
  lastInfo: VectorsInfo | undefined;
  lastAnswer: VectorsAnswer | undefined;
  lastQuery: VectorsQuery | undefined; // the question lastAnswer answers
  lastContextual: ExplorerContextual | undefined;
  lastExport: string | undefined;
  lastError: { message: string; at: number } | undefined; // the last failure the view was sent
  nextExportPath: string | undefined; // a scripted save target instead of the dialog (tests)

  constructor(
    private readonly ctx: vscode.ExtensionContext,
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
  ) {
    this.choices = new ExplorerModels(models);
    this.plot = new ExplorerPlotPanel(ctx.extensionUri, {
      select: (word) => this.selectWord(word),
      showExplorer: () => this.reveal(),
      openChanged: (open) => this.push({ type: 'plotOpen', open }),
    });
    this.subs.push(
      this.plot,
      models.onDidChange(() => this.onModelsChanged()),
      vscode.commands.registerCommand('pretrainLab.openExplorerPlot', () => this.openPlot()),
      vscode.window.registerWebviewPanelSerializer(ExplorerPlotPanel.viewType, {
        deserializeWebviewPanel: async (panel) => this.plot.attach(panel),
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.ready = false;
    for (const s of this.viewSubs.splice(0)) s.dispose();
    const rpc = new WebviewRpc(
      view.webview,
      isFromExplorer,
      (m, c) => this.onRequest(m, c),
      (s) => log().warn(s),
    );
    this.rpc = rpc;
    view.webview.options = webviewOptions(this.ctx.extensionUri);
    view.webview.html = webviewHtml(
      view.webview,
      this.ctx.extensionUri,
      'explorer',
      vscode.l10n.t('Embedding Explorer'),
    );
    this.viewSubs.push(
      rpc,
      view.onDidDispose(() => {
        this.ready = false;
        rpc.dispose();
      }),
      view.onDidChangeVisibility(() => {
        // a hidden view loses its page (retainContextWhenHidden is off) and says 'ready' again
        if (!view.visible) {
          this.ready = false;
          rpc.reset();
        }
      }),
    );
  }

  get isReady(): boolean {
    return this.ready;
  }

  /** Engine calls the explorer is waiting for (tests wait for one before they break something). */
  get pendingCalls(): number {
    return this.choices.pending;
  }

  /** Tells the view something. Training progress and state it asks for again when ready are not queued. */
  private push(m: ToExplorer): void {
    if (this.ready) this.rpc?.notify(m);
  }

  private selected() {
    const models = this.choices.list();
    const chosen = this.ctx.globalState.get<string>(MODEL_KEY);
    return models.find((m) => m.id === chosen) ?? models[0];
  }

  selectedModel(): string | undefined {
    return this.selected()?.id;
  }

  private pushModels(): void {
    this.push({
      type: 'models',
      models: this.choices.list(),
      selected: this.selectedModel(),
      ...contextualChoices(this.models, this.lastContextual?.modelId),
    });
  }

  private onModelsChanged(): void {
    const before = this.selectedModel();
    this.choices.refresh(); // fails the calls to a removed model, with one sentence
    this.pushModels();
    const now = this.selectedModel();
    if (now !== before && now) void this.sendInfo(now);
    const shown = this.plot.model;
    if (shown && !this.choices.find(shown))
      this.plot.clear(
        vscode.l10n.t(
          'The model of these points was removed; choose another model in the Embedding Explorer.',
        ),
      );
  }

  private async onRequest(m: FromExplorer, rc: RequestContext): Promise<unknown> {
    try {
      return await this.answer(m, rc);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!(e instanceof CancelledError)) {
        this.lastError = { message, at: Date.now() };
        log().warn(`Embedding Explorer: ${message}`);
      }
      throw e;
    }
  }

  /** Answers one request of the view; the answer's type per request is ExplorerAnswers. */
  private async answer(m: FromExplorer, rc: RequestContext): Promise<unknown> {
    switch (m.type) {
      case 'ready': {
        this.ready = true;
        this.pushModels();
        if (this.plot.isOpen) this.push({ type: 'plotOpen', open: true });
        const sel = this.selectedModel();
        if (sel) void this.sendInfo(sel);
        if (this.trainingState) this.push({ type: 'training', ...this.trainingState });
        if (this.lastContextual) this.push({ type: 'contextual', data: this.lastContextual });
        if (this.pendingWord) {
          const { word, select } = this.pendingWord;
          this.push(select ? { type: 'selectWord', word } : { type: 'focusWord', word });
          this.pendingWord = undefined;
        }
        return undefined;
      }
      case 'selectModel': {
        const entry = this.choices.find(m.model);
        if (!entry) throw new Error(vscode.l10n.t('That model is no longer listed; choose another one.'));
        await this.ctx.globalState.update(MODEL_KEY, m.model);
        return this.info(m.model, rc);
      }
      case 'query': {
        const model = this.requireModel();
        const r = await this.choices.ask(model, rc, (token) =>
          this.engine.call({ type: 'vectorsQuery', model, query: m.query }, { token }),
        );
        this.lastQuery = m.query;
        this.lastAnswer = r;
        return r satisfies ExplorerAnswers['query'];
      }
      case 'table': {
        const model = this.requireModel();
        const t = await this.choices.ask(model, rc, (token) =>
          this.engine.call({ type: 'vectorsTable', model, words: m.words, top: m.top }, { token }),
        );
        return t satisfies ExplorerAnswers['table'];
      }
      case 'contextual':
        return (await this.gather(m.word, m.layer, rc, m.model)) satisfies ExplorerAnswers['contextual'];
      case 'openOccurrence':
        await this.openOccurrence(m.index);
        return undefined;
      case 'export':
        return this.exportProjection(m.format, m.data);
      case 'pretrain':
        // not awaited: the command runs the whole training, far longer than the view waits for an answer
        vscode.commands.executeCommand('pretrainLab.pretrainWord2vec').then(undefined, (e: Error) => {
          void vscode.window.showErrorMessage(e.message);
        });
        return undefined;
      case 'plot': {
        const entry = this.choices.find(m.plot.model);
        if (entry) this.plot.update(m.plot, entry.name);
        return undefined;
      }
      case 'marks':
        this.plot.setMarks(m.marks);
        return undefined;
      case 'openPlot':
        this.openPlot();
        return undefined;
    }
  }

  private requireModel(): string {
    const model = this.selectedModel();
    if (!model) throw new Error(NO_MODEL);
    return model;
  }

  private async info(model: string, rc?: RequestContext): Promise<VectorsInfo> {
    const info: EngineResponses['vectorsInfo'] = await this.choices.ask(model, rc, (token) =>
      this.engine.call({ type: 'vectorsInfo', model }, { token }),
    );
    this.lastInfo = info;
    return info;
  }

  /** Sends the view the model's summary (a change it did not ask for); a failure is shown there. */
  private async sendInfo(model: string): Promise<void> {
    try {
      this.push({ type: 'info', info: await this.info(model) });
    } catch (e) {
      const message = (e as Error).message;
      this.lastError = { message, at: Date.now() };
      this.push({ type: 'error', message });
    }
  }

  private async gather(
    word: string,
    layer: number,
    rc?: RequestContext,
    model?: string,
  ): Promise<ExplorerContextual> {
    const cts = new vscode.CancellationTokenSource();
    rc?.onCancel(() => cts.cancel());
    try {
      const data = await gatherContextual(
        this.engine,
        this.models,
        this.selected(),
        word,
        layer,
        cts.token,
        model,
      );
      this.occurrences = data.occurrences;
      this.lastContextual = data;
      return data;
    } finally {
      cts.dispose();
    }
  }

  /**
   * Every occurrence of a word in the workspace as its own vector of a contextual model (the one picked,
   * else the active one: a BERT or an ELMo), beside word2vec's single one.
   */
  async contextual(word: string, layer = 1000, model?: string): Promise<ExplorerContextual | undefined> {
    try {
      const data = await this.gather(word, layer, undefined, model);
      this.push({ type: 'contextual', data });
      return data;
    } catch (e) {
      const message = (e as Error).message;
      this.lastError = { message, at: Date.now() };
      this.push({ type: 'error', message });
      return undefined;
    }
  }

  /** Opens the source line of one occurrence of the last contextual view, the word selected. */
  async openOccurrence(index: number): Promise<void> {
    const o = this.occurrences[index];
    if (!o)
      throw new Error(vscode.l10n.t('That occurrence is no longer listed; show the occurrences again.'));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(o.file));
    const sel = new vscode.Selection(o.line, o.start, o.line, o.end);
    await vscode.window.showTextDocument(doc, { selection: sel, preview: true });
  }

  private async exportProjection(format: 'csv' | 'tsv', data: string): Promise<string | undefined> {
    let target = this.nextExportPath;
    this.nextExportPath = undefined;
    if (!target) {
      const ws = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({
        defaultUri: ws ? vscode.Uri.joinPath(ws, `projection.${format}`) : undefined,
        filters: format === 'csv' ? { CSV: ['csv'] } : { TSV: ['tsv'] },
        title: vscode.l10n.t('Export the projection'),
      });
      target = uri?.fsPath;
    }
    if (!target) return undefined;
    try {
      fs.writeFileSync(target, data);
    } catch (e) {
      throw new Error(
        vscode.l10n.t(
          'The projection could not be saved to {0} ({1}); choose another place.',
          target,
          (e as NodeJS.ErrnoException).code ?? (e as Error).message,
        ),
      );
    }
    this.lastExport = target;
    vscode.window.setStatusBarMessage(vscode.l10n.t('Pretrain Lab: projection saved to {0}', target), 4000);
    return target;
  }

  private async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${EmbeddingExplorer.viewId}.focus`);
  }

  /** Opens the projection in a full-size editor-area panel that follows the sidebar. */
  openPlot(): void {
    this.plot.show();
    // the sidebar is where points are made: bring it up so it can send them
    if (!this.ready) void this.reveal();
  }

  /** A word picked in the editor-area plot: the sidebar selects it and sends back its neighbours. */
  private selectWord(word: string): void {
    if (this.ready) this.push({ type: 'selectWord', word });
    else {
      this.pendingWord = { word, select: true };
      void this.reveal();
    }
  }

  /** Opens the view on a word (from the editor). */
  async focusWord(word: string): Promise<void> {
    await this.reveal();
    if (this.ready) this.push({ type: 'focusWord', word });
    else this.pendingWord = { word, select: false };
  }

  /** Opens the model in the view, and reveals and focuses the view (a message may say it is open there). */
  async showModel(dir: string): Promise<void> {
    await this.ctx.globalState.update(MODEL_KEY, dir);
    await this.reveal();
    this.pushModels();
    if (this.ready) await this.sendInfo(dir);
  }

  training(state: { progress?: JobProgress; status?: string }): void {
    this.trainingState = { ...this.trainingState, ...state };
    this.push({ type: 'training', ...state });
  }

  dispose(): void {
    for (const s of this.viewSubs.splice(0)) s.dispose();
    for (const s of this.subs.splice(0)) s.dispose();
  }
}
