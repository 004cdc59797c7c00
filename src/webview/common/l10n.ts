// Webview text in VS Code's display language. The host puts its l10n bundle (vscode.l10n.bundle: English
// message → translation, or nothing when VS Code runs in English) into the page as a JSON script, and
// every panel translates with t('English message', ...args), so one bundle file serves both sides and
// the webview needs no request before its first paint.

let bundle: Record<string, string> | undefined;

function load(): Record<string, string> {
  if (bundle) return bundle;
  bundle = {};
  const node = typeof document === 'undefined' ? null : document.getElementById('l10n-bundle');
  if (node?.textContent) {
    try {
      const parsed: unknown = JSON.parse(node.textContent);
      if (parsed && typeof parsed === 'object') {
        for (const [k, v] of Object.entries(parsed)) if (typeof v === 'string') bundle[k] = v;
      }
    } catch {
      // a broken bundle leaves the page in English rather than blank
    }
  }
  return bundle;
}

/** Replaces the bundle (tests, and the e2e harness which injects zh-cn strings into a standalone page). */
export function setBundle(b: Record<string, string>): void {
  bundle = { ...b };
}

/** `message` translated, with `{0}`, `{1}`... replaced by `args` (the vscode.l10n.t convention). */
export function t(message: string, ...args: Array<string | number>): string {
  const text = load()[message] ?? message;
  return text.replace(/\{(\d+)\}/g, (m, i: string) => (+i < args.length ? String(args[+i]) : m));
}

/** The page's language (`<html lang>`), for number formatting that follows the display language. */
export function lang(): string {
  return typeof document === 'undefined' ? 'en' : document.documentElement.lang || 'en';
}

/** The same function under the name the extension side uses (`l10n.t`), which keeps the strings findable
 * by one pattern and avoids clashing with the many local variables called `t`. */
export const l10n = { t };
