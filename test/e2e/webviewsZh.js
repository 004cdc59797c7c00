// Every panel in Chinese (zh-cn), alone in chromium as webviews.js runs them: the page carries the
// l10n bundle the way src/extension/webviewHtml.ts puts it (an inert JSON script, <html lang>), the host
// messages are those a zh-cn VS Code would send, and each panel is screenshotted as *-zh-cn.png. A
// panel passes when its fixed texts read in Chinese and none of a list of its English texts is left.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const bundle = JSON.parse(fs.readFileSync(path.join(root, 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8'));

/** What the host puts into the page for a display language (see webviewHtml.ts). */
function l10nScript(lang) {
  if (lang === 'en') return '';
  return `<script type="application/json" id="l10n-bundle">${JSON.stringify(bundle).replace(/</g, '\\u003c')}</script>`;
}

/** The Chinese of a message, formatted as vscode.l10n.t does: what a zh-cn host sends (metric names…). */
function zh(message, ...args) {
  const text = bundle[message];
  if (text === undefined) throw new Error(`no zh-cn entry for ${JSON.stringify(message)}`);
  return text.replace(/\{(\d+)\}/g, (m, i) => (+i < args.length ? String(args[+i]) : m));
}

/** Runs the zh-cn checks with webviews.js's page, server address and test runner. */
async function zhCnPanels({ p, base, test, shots }) {
  // a panel's zh-cn page, once its script has told the host it is ready
  const open = async (entry) => {
    await p.goto(`${base}/page-zh-cn/${entry}`);
    await p.waitForFunction(() => window.posted.some((m) => m.rpc === 'request' && m.body?.type === 'ready'));
    if ((await p.evaluate(() => document.documentElement.lang)) !== 'zh-cn')
      throw new Error('the page is not marked lang="zh-cn"');
  };
  const text = () => p.evaluate(() => document.body.innerText);
  // as a person reads it: headings may be upper-cased by CSS, and runs of spaces show as one
  const norm = (s) => s.replace(/\s+/g, ' ').toLowerCase();
  /** Each of `want` is on the page and none of `english`. */
  const reads = async (want, english) => {
    const t = await text();
    for (const w of want)
      if (!norm(t).includes(norm(w))) throw new Error(`the panel does not say "${w}":\n${t.slice(0, 600)}`);
    for (const e of english) if (t.includes(e)) throw new Error(`the panel still says "${e}" in English`);
  };
  const shot = (name, fullPage = false) =>
    p.screenshot({ path: path.join(shots, `${name}-zh-cn.png`), fullPage });

  await test('zh-cn: Predict Mask panel in Chinese', async () => {
    await p.setViewportSize({ width: 900, height: 700 });
    await open('predictMask');
    await p.evaluate(() => {
      const source = 'The jury said the [MASK] was fair. 北京是[MASK]国的首都。';
      window.hostPush({
        type: 'result',
        view: {
          requestId: 1,
          model: 'starter BERT (English + 中文)',
          source,
          result: {
            masks: [
              {
                position: source.indexOf('[MASK]'),
                length: 6,
                candidates: [
                  { token: 'election', probability: 0.41 },
                  { token: 'trial', probability: 0.22 },
                ],
              },
              {
                position: source.lastIndexOf('[MASK]'),
                length: 6,
                candidates: [
                  { token: '中', probability: 0.9 },
                  { token: '美', probability: 0.05 },
                ],
              },
            ],
            filled: '',
          },
        },
      });
    });
    await p.waitForSelector('button.candidate');
    await reads(
      [
        zh('Predict Mask'),
        zh('Bars: probability on a fixed scale, 0 to 100%.'),
        zh('model: {0}', 'starter BERT'),
      ],
      ['Bars: probability', 'masks are predicted independently', 'model:'],
    );
    await shot('webview-predict-mask');
  });

  await test('zh-cn: training panel in Chinese (BERT, with the masking sample)', async () => {
    await open('training');
    await p.evaluate(
      (names) => {
        window.hostPush({
          type: 'start',
          run: {
            kind: 'bert',
            family: 'BERT tiny',
            model: 'bert-tiny',
            corpus: '示例语料',
            unit: 'step',
            total: 100,
            backend: 'wasm',
          },
        });
        for (let s = 1; s <= 30; s++)
          window.hostPush({
            type: 'progress',
            progress: {
              unit: 'step',
              done: s,
              total: 100,
              position: s,
              fraction: s / 100,
              etaSeconds: 70 - s,
              metrics: [
                { id: 'mlm-loss', name: names.mlmLoss, value: 8 - s / 10, format: 'loss', brief: true },
                { id: 'mlm-acc', name: names.mlmAcc, value: s / 100, format: 'percent' },
                { id: 'nsp-acc', name: names.nspAcc, value: 0.5 + s / 200, format: 'percent' },
                { id: 'tps', name: names.tps, value: 2000 + s, format: 'rate', brief: true },
              ],
              extras: {
                maskingSample: {
                  tokens: ['[CLS]', '[MASK]', '是', '首', '[SEP]'],
                  original: ['[CLS]', '北', '京', '是', '[SEP]'],
                  chosen: [
                    { index: 1, treatment: 'mask' },
                    { index: 2, treatment: 'keep' },
                    { index: 3, treatment: 'random' },
                  ],
                  isRandomNext: false,
                },
              },
            },
          });
      },
      {
        mlmLoss: zh('MLM loss'),
        mlmAcc: zh('MLM accuracy'),
        nspAcc: zh('NSP accuracy'),
        tps: zh('tokens/s'),
      },
    );
    await p.waitForSelector('#stat-step');
    await reads(
      [
        zh('Pretraining {0}', 'bert-tiny'),
        zh('step'),
        zh('ETA'),
        zh('running'),
        zh('MLM accuracy'),
        zh('Cancel'),
      ],
      ['Pretraining', 'ETA', 'A training instance', 'corpus:', 'MLM accuracy'],
    );
    await shot('webview-training', true);
  });

  await test('zh-cn: attention panel in Chinese (head, model and matrix views)', async () => {
    await open('attention');
    await p.evaluate(() => {
      const tokens = ['[CLS]', '北', '京', '是', '中', '国', '的', '首', '都', '[SEP]'];
      const T = tokens.length;
      const w = new Uint16Array(2 * 2 * T * T);
      for (let l = 0; l < 2; l++)
        for (let h = 0; h < 2; h++)
          for (let i = 0; i < T; i++) w[((l * 2 + h) * T + i) * T + ((i + h + l + 1) % T)] = 65535;
      window.hostPush({
        type: 'attention',
        view: {
          model: 'starter BERT (English + 中文)',
          tokens,
          words: tokens.map((t, i) => ({ start: i, end: i + 1, text: t })),
          segments: tokens.map(() => 0),
          layers: 2,
          heads: 2,
          weights: w,
        },
      });
    });
    await p.waitForFunction(() => Number(document.body.dataset.tokens) > 5);
    await reads(
      [zh('Attention'), zh('Heads'), zh('Direction')],
      ['Heads', 'merge tokens into words', 'layers ×'],
    );
    await shot('webview-attention-head');
    await p.selectOption('#mode', 'model');
    await p.waitForSelector('canvas.thumb');
    await reads([zh('attention weight'), zh('head {0}', 1), zh('layer {0}', 1)], ['head 1', 'layer 1']);
    await shot('webview-attention-model');
    await p.click('canvas.thumb[data-layer="0"][data-head="1"]');
    await p.waitForSelector('#matrix-canvas');
    await reads([zh('Fit')], ['Fit']);
    await shot('webview-attention-matrix');
  });

  await test('zh-cn: Embedding Explorer in Chinese (search, neighbours, analogy, projection)', async () => {
    await p.setViewportSize({ width: 380, height: 1300 });
    await open('explorer');
    await p.evaluate(
      (detail) => {
        const words = ['北京', '上海', '中国', 'play', ...Array.from({ length: 196 }, (_, i) => `w${i}`)];
        const N = words.length;
        const D = 8;
        const vecs = new Float32Array(N * D).map(
          (_, k) => Math.sin(k * 1.7) + (k % D === Math.floor(k / D) % D ? 2 : 0),
        );
        let pushId = 1;
        const respond = (posted, body) =>
          window.postMessage({ rpc: 'response', inReplyTo: posted.id, body }, '*');
        let seen = 0;
        setInterval(() => {
          while (seen < window.posted.length) {
            const posted = window.posted[seen++];
            if (posted.rpc !== 'request') continue;
            const m = posted.body;
            if (m.type === 'table') {
              const ids = m.words
                ? m.words.map((w) => words.indexOf(w)).filter((i) => i >= 0)
                : Array.from({ length: Math.min(N, m.top) }, (_, i) => i);
              const v = new Float32Array(ids.length * D);
              for (const [j, id] of ids.entries()) v.set(vecs.subarray(id * D, (id + 1) * D), j * D);
              respond(posted, {
                words: ids.map((i) => words[i]),
                counts: ids.map((i) => N - i),
                dim: D,
                vectors: v,
                total: N,
              });
            } else if (m.type === 'query' && m.query.op === 'neighbours')
              respond(posted, {
                neighbours: words.slice(1, 6).map((word, i) => ({ word, score: 0.9 - i / 10 })),
              });
            else if (m.type === 'query' && m.query.op === 'search')
              respond(posted, {
                words: words.filter((w) => w.includes(m.query.query)).slice(0, 50),
                total: 3,
              });
            else if (m.type === 'query') respond(posted, { neighbours: [] });
            else respond(posted, undefined);
          }
        }, 5);
        const push = (body) => window.postMessage({ rpc: 'request', id: pushId++, body }, '*');
        push({
          type: 'models',
          models: [{ id: '/m', name: 'w2v-sample', kind: 'word2vec', detail }],
          selected: '/m',
        });
        push({
          type: 'info',
          info: {
            dir: '/m',
            type: 'word2vec',
            algo: 'skipgram',
            dim: D,
            vocabSize: N,
            source: 'pretrain-lab',
            kind: 'word2vec',
            label: 'word2vec skip-gram',
            top: words.slice(0, 20),
            epochsDone: 5,
            epochs: 5,
            epochLosses: [2.1, 1.9],
          },
        });
      },
      zh('word2vec {0} · {1} words · {2}d', 'skip-gram', 200, 8),
    );
    await p.waitForFunction(() => document.getElementById('projection-status')?.textContent.length > 0);
    await p.fill('#word', '北京');
    await p.press('#word', 'Enter');
    await p.waitForTimeout(500);
    await reads(
      [
        zh('Search'),
        zh('Nearest neighbours'),
        zh('Analogy  a − b + c'),
        zh('Projection'),
        zh('Static vs contextual'),
      ],
      [
        'Nearest neighbours',
        'Projection',
        'Static vs contextual',
        'Isolate selection',
        'Open in Editor Area',
      ],
    );
    await shot('webview-explorer', true);
  });

  await test('zh-cn: Embedding Plot in the editor area in Chinese', async () => {
    await p.setViewportSize({ width: 1000, height: 700 });
    await open('explorerPlot');
    await p.evaluate(
      (status) => {
        const n = 200;
        const words = Array.from({ length: n }, (_, i) => (i === 0 ? '北京' : `w${i}`));
        const coords = [];
        for (let i = 0; i < n; i++) coords.push(Math.cos(i) * (i / n), Math.sin(i) * (i / n));
        window.postMessage(
          {
            rpc: 'request',
            id: 1,
            body: {
              type: 'plot',
              modelName: 'w2v-sample',
              plot: {
                model: '/m',
                words,
                coords,
                dims: 2,
                counts: words.map((_, i) => n - i),
                status,
                marks: { selected: '北京', near: ['w6'] },
              },
            },
          },
          '*',
        );
      },
      zh(
        'PCA of {0} words ({1} dimensions) in {2} ms. Explained variance: {3}.{4}',
        200,
        16,
        12,
        'PC1 30.0%, PC2 20.0%',
        '',
      ),
    );
    await p.waitForFunction(() => document.getElementById('plot-title')?.textContent.includes('·'));
    await reads(
      [zh('Embedding Plot · {0}', 'w2v-sample'), zh('Show Explorer')],
      ['Embedding Plot', 'Show Explorer'],
    );
    await shot('webview-explorer-plot');
  });

  await test('zh-cn: Fine-tune panel in Chinese (compare and one run)', async () => {
    await p.setViewportSize({ width: 900, height: 700 });
    await open('finetune');
    await p.evaluate(
      (how) => {
        const labels = ['垃圾', '正常'];
        const best = {
          loss: 0.3,
          accuracy: 0.9,
          macroF1: 0.88,
          perLabel: labels.map((label) => ({ label, precision: 0.9, recall: 0.85, f1: 0.87, support: 20 })),
          confusion: [
            [18, 2],
            [2, 18],
          ],
          labels,
        };
        const run = (name, h, accs, trained) => ({
          dir: `/models/${name}`,
          name,
          task: '句子分类',
          base: 'starter',
          how: h,
          trainedParameters: trained,
          totalParameters: 1_200_000,
          seconds: 42,
          bestEpoch: accs.length,
          epochs: accs.map((a, i) => ({ epoch: i + 1, loss: 1 - a, accuracy: a, macroF1: a - 0.05 })),
          best,
        });
        window.hostPush({
          type: 'runs',
          runs: [
            run('spam-finetuned', how.all, [0.7, 0.85, 0.9], 1_200_000),
            run('spam-frozen', how.frozen, [0.6, 0.7, 0.75], 1_538),
          ],
          problems: [],
        });
      },
      { all: zh('fine-tuned (all layers)'), frozen: zh('frozen (feature-based)') },
    );
    await p.waitForSelector('table.compare');
    await reads(
      [
        zh('Compare {0} fine-tune runs', 2),
        zh('how the base was used'),
        zh('parameters trained'),
        zh('Dev metrics per epoch'),
      ],
      [
        'how the base was used',
        'parameters trained',
        'Dev metrics per epoch',
        'Per label',
        'Confusion matrix',
      ],
    );
    await shot('webview-finetune', true);
  });

  await test('zh-cn: ELMo Layers panel in Chinese', async () => {
    await open('elmo');
    await p.evaluate(() => {
      const text = '他在公园里玩。孩子们在玩游戏。';
      const chars = [...text];
      window.hostPush({
        type: 'result',
        view: {
          model: 'elmo-tiny',
          text,
          numLayers: 3,
          tokens: chars.map((token, i) => ({ token, start: i, end: i + 1, known: token !== '园' })),
          truncated: false,
          maxTokens: 256,
          occurrences: [
            { i: 4, where: 'selection', j: 11, context: '孩子们在玩游戏', similarity: [1, 0.71, 0.52] },
            {
              i: 4,
              where: 'workspace',
              file: '/ws/chinese/story.txt',
              line: 3,
              context: '我们一起玩',
              similarity: [1, 0.8, 0.66],
            },
          ],
          mixes: [{ task: 'pos', weights: [0.2, 0.5, 0.3], gamma: 1.2 }],
        },
      });
    });
    await p.waitForSelector('button.token');
    await p.click('button.token >> nth=4');
    await p.waitForTimeout(300);
    await reads(
      [zh('ELMo layers · {0}', 'elmo-tiny'), zh('Learned layer weights (scalar mix)'), zh('context')],
      ['Learned layer weights', 'cosine similarity to its other occurrences'],
    );
    await shot('webview-elmo', true);
  });

  await test('zh-cn: Next Tokens panel in Chinese', async () => {
    await open('nextTokens');
    await p.evaluate(() => {
      window.hostPush({
        type: 'result',
        view: {
          requestId: 3,
          model: 'gpt-tiny',
          prefix: '北京是中国的',
          result: {
            candidates: [
              { token: '首', id: 10, probability: 0.6 },
              { token: '城', id: 11, probability: 0.2 },
              { token: ' ', id: 12, probability: 0.05 },
            ],
            tokens: ['北', '京', '是', '中', '国', '的'],
          },
        },
      });
    });
    await p.waitForSelector('button.candidate, button');
    await reads(
      [
        zh('Next Tokens'),
        zh('model: {0}', 'gpt-tiny'),
        zh(
          'GPT reads only the left context. Bars: probability, 0 to 100%. Click to write a token at the cursor.',
        ),
      ],
      ['GPT reads only the left context', 'model:'],
    );
    await shot('webview-next-tokens');
  });
}

module.exports = { l10nScript, zhCnPanels };
