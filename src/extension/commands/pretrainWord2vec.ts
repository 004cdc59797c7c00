// Pretrain word2vec from the command palette: corpus, algorithm, epochs; progress in a cancellable
// notification, in the log and in the Embedding Explorer, which then shows the new model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { W2vAlgo, W2vProgress, Word2vecOptions } from '../../shared/configs';
import type { EngineResponses } from '../../shared/engineProtocol';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import { trainingNotification } from '../training';
import type { EmbeddingExplorer } from '../views/embeddingExplorer';
import { givenCorpus, pickCorpus, timestamp } from './pretrainBert';

export interface Word2vecArgs {
  corpus?: string[];
  algo?: W2vAlgo;
  epochs?: number;
  name?: string;
  options?: Partial<Word2vecOptions>;
}

export interface Word2vecOutcome {
  status: 'done' | 'cancelled' | 'failed';
  message: string;
  modelDir: string;
  epochsDone: number;
  progress: W2vProgress[];
}

export class Word2vecTraining {
  private cts: vscode.CancellationTokenSource | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly models: ModelStore,
    private readonly explorer: EmbeddingExplorer,
  ) {}

  get running(): boolean {
    return this.cts !== undefined;
  }

  cancel(): void {
    this.cts?.cancel();
  }

  async run(args?: Word2vecArgs): Promise<Word2vecOutcome | undefined> {
    if (this.running) {
      void vscode.window.showWarningMessage(
        'A word2vec training is already running; cancel it or wait for it to finish.',
      );
      return undefined;
    }
    const chosen =
      args?.corpus !== undefined
        ? givenCorpus(args.corpus)
        : await pickCorpus('Pretrain word2vec (1/3): corpus');
    if (!chosen) return undefined;
    let algo = args?.algo;
    if (!algo) {
      const items: (vscode.QuickPickItem & { id: W2vAlgo })[] = [
        {
          id: 'skipgram',
          label: 'skip-gram',
          description: 'predicts the context from each word; better for rare words',
        },
        { id: 'cbow', label: 'CBOW', description: 'predicts each word from its context; about 3× faster' },
      ];
      const p = await vscode.window.showQuickPick(items, { title: 'Pretrain word2vec (2/3): algorithm' });
      if (!p) return undefined;
      algo = p.id;
    }
    let epochs = args?.epochs;
    if (epochs === undefined) {
      const s = await vscode.window.showInputBox({
        title: 'Pretrain word2vec (3/3): epochs (passes over the corpus)',
        value: '5',
        validateInput: (v) =>
          /^\d+$/.test(v) && +v > 0 && +v <= 1000 ? undefined : 'Enter a whole number of epochs, e.g. 5.',
      });
      if (!s) return undefined;
      epochs = Number(s);
    }
    const dir = this.models.storageDir();
    fs.mkdirSync(dir, { recursive: true });
    const outDir = path.join(dir, args?.name ?? `word2vec-${algo}-${timestamp()}`);
    const cfg = vscode.workspace.getConfiguration('pretrainLab');
    const options: Partial<Word2vecOptions> & Pick<Word2vecOptions, 'corpus' | 'outDir'> = {
      chinese: cfg.get<'chars' | 'words'>('word2vec.chinese', 'chars'),
      threads: Math.max(1, Math.min(8, cfg.get<number>('word2vec.threads', 2))),
      minCount: cfg.get<number>('word2vec.minCount', 5),
      ...args?.options,
      corpus: chosen.corpus,
      outDir,
      algo,
      epochs,
      resume: false,
    };
    const cts = new vscode.CancellationTokenSource();
    this.cts = cts;
    const seen: W2vProgress[] = [];
    this.explorer.training({ status: `Training ${path.basename(outDir)} on ${chosen.label}…` });
    const outcome = await trainingNotification(`Pretraining word2vec (${algo})`, cts, async (report) => {
      try {
        const r: EngineResponses['pretrainWord2vec'] = await this.engine.call(
          { type: 'pretrainWord2vec', options },
          {
            token: cts.token,
            onProgress: (p) => {
              if (p.type === 'log') {
                log().info(p.message);
                return;
              }
              if (p.type !== 'w2v') return;
              const x = p.progress;
              seen.push(x);
              const pct = (100 * x.wordsDone) / Math.max(1, x.totalWords);
              report(
                pct,
                `epoch ${x.epoch}/${x.epochs} · loss ${x.loss.toFixed(3)} · ${Math.round(x.wordsPerSecond).toLocaleString('en')} words/s`,
              );
              if (x.epochLoss !== undefined)
                log().info(
                  `word2vec epoch ${x.epoch}/${x.epochs}: mean loss ${x.epochLoss.toFixed(4)}, ${Math.round(x.wordsPerSecond)} words/s`,
                );
              this.explorer.training({ progress: x });
            },
          },
        );
        const message =
          r.status === 'done'
            ? `word2vec model ${path.basename(outDir)}: ${r.summary.vocabSize.toLocaleString('en')} words × ${r.summary.dim} dimensions after ${r.epochsDone} epochs; it is open in the Embedding Explorer.`
            : `word2vec training cancelled; ${r.epochsDone > 0 ? `the checkpoint after epoch ${r.epochsDone} is kept` : 'no epoch had finished, so there is no model yet'}.`;
        return { status: r.status, message, epochsDone: r.epochsDone };
      } catch (e) {
        return { status: 'failed' as const, message: (e as Error).message, epochsDone: 0 };
      }
    });
    this.cts = undefined;
    cts.dispose();
    log().info(`word2vec training ${outcome.status}: ${outcome.message}`);
    this.models.refresh();
    this.explorer.training({ status: outcome.message });
    if (outcome.epochsDone > 0) await this.explorer.showModel(outDir);
    if (outcome.status === 'failed') void vscode.window.showErrorMessage(outcome.message);
    else void vscode.window.showInformationMessage(outcome.message);
    return { ...outcome, modelDir: outDir, progress: seen };
  }
}
