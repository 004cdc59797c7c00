// The seq2seq commands, wired in one place so extension.ts adds one line: the Generation fine-tune
// wizard (also reached from Fine-tune…) and Rewrite Selection.
import * as vscode from 'vscode';
import { finetuneSeq2seqCommand, type Seq2seqArgs } from './commands/finetuneSeq2seq';
import { RewriteCommand, type RewriteDecision } from './commands/rewrite';
import type { EngineClient } from './engineClient';
import type { JobController } from './jobs/controller';
import type { ModelStore } from './modelStore';

export function registerSeq2seq(
  engine: EngineClient,
  models: ModelStore,
  training: JobController,
  sampleDir: string,
): vscode.Disposable[] {
  const rewrite = new RewriteCommand(engine, models);
  return [
    rewrite,
    vscode.commands.registerCommand('pretrainLab.finetuneSeq2seq', (args?: Seq2seqArgs) =>
      finetuneSeq2seqCommand(training, models, sampleDir, args),
    ),
    // tests pass a decision instead of clicking Accept
    vscode.commands.registerCommand('pretrainLab.rewriteSelection', (decide?: RewriteDecision) =>
      rewrite.run(typeof decide === 'function' ? decide : undefined),
    ),
  ];
}
