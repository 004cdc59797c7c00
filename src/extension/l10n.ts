// Messages of the extension in VS Code's display language. Files that unit tests load without VS Code
// (jobs/, maskSpans, modelFor, ...) cannot import 'vscode', so they translate through this module:
// activation hands it vscode.l10n.t; without VS Code it formats the English message. The strings it is
// called with are the keys of l10n/bundle.l10n.*.json, like those of vscode.l10n.t.

type Translate = (message: string, ...args: Array<string | number | boolean>) => string;

/** English: `{0}`, `{1}`... replaced by the arguments, as vscode.l10n.t does without a bundle. */
export function formatMessage(message: string, args: ReadonlyArray<string | number | boolean>): string {
  return message.replace(/\{(\d+)\}/g, (m, i: string) => (+i < args.length ? String(args[+i]) : m));
}

let translate: Translate = (message, ...args) => formatMessage(message, args);

export function setTranslator(t: Translate): void {
  translate = t;
}

export const l10n = {
  t(message: string, ...args: Array<string | number | boolean>): string {
    return translate(message, ...args);
  },
};
