// The Chinese UI: every string a person reads has a zh-cn translation. package.json's titles and
// descriptions are %key% placeholders with English and Chinese texts (package.nls*.json); every
// l10n.t('…') message of the extension and of the webviews has an entry in l10n/bundle.l10n.zh-cn.json
// with the same {0} placeholders; nothing is left in English by mistake.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { NO_MASK_MESSAGE } from '../../src/engine/analysis/predictMask';
import { EngineService } from '../../src/engine/service';
import { formatMessage, l10n as hostL10n, setTranslator } from '../../src/extension/l10n';
import { configureL10n, t as engineT } from '../../src/shared/l10nCore';
import { CAPABILITY_LABELS, missingCapabilityMessage } from '../../src/shared/modelKinds';
import { RpcEndpoint } from '../../src/shared/rpc';
import { lang, setBundle, t } from '../../src/webview/common/l10n';
import { tmpDir } from './helpers';

const root = path.resolve(__dirname, '..', '..');
const readJson = (f: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));
const pkg = readJson('package.json');
const nls = readJson('package.nls.json') as Record<string, string>;
const nlsZh = readJson('package.nls.zh-cn.json') as Record<string, string>;
const bundleZh = readJson('l10n/bundle.l10n.zh-cn.json') as Record<string, string>;

// Same in both languages on purpose: names, notation, codicon-only labels.
const SAME_IN_CHINESE = new Set([
  'BERT',
  'GPT',
  'ELMo',
  'word2vec',
  '[MASK]',
  'Pretrain Lab',
  'PCA',
  'UMAP',
  't-SNE',
]);

/** The message of every l10n.t('…') / l10n.t("…") call under `dir` (the first argument, unescaped), and
 * of l10n.t(NAME) where NAME is a string constant of the same file (`const NAME = '…'`). */
function messagesIn(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const call = /l10n\.t\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`)/g;
  const byName = /l10n\.t\(([A-Z][A-Z0-9_]*)\)/g;
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d)) {
      const p = path.join(d, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) {
        const text = fs.readFileSync(p, 'utf8');
        const constants = [...text.matchAll(byName)].map(([, c]) => {
          const def = text.match(new RegExp(`const ${c}\\s*=\\s*('(?:[^'\\\\\\n]|\\\\.)*')`));
          assert.ok(def, `${path.relative(root, p)}: l10n.t(${c}) needs a string constant ${c} in the file`);
          return `l10n.t(${def[1]}`;
        });
        for (const m of [...text.matchAll(call), ...constants.flatMap((c) => [...c.matchAll(call)])]) {
          const where = path.relative(root, p);
          // a template literal cannot be a key: the bundle would never match it
          assert.ok(
            m[0].endsWith('`') === false,
            `${where}: l10n.t takes a plain string, not a template literal`,
          );
          const raw = m[1] ?? m[2] ?? '';
          found.set(
            raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)),
            where,
          );
        }
      }
    }
  };
  walk(path.join(root, dir));
  return found;
}

const placeholders = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort();

function checkTranslation(key: string, en: string, zh: string | undefined, where: string): void {
  assert.ok(zh !== undefined && zh.trim() !== '', `${where}: no Chinese for ${JSON.stringify(key)}`);
  assert.deepEqual(
    placeholders(zh),
    placeholders(en),
    `${where}: placeholders of ${JSON.stringify(key)} differ`,
  );
  // a Chinese text identical to the English one is an untranslated string, unless it is a name or
  // has no words at all ('{0} → {1}')
  if (!SAME_IN_CHINESE.has(en.trim()) && /[A-Za-z]/.test(en.replace(/\{\d+\}/g, '')))
    assert.notEqual(zh, en, `${where}: ${JSON.stringify(key)} is not translated`);
  // codicons ($(name)) and command links stay as they are
  for (const icon of en.match(/\$\([a-z-~]+\)|\(command:[^)]*\)/g) ?? [])
    assert.ok(zh.includes(icon), `${where}: ${JSON.stringify(key)} lost ${icon}`);
}

