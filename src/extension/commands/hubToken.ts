// Set Hugging Face Token…: the token for gated or private models, kept in VS Code's SecretStorage
// (never in settings, logs or the model folder); an empty entry removes it.
import * as vscode from 'vscode';
import { HUB_TOKEN_SECRET } from '../../shared/hub';

/** Set Hugging Face Token…: stored in SecretStorage; an empty entry removes it. */
export async function setHubTokenCommand(secrets: vscode.SecretStorage, value?: unknown): Promise<boolean> {
  const token =
    typeof value === 'string'
      ? value
      : await vscode.window.showInputBox({
          title: vscode.l10n.t('Hugging Face token'),
          prompt: vscode.l10n.t(
            "A read token from huggingface.co/settings/tokens, for gated or private models; kept in VS Code's secret storage. Leave empty to remove it.",
          ),
          password: true,
          ignoreFocusOut: true,
        });
  if (token === undefined) return false;
  if (token.trim() === '') {
    await secrets.delete(HUB_TOKEN_SECRET);
    void vscode.window.showInformationMessage(vscode.l10n.t('The Hugging Face token is removed.'));
  } else {
    await secrets.store(HUB_TOKEN_SECRET, token.trim());
    void vscode.window.showInformationMessage(
      vscode.l10n.t("The Hugging Face token is stored in VS Code's secret storage."),
    );
  }
  return true;
}
