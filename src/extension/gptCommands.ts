// The GPT commands and their panel, wired in one place so extension.ts adds one line: Pretrain GPT,
// Generate from Here (with Stop Generating on Escape) and Show Next Tokens, and the warm-up that keeps
// the active GPT and masked LM loaded in the engine (pretrainLab.gptWarmUpSettled and
// pretrainLab.maskedWarmUpSettled, not in the palette, await it).
import * as vscode from 'vscode';
import { GenerateCommand } from './commands/generate';
import { NextTokensCommand } from './commands/nextTokens';
import { type PretrainGptArgs, pretrainGptCommand } from './commands/pretrainGpt';
import type { EngineClient } from './engineClient';
import type { JobController } from './jobs/controller';
import type { ModelStore } from './modelStore';
import { ModelWarmUp } from './modelWarmUp';
import { NextTokensPanel } from './panels/nextTokensPanel';

export function registerGpt(
  extensionUri: vscode.Uri,
  engine: EngineClient,
  models: ModelStore,
  training: JobController,
): vscode.Disposable[] {
  const panel = new NextTokensPanel(extensionUri);
  const generate = new GenerateCommand(engine, models);
  const nextTokens = new NextTokensCommand(engine, models, panel);
  const warmUp = new ModelWarmUp(engine, models);
  return [
    panel,
    generate,
    warmUp,
    vscode.commands.registerCommand('pretrainLab.gptWarmUpSettled', () => warmUp.settled()),
    vscode.commands.registerCommand('pretrainLab.maskedWarmUpSettled', () => warmUp.settled('predictMask')),
    vscode.commands.registerCommand('pretrainLab.pretrainGpt', (args?: PretrainGptArgs) =>
      pretrainGptCommand(training, models, args),
    ),
    vscode.commands.registerCommand('pretrainLab.generate', () => generate.run()),
    vscode.commands.registerCommand('pretrainLab.stopGenerating', () => generate.stop()),
    vscode.commands.registerCommand('pretrainLab.showNextTokens', () => nextTokens.run()),
    vscode.window.registerWebviewPanelSerializer(NextTokensPanel.viewType, {
      deserializeWebviewPanel: async (p) => panel.attach(p),
    }),
  ];
}
