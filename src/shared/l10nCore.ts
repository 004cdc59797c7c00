// Sentences of the engine and of src/shared in the user's language, without `vscode`: the engine runs in
// a worker thread and in the CLI, where vscode.l10n does not exist. The extension hands the worker its
// bundle (vscode.l10n.bundle: English message → translation, l10n/bundle.l10n.<lang>.json) and the
// worker calls configureL10n with it; without a bundle (the CLI, tests, VS Code in English) every message
// is the English one. Messages are the keys of the same bundle files as the extension's l10n.t, with the
// same `{0}`, `{1}`... placeholders, so test/unit/l10n.test.ts checks them all in one walk.

let bundle: Readonly<Record<string, string>> = {};

/** Uses `b` (English message → translation) from now on; undefined or {} goes back to English. */
export function configureL10n(b: Readonly<Record<string, unknown>> | undefined): void {
  const next: Record<string, string> = {};
  for (const [k, v] of Object.entries(b ?? {})) if (typeof v === 'string' && v !== '') next[k] = v;
  bundle = next;
}

/** `message` translated, `{0}`, `{1}`... replaced by String(args[i]) (as a template literal would). */
export function t(message: string, ...args: unknown[]): string {
  const text = bundle[message] ?? message;
  // one pass: a placeholder inside an argument (a path, a word of the corpus) is not replaced again
  return text.replace(/\{(\d+)\}/g, (m, i: string) => (+i < args.length ? String(args[+i]) : m));
}

/** The same function as `l10n.t`: the name the extension and webviews use, which keeps every message
 * findable by one pattern and does not clash with the engine's many tensors called `t`. */
export const l10n = { t };
