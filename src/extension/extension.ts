// Wiring only: each command, view and panel lives in its own file.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { type BackendChoice, DEFAULT_SETTINGS } from '../shared/configs';
import { configureL10n } from '../shared/l10nCore';
import { TaskSelectionCommands } from './commands/classifySelection';
import { type CompareArgs, compareRunsCommand } from './commands/compareRuns';
import { registerHubCommands } from './commands/downloadModel';
import { type FinetuneArgs, finetuneCommand } from './commands/finetune';
import { registerModelCommands } from './commands/models';
import { PredictMaskCommand } from './commands/predictMask';
import { type PretrainArgs, pretrainBertCommand } from './commands/pretrainBert';
import { type PretrainElmoArgs, pretrainElmoCommand } from './commands/pretrainElmo';
import { pretrainWord2vecCommand, type Word2vecArgs } from './commands/pretrainWord2vec';
import { ShowAttentionCommand } from './commands/showAttention';
import { ShowElmoLayersCommand } from './commands/showElmoLayers';
import { registerWalkthrough } from './commands/walkthrough';
import { EngineClient } from './engineClient';
import { registerGpt } from './gptCommands';
import { JobController } from './jobs/controller';
import { setTranslator } from './l10n';
import { log } from './log';
import { ModelStore } from './modelStore';
import { AttentionPanel } from './panels/attentionPanel';
import { ElmoPanel } from './panels/elmoPanel';
import { FinetunePanel } from './panels/finetunePanel';
import { PredictPanel } from './panels/predictPanel';
import { TrainingPanel } from './panels/trainingPanel';
import { registerSeq2seq } from './seq2seqCommands';
import { StatusBar } from './statusBar';
import { EmbeddingExplorer } from './views/embeddingExplorer';
import { ModelsView } from './views/modelsView';
import { wordAt } from './views/wordAt';

export interface PretrainLabApi {
  engine: EngineClient;
  models: ModelStore;
  training: JobController; // every training job, whatever its kind
  predict: PredictMaskCommand;
  attention: ShowAttentionCommand;
  explorer: EmbeddingExplorer;
  finetunePanel: FinetunePanel; // what the Fine-tune panel shows (runs, compare)
  taskSelection: TaskSelectionCommands; // Classify / Tag Selection
}

