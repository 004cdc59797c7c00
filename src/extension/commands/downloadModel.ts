// Download Model…: a BERT or GPT-2 from the Hugging Face Hub into the models folder. The id comes from a QuickPick of suggestions that also takes any typed id, then a
// revision (main by default); the engine worker downloads (hub/download.ts) under a cancellable
// progress notification, and the folder, once complete, is listed in the Models view. The endpoint is
// the setting pretrainLab.hub.endpoint; the token (hubToken.ts) is read from SecretStorage, handed to
// the engine and never logged.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_SETTINGS } from '../../shared/configs';
import {
  describeProgress,
  downloadFolderName,
  HUB_SUGGESTIONS,
  HUB_TOKEN_SECRET,
  modelIdProblem,
} from '../../shared/hub';
import { CancelledError } from '../../shared/rpc';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';
import { setHubTokenCommand } from './hubToken';

/** What the command resolves with (for tests and automation): the folder, or why there is none. */
export type DownloadOutcome = { dir: string } | { error: string } | { cancelled: true } | undefined;

async function pickModelId(): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick();
  qp.title = vscode.l10n.t('Download a model from the Hugging Face Hub');
  qp.placeholder = vscode.l10n.t('A model id, such as bert-base-chinese or prajjwal1/bert-tiny');
  const suggestions = HUB_SUGGESTIONS.map((id) => ({ label: id }));
  qp.items = suggestions;
  qp.onDidChangeValue((v) => {
    const typed = v.trim();
    qp.items =
      typed && !HUB_SUGGESTIONS.some((s) => s === typed)
        ? [{ label: typed, description: vscode.l10n.t('the model id you typed') }, ...suggestions]
        : suggestions;
  });
  const picked = await new Promise<string | undefined>((resolve) => {
    qp.onDidAccept(() => resolve(qp.selectedItems[0]?.label ?? (qp.value.trim() || undefined)));
    qp.onDidHide(() => resolve(undefined));
    qp.show();
  });
  qp.dispose();
  return picked;
}

export async function downloadModelCommand(
  engine: EngineClient,
  models: ModelStore,
  secrets: vscode.SecretStorage,
  id?: unknown,
  revisionArg?: unknown,
): Promise<DownloadOutcome> {
  const modelId = typeof id === 'string' ? id.trim() : await pickModelId();
  if (!modelId) return undefined;
  const problem = modelIdProblem(modelId);
  if (problem) {
    void vscode.window.showErrorMessage(problem);
    return { error: problem };
  }
  const revision =
    typeof revisionArg === 'string'
      ? revisionArg.trim() || 'main'
      : typeof id === 'string'
        ? 'main'
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Revision of {0}', modelId),
            prompt: vscode.l10n.t('A branch, tag or commit of the repository'),
            value: 'main',
          });
  if (revision === undefined) return undefined;
  const endpoint = vscode.workspace
    .getConfiguration('pretrainLab')
    .get<string>('hub.endpoint', DEFAULT_SETTINGS['hub.endpoint']);
  const token = await secrets.get(HUB_TOKEN_SECRET);
  const outDir = path.join(models.storageDir(), downloadFolderName(modelId, revision || 'main'));
  log().info(`Downloading ${modelId} (${revision || 'main'}) from ${endpoint} into ${outDir}.`);
  try {
    const r = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('Downloading {0}', modelId),
        cancellable: true,
      },
      (progress, cancel) => {
        let pct = 0;
        return engine.call(
          { type: 'downloadModel', modelId, revision: revision || 'main', endpoint, token, outDir },
          {
            token: cancel,
            onProgress: (p) => {
              if (p.type === 'log') log().info(p.message);
              if (p.type !== 'download') return;
              // the total grows once a sharded model's index names its shards: the bar never goes back
              const now = Math.max(pct, Math.floor((100 * p.progress.done) / Math.max(1, p.progress.total)));
              progress.report({ increment: now - pct, message: describeProgress(p.progress) });
              pct = now;
            },
          },
        );
      },
    );
    models.refresh();
    log().info(`Downloaded ${modelId} into ${r.dir}: ${r.files.join(', ')}.`);
    void vscode.window.showInformationMessage(
      vscode.l10n.t('{0} is downloaded and listed in the Models view.', modelId),
    );
    return { dir: r.dir };
  } catch (e) {
    if (e instanceof CancelledError) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'The download of {0} was cancelled; running it again continues where it stopped.',
          modelId,
        ),
      );
      return { cancelled: true };
    }
    const msg = (e as Error).message;
    log().warn(`Download Model: ${msg}`);
    void vscode.window.showErrorMessage(msg);
    return { error: msg };
  }
}

export function registerHubCommands(
  engine: EngineClient,
  models: ModelStore,
  secrets: vscode.SecretStorage,
): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('pretrainLab.downloadModel', (id?: unknown, revision?: unknown) =>
      downloadModelCommand(engine, models, secrets, id, revision),
    ),
    vscode.commands.registerCommand('pretrainLab.setHubToken', (value?: unknown) =>
      setHubTokenCommand(secrets, value),
    ),
  ];
}
