// Builds a VS Code language pack's main.i18n.json (Simplified Chinese) for code-server's workbench, so
// that the zh-cn UI test sees VS Code's own menus and views in Chinese, as a user with the Chinese
// language pack does. Source: npm's @codingame/monaco-vscode-language-pack-zh-hans, VS Code's zh-hans
// translations as one array indexed by the message ids of @codingame/monaco-vscode-api's build
// (`localize(1322, "Settings")`). code-server's own build numbers its messages differently
// (out/nls.keys.json: [module, [key...]] in the order of out/nls.messages.json), so the two are joined
// on the English text: every code-server message whose English the codingame build also has gets its
// translation under its module and key, the format VS Code reads from a language pack.
//
// node scripts/zh-langpack.mjs <language-pack package dir> <monaco-vscode-api package dir> <code-server vscode out dir> <out file>
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

const [packDir, apiDir, vscodeOut, outFile] = process.argv.slice(2);
if (!outFile) throw new Error('usage: zh-langpack.mjs <pack dir> <api dir> <vscode out dir> <out file>');

const zh = (await import(pathToFileURL(path.join(packDir, 'translations', 'main.i18n.json.js')).href))
  .default;

// English of each message id, from the localize(id, "English") calls of the api package's sources
const english = new Map();
const call = /\blocalize2?\(\s*(\d+)\s*,\s*("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')/g;
const unquote = (lit) => {
  const body = lit.slice(1, -1).replace(/\\'/g, "'");
  try {
    return JSON.parse(lit.startsWith('"') ? `"${body}"` : `"${body.replace(/"/g, '\\"')}"`);
  } catch {
    return undefined; // a JavaScript-only escape (\x41, \v): that message stays English
  }
};
const walk = (d) => {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith('.js'))
      for (const m of fs.readFileSync(p, 'utf8').matchAll(call)) {
        const text = unquote(m[2]);
        if (text !== undefined && !english.has(+m[1])) english.set(+m[1], text);
      }
  }
};
walk(apiDir);

const toChinese = new Map();
for (const [id, en] of english)
  if (typeof zh[id] === 'string' && !toChinese.has(en)) toChinese.set(en, zh[id]);

const keys = JSON.parse(fs.readFileSync(path.join(vscodeOut, 'nls.keys.json'), 'utf8'));
const messages = JSON.parse(fs.readFileSync(path.join(vscodeOut, 'nls.messages.json'), 'utf8'));
const contents = {};
let i = 0;
let translated = 0;
for (const [module, names] of keys)
  for (const key of names) {
    const t = toChinese.get(messages[i++]);
    if (t === undefined) continue;
    contents[module] ??= {};
    contents[module][key] = t;
    translated++;
  }
if (i !== messages.length)
  throw new Error(`nls.keys.json names ${i} messages, nls.messages.json has ${messages.length}`);
fs.writeFileSync(outFile, JSON.stringify({ version: '1.0.0', contents }));
console.log(
  `zh-hans language pack: ${translated} of ${messages.length} VS Code messages translated (${english.size} English texts known from the codingame build) -> ${outFile}`,
);