describe('package.json contributions in Chinese', () => {
  // The fields VS Code shows as text; each must be a %key% so that VS Code picks package.nls.<lang>.json.
  const SHOWN =
    /^(title|category|name|description|markdownDescription|label|contents|shortTitle|altText|markdown)$/;
  const shown: Array<[string, string]> = [];
  const walk = (x: unknown, at: string, field: string) => {
    if (typeof x === 'string') {
      if (SHOWN.test(field) || /enumDescriptions|markdownEnumDescriptions/.test(at)) shown.push([at, x]);
    } else if (Array.isArray(x)) {
      for (const [i, v] of x.entries()) walk(v, `${at}[${i}]`, field);
    } else if (x && typeof x === 'object')
      for (const [k, v] of Object.entries(x)) {
        // ids, conditions and file paths are not text
        if (!/^(command|when|id|view|submenu|group|type|key|mac|icon|path|image|default|enum)$/.test(k))
          walk(v, `${at}.${k}`, k);
      }
  };
  walk(pkg.contributes, 'contributes', '');
  walk(pkg.displayName, 'displayName', 'title');
  walk(pkg.description, 'description', 'description');

  it('every title, name and description is a %key% placeholder', () => {
    const literal = shown.filter(([, s]) => !/^%[\w.-]+%$/.test(s));
    assert.deepEqual(literal, [], 'these contributions are not localizable');
  });

  it('every %key% has an English and a Chinese text', () => {
    for (const [at, s] of shown) {
      const key = s.slice(1, -1);
      assert.ok(typeof nls[key] === 'string' && nls[key] !== '', `${at}: ${key} has no English text`);
      checkTranslation(key, nls[key], nlsZh[key], `package.nls.zh-cn.json (${at})`);
      // a walkthrough step's page: an English and a Chinese markdown file
      if (at.endsWith('.media.markdown'))
        for (const f of [nls[key], nlsZh[key]])
          assert.ok(fs.existsSync(path.join(root, f)), `${at}: ${f} is missing`);
    }
  });

  it('the two nls files have the same keys, and none is unused', () => {
    assert.deepEqual(Object.keys(nlsZh).sort(), Object.keys(nls).sort());
    const used = new Set(shown.map(([, s]) => s.slice(1, -1)));
    assert.deepEqual(
      Object.keys(nls).filter((k) => !used.has(k)),
      [],
      'keys of package.nls.json nothing uses',
    );
  });

  it('the extension declares its l10n folder', () => {
    assert.equal(pkg.l10n, './l10n');
  });
});

describe('extension and webview messages in Chinese', () => {
  const extension = messagesIn('src/extension');
  const webview = messagesIn('src/webview');
  // the engine's and src/shared's sentences (src/shared/l10nCore.ts), fed the same bundle in the worker
  const engine = new Map([...messagesIn('src/engine'), ...messagesIn('src/shared')]);

  it('finds the messages (the extraction works)', () => {
    assert.ok(extension.size > 100, `only ${extension.size} messages in src/extension`);
    assert.ok(webview.size > 100, `only ${webview.size} messages in src/webview`);
    assert.ok(extension.has('Pretrain BERT (1/3): corpus'));
    assert.ok(webview.has('Predict again'));
    assert.ok(engine.size > 150, `only ${engine.size} messages in src/engine and src/shared`);
    assert.ok(engine.has('The model folder {0} does not exist; pick an existing model or pretrain one.'));
    assert.ok(engine.has(NO_MASK_MESSAGE), 'a message given by its constant, l10n.t(NO_MASK_MESSAGE)');
  });

  it('every l10n.t message of src/extension has a zh-cn entry with the same placeholders', () => {
    for (const [msg, where] of extension) checkTranslation(msg, msg, bundleZh[msg], where);
  });

  it('every l10n.t message of src/webview has a zh-cn entry with the same placeholders', () => {
    for (const [msg, where] of webview) checkTranslation(msg, msg, bundleZh[msg], where);
  });

  it('every l10n.t message of src/engine and src/shared has a zh-cn entry with the same placeholders', () => {
    for (const [msg, where] of engine) checkTranslation(msg, msg, bundleZh[msg], where);
  });

  it('the bundle holds no stale entries', () => {
    const stale = Object.keys(bundleZh).filter((k) => !extension.has(k) && !webview.has(k) && !engine.has(k));
    assert.deepEqual(stale, [], 'entries of l10n/bundle.l10n.zh-cn.json no code asks for');
  });
});