export function activate(ctx: vscode.ExtensionContext): PretrainLabApi {
  // messages of the modules that unit tests load without VS Code (jobs/...) follow the display language
  setTranslator((message, ...args) => vscode.l10n.t(message, ...args));
  configureL10n(vscode.l10n.bundle); // and the labels and sentences of src/shared (src/shared/l10nCore.ts)
  const backend = () =>
    vscode.workspace.getConfiguration('pretrainLab').get<BackendChoice>('backend', DEFAULT_SETTINGS.backend);
  const engine = new EngineClient(ctx.extensionPath, backend);
  const models = new ModelStore(ctx);
  const predictPanel = new PredictPanel(ctx.extensionUri);
  const trainingPanel = new TrainingPanel(ctx.extensionUri);
  const training = new JobController(engine, models, trainingPanel);
  const predict = new PredictMaskCommand(engine, models, predictPanel);
  const modelsView = new ModelsView(models);
  const attentionPanel = new AttentionPanel(ctx.extensionUri);
  const attention = new ShowAttentionCommand(engine, models, attentionPanel);
  const elmoPanel = new ElmoPanel(ctx.extensionUri);
  const elmoLayers = new ShowElmoLayersCommand(engine, models, elmoPanel);
  const explorer = new EmbeddingExplorer(ctx, engine, models);
  const finetunePanel = new FinetunePanel(ctx.extensionUri);
  const taskSelection = new TaskSelectionCommands(engine, models);
  ctx.subscriptions.push(
    log(),
    engine,
    models,
    predictPanel,
    trainingPanel,
    training,
    modelsView,
    attentionPanel,
    attention,
    finetunePanel,
    taskSelection,
    predict,
    new StatusBar(engine, training, models),
    vscode.window.registerTreeDataProvider('pretrainLab.models', modelsView),
    explorer,
    vscode.window.registerWebviewViewProvider(EmbeddingExplorer.viewId, explorer),
    vscode.commands.registerCommand('pretrainLab.pretrainWord2vec', (args?: Word2vecArgs) =>
      pretrainWord2vecCommand(training, models, explorer, args),
    ),
    vscode.commands.registerCommand('pretrainLab.showInEmbeddingExplorer', async (word?: string) => {
      const editor = vscode.window.activeTextEditor;
      const w = typeof word === 'string' ? word : editor ? wordAt(editor) : undefined;
      if (!w) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t('Put the cursor on a word, or select one, to show it in the Embedding Explorer.'),
        );
        return;
      }
      await explorer.focusWord(w);
    }),
    vscode.commands.registerCommand('pretrainLab.openInExplorer', async (arg?: { dir?: string }) => {
      if (arg?.dir) await explorer.showModel(arg.dir);
      await vscode.commands.executeCommand(`${EmbeddingExplorer.viewId}.focus`);
    }),
    vscode.commands.registerCommand('pretrainLab.predictMask', () => predict.run()),
    vscode.commands.registerCommand(
      'pretrainLab.applyCandidate',
      (maskIndex: number, candidateIndex: number) => predict.apply(maskIndex, candidateIndex),
    ),
    vscode.commands.registerCommand('pretrainLab.showAttention', () => attention.run()),
    vscode.commands.registerCommand('pretrainLab.exportAttentionJson', (file: string) =>
      attention.exportJson(file),
    ),
    elmoPanel,
    vscode.commands.registerCommand('pretrainLab.pretrainElmo', (args?: PretrainElmoArgs) =>
      pretrainElmoCommand(training, models, args),
    ),
    vscode.commands.registerCommand('pretrainLab.showElmoLayers', () => elmoLayers.run()),
    vscode.window.registerWebviewPanelSerializer(ElmoPanel.viewType, {
      deserializeWebviewPanel: async (panel) => elmoPanel.attach(panel),
    }),
    ...registerGpt(ctx.extensionUri, engine, models, training),
    ...registerSeq2seq(engine, models, training, path.join(ctx.extensionPath, 'sample', 'tasks')),
    vscode.commands.registerCommand('pretrainLab.pretrainBert', (args?: PretrainArgs) =>
      pretrainBertCommand(training, models, args),
    ),
    vscode.commands.registerCommand('pretrainLab.finetune', (args?: FinetuneArgs) =>
      finetuneCommand(
        training,
        models,
        ctx.globalState,
        path.join(ctx.extensionPath, 'sample', 'tasks'),
        finetunePanel,
        args,
      ),
    ),
    vscode.commands.registerCommand('pretrainLab.compareRuns', (args?: CompareArgs) =>
      compareRunsCommand(models, finetunePanel, args),
    ),
    vscode.commands.registerCommand('pretrainLab.classifySelection', () => taskSelection.classify()),
    vscode.commands.registerCommand('pretrainLab.tagSelection', () => taskSelection.tag()),
    vscode.commands.registerCommand('pretrainLab.clearTags', () => taskSelection.clear()),
    vscode.window.registerWebviewPanelSerializer(FinetunePanel.viewType, {
      deserializeWebviewPanel: async (panel) => finetunePanel.attach(panel),
    }),
    vscode.commands.registerCommand('pretrainLab.showTraining', () => trainingPanel.show(false)),
    vscode.commands.registerCommand('pretrainLab.cancelTraining', () => training.cancel()),
    vscode.commands.registerCommand('pretrainLab.showLog', () => log().show()),
    vscode.commands.registerCommand('pretrainLab.crashEngine', () =>
      engine.call({ type: 'crash' }).catch((e: Error) => e.message),
    ),
    ...registerModelCommands(models),
    ...registerHubCommands(engine, models, ctx.secrets),
    ...registerWalkthrough(ctx.extensionPath),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('pretrainLab.backend')) {
        log().info(`Backend setting changed to ${backend()}; restarting the engine.`);
        void engine.restart().then(() => engine.warmUp());
      }
      if (e.affectsConfiguration('pretrainLab.storage')) models.refresh();
    }),
    vscode.window.registerWebviewPanelSerializer(TrainingPanel.viewType, {
      deserializeWebviewPanel: async (panel) => trainingPanel.attach(panel),
    }),
    vscode.window.registerWebviewPanelSerializer(AttentionPanel.viewType, {
      deserializeWebviewPanel: async (panel) => attentionPanel.attach(panel),
    }),
    vscode.window.registerWebviewPanelSerializer(PredictPanel.viewType, {
      deserializeWebviewPanel: async (panel) => predictPanel.attach(panel),
    }),
  );
  // the engine (a worker thread) starts on first use; the status bar names its backend from then on
  log().info('Pretrain Lab activated.');
  return { engine, models, training, predict, attention, explorer, finetunePanel, taskSelection };
}

export function deactivate(): void {}