describe('the translate functions', () => {
  it('the host side formats English {0} placeholders without VS Code, and uses the translator it is given', () => {
    assert.equal(formatMessage('{1} of {0}', [3, 'two']), 'two of 3');
    assert.equal(
      hostL10n.t('Model {0} trained for {1} steps{2}.', 'm', 5, ''),
      'Model m trained for 5 steps.',
    );
    setTranslator((m, ...a) => formatMessage(bundleZh[m] ?? m, a));
    try {
      assert.equal(hostL10n.t('Pretraining BERT ({0})', 'tiny'), '正在预训练 BERT（tiny）');
    } finally {
      setTranslator((m, ...a) => formatMessage(m, a));
    }
  });

  it('the webview side reads the bundle the host sends and keeps English for what it lacks', () => {
    assert.equal(lang(), 'en');
    setBundle({});
    assert.equal(t('Predict again'), 'Predict again');
    setBundle(bundleZh);
    assert.equal(t('Predict again'), '重新预测');
    assert.equal(t('model: {0}', 'starter'), '模型：starter');
    assert.equal(t('a message with no entry {0}', 1), 'a message with no entry 1');
    setBundle({});
  });
});

describe('engine messages in the display language (src/shared/l10nCore.ts)', () => {
  // the worker gets the extension's bundle (vscode.l10n.bundle) and configures the engine with it
  const service = new EngineService('cpu');
  const damaged = tmpDir('pl-l10n-');
  fs.writeFileSync(path.join(damaged, 'config.json'), '{"format": "pretrain-lab/bert", ');
  const describeModel = (modelDir: string) =>
    service.handle(
      { type: 'describeModel', modelDir },
      { id: 1, progress: () => {}, cancelled: false, onCancel: () => {} },
    );

  it('a missing and a damaged model folder are explained in Chinese once the zh-cn bundle is configured', async () => {
    configureL10n(bundleZh);
    try {
      await assert.rejects(describeModel('/nonexistent/model'), {
        message: '模型文件夹 /nonexistent/model 不存在；请选择一个现有模型或预训练一个。',
      });
      await assert.rejects(describeModel(damaged), (e: Error) => {
        assert.match(e.message, /config\.json 不是有效的 JSON；模型文件夹已损坏/);
        assert.doesNotMatch(e.message, /is not valid JSON|restore/);
        return true;
      });
      // a sentence of src/shared, composed from translated parts
      assert.match(
        missingCapabilityMessage('w2v', 'word2vec', 'predictMask'),
        /^“w2v”是一个 word2vec 模型（每个词一个向量.*预测掩码需要掩码语言模型（如 BERT）/,
      );
      assert.equal(CAPABILITY_LABELS.embeddings, '词向量');
    } finally {
      configureL10n(undefined);
    }
  });

  it('without a bundle (the CLI, VS Code in English) the same errors are the English sentences', async () => {
    await assert.rejects(describeModel('/nonexistent/model'), {
      message: 'The model folder /nonexistent/model does not exist; pick an existing model or pretrain one.',
    });
    await assert.rejects(
      describeModel(damaged),
      /config\.json is not valid JSON; the model folder is damaged/,
    );
    assert.equal(CAPABILITY_LABELS.embeddings, 'word vectors');
    assert.equal(engineT('{1} of {0}', 3, 'two'), 'two of 3');
  });

  it('an argument is not formatted again: a path with {0} in it stays as it is', () => {
    configureL10n(bundleZh);
    try {
      assert.equal(
        engineT('The model folder {0} does not exist; pick an existing model or pretrain one.', '/m/{0}'),
        '模型文件夹 /m/{0} 不存在；请选择一个现有模型或预训练一个。',
      );
    } finally {
      configureL10n(undefined);
    }
  });
});

describe('the engine worker speaks the language the extension passes it', () => {
  it('src/engine/worker.ts configures the engine with workerData.l10n (vscode.l10n.bundle)', async () => {
    // src/extension/engineClient.ts starts the worker this way, with the bundle of the display language
    const file = path.join(root, 'src', 'engine', 'worker.ts');
    const worker = new Worker(`require('tsx/cjs'); require(${JSON.stringify(file)});`, {
      eval: true,
      workerData: { backend: 'cpu', l10n: bundleZh },
    });
    const rpc = new RpcEndpoint((m) => worker.postMessage(m));
    worker.on('message', (m) => rpc.handle(m));
    try {
      await assert.rejects(rpc.request({ type: 'describeModel', modelDir: '/nonexistent/model' }), {
        message: '模型文件夹 /nonexistent/model 不存在；请选择一个现有模型或预训练一个。',
      });
    } finally {
      await worker.terminate();
    }
  });
});
