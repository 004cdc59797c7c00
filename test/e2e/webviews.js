// The webview bundles alone in headless chromium, fed messages as the host would send them, behind the
// same CSP as in VS Code: strings from a corpus or a model show as text, clicks send the right
// messages, and each panel is screenshotted.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { launch } = require('./browser');

const root = path.resolve(__dirname, '..', '..');
const shots = path.join(root, 'test-results', 'screenshots');
const results = { passes: 0, failures: 0 };

function page(entry) {
  return `<!DOCTYPE html><html><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src http://127.0.0.1:*; script-src 'nonce-abc' http://127.0.0.1:*; img-src http://127.0.0.1:* data:">
<link rel="stylesheet" href="/media/panel.css"><link rel="stylesheet" href="/theme.css"></head>
<body class="vscode-dark"><div id="app"></div>
<script nonce="abc" src="/stub.js"></script>
<script nonce="abc" src="/dist/webview/${entry}.js"></script></body></html>`;
}

// acquireVsCodeApi as VS Code provides it, recording what the panel posts
const stub = `window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => {} });`;
const theme = `body { --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-foreground: #ccc; --vscode-editor-background: #1e1e1e;
  --vscode-descriptionForeground: #999; --vscode-charts-blue: #3794ff; --vscode-charts-green: #89d185; --vscode-charts-orange: #d18616;
  --vscode-editor-findMatchHighlightBackground: #515c6a; --vscode-textBlockQuote-background: #2b2b2b; --vscode-textBlockQuote-border: #616161;
  --vscode-list-hoverBackground: #2a2d2e; --vscode-focusBorder: #007fd4; --vscode-editorWidget-border: #454545; --vscode-editor-font-family: monospace; }`;

function serve() {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]);
    if (url.startsWith('/page/')) return res.end(page(url.slice(6)));
    if (url === '/favicon.ico') return res.writeHead(204).end();
    if (url === '/stub.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(stub);
    if (url === '/theme.css') return res.writeHead(200, { 'content-type': 'text/css' }).end(theme);
    const file = path.join(root, url);
    if (!file.startsWith(root) || !fs.existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.endsWith('.css') ? 'text/css' : 'text/javascript' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}

async function test(name, fn) {
  try {
    await fn();
    results.passes++;
    console.log(`  ✔ ${name}`);
  } catch (e) {
    results.failures++;
    console.log(`  ✖ ${name}: ${e?.stack}`);
  }
}

const EVIL = '<img src=x onerror="window.pwned=1">';

(async () => {
  fs.mkdirSync(shots, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const { ctx, page: p } = await launch({ width: 900, height: 700 });
  const errors = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  p.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/.test(m.text())) errors.push(m.text());
  });

  await test('Predict Mask panel: corpus strings show as text; a click asks to apply that candidate', async () => {
    await p.goto(`${base}/page/predictMask`);
    await p.waitForFunction(() => window.posted.some((m) => m.type === 'ready'));
    await p.evaluate((evil) => {
      const view = {
        requestId: 7,
        model: `model ${evil}`,
        source: `The ${evil} said [MASK] and 北京是[MASK]国的首都。`,
        result: {
          masks: [
            {
              position: 4 + evil.length + 6,
              length: 6,
              candidates: [
                { token: evil, probability: 0.6 },
                { token: 'hello', probability: 0.3 },
              ],
            },
            {
              position: 4 + evil.length + 6 + 6 + 8,
              length: 6,
              candidates: [
                { token: '中', probability: 0.9 },
                { token: '美', probability: 0.05 },
              ],
            },
          ],
          filled: '',
        },
      };
      window.postMessage({ type: 'result', view }, '*');
    }, EVIL);
    await p.waitForSelector('button.candidate');
    const imgs = await p.$$eval('img', (x) => x.length);
    if (imgs !== 0) throw new Error(`an <img> was created from a corpus string (${imgs})`);
    const first = await p.$eval('button.candidate .token', (e) => e.textContent);
    if (first !== EVIL) throw new Error(`the token does not show as text: ${first}`);
    if (await p.evaluate(() => window.pwned)) throw new Error('a handler from a corpus string ran');
    await p.click('section.mask[data-mask="1"] button.candidate >> nth=1');
    const last = await p.evaluate(() => window.posted[window.posted.length - 1]);
    if (
      JSON.stringify(last) !==
      JSON.stringify({ type: 'apply', requestId: 7, maskIndex: 1, candidateIndex: 1 })
    )
      throw new Error(JSON.stringify(last));
    await p.evaluate(() => window.postMessage({ type: 'applied', maskIndex: 1, token: '美' }, '*'));
    await p.waitForSelector('mark.fill.applied');
    const sentence = await p.$eval('.sentence', (e) => e.textContent);
    if (!sentence.includes('北京是美国')) throw new Error(`sentence: ${sentence}`);
    await p.screenshot({ path: path.join(shots, 'webview-predict-mask.png') });
  });

  await test('Training panel: draws the charts and the masking sample; Cancel posts cancel', async () => {
    await p.goto(`${base}/page/training`);
    await p.waitForFunction(() => window.posted.some((m) => m.type === 'ready'));
    await p.evaluate((evil) => {
      const run = { model: `m${evil}`, preset: 'tiny', corpus: evil, totalSteps: 100, backend: 'wasm' };
      window.postMessage({ type: 'start', run }, '*');
      for (let s = 1; s <= 40; s++) {
        const progress = {
          step: s,
          totalSteps: 100,
          mlmLoss: 9 - s / 10,
          nspLoss: 0.69,
          mlmAccuracy: s / 100,
          nspAccuracy: 0.5 + s / 200,
          learningRate: 1e-3,
          tokensPerSecond: 2000,
          etaSeconds: 60 - s,
          elapsedSeconds: s,
        };
        const sample = {
          tokens: ['[CLS]', '[MASK]', 'cat', 'sat', '[SEP]'],
          original: ['[CLS]', evil, 'cat', 'dog', '[SEP]'],
          chosen: [
            { index: 1, treatment: 'mask' },
            { index: 2, treatment: 'keep' },
            { index: 3, treatment: 'random' },
          ],
          isRandomNext: false,
        };
        window.postMessage({ type: 'progress', progress, sample }, '*');
      }
    }, EVIL);
    await p.waitForFunction(() => document.getElementById('stat-step')?.textContent === '40 / 100');
    const label = await p.$eval('figure.chart canvas', (c) => c.getAttribute('aria-label'));
    if (!/MLM loss: 5\.000 at step 40/.test(label)) throw new Error(label);
    const chips = await p.$$eval('.sample .tok.mask, .sample .tok.random, .sample .tok.keep', (x) =>
      x.map((e) => e.textContent),
    );
    if (!chips.includes(`${EVIL}→[MASK]`) || !chips.includes('dog→sat') || !chips.includes('cat'))
      throw new Error(chips.join(' | '));
    if ((await p.$$eval('img', (x) => x.length)) !== 0)
      throw new Error('an <img> was created from a corpus string');
    await p.screenshot({ path: path.join(shots, 'webview-training.png'), fullPage: true });
    await p.click('#cancel');
    const last = await p.evaluate(() => window.posted[window.posted.length - 1]);
    if (last.type !== 'cancel') throw new Error(JSON.stringify(last));
  });

  await test('Attention panel: head, model and matrix views draw from a fixed tensor; hover, heads, threshold and merging change the drawing; exports parse', async () => {
    await p.goto(`${base}/page/attention`);
    await p.waitForFunction(() => window.posted.some((m) => m.type === 'ready'));
    await p.evaluate((evil) => {
      // 2 layers, 3 heads, 6 tokens; head h of layer l attends from i to (i + h + l) mod 6
      const tokens = ['[CLS]', 'play', '##ing', evil, '[SEP]', '北'];
      const T = tokens.length;
      const w = new Uint8Array(2 * 3 * T * T);
      for (let l = 0; l < 2; l++)
        for (let h = 0; h < 3; h++)
          for (let i = 0; i < T; i++) w[((l * 3 + h) * T + i) * T + ((i + h + l) % T)] = 255;
      window.postMessage(
        {
          type: 'attention',
          view: { model: 'm', tokens, segments: [0, 0, 0, 0, 0, 1], layers: 2, heads: 3, weights: w },
        },
        '*',
      );
    }, EVIL);
    await p.waitForSelector('#head-canvas');
    const lines = () => p.$eval('#head-canvas', (c) => Number(c.dataset.lines));
    if ((await lines()) !== 18) throw new Error(`head view: ${await lines()} lines, want 6 tokens x 3 heads`);
    await p.screenshot({ path: path.join(shots, 'webview-attention-head.png') });
    const box = await p.$eval('#head-canvas', (c) => {
      const r = c.getBoundingClientRect();
      return { x: r.x, y: r.y };
    });
    await p.mouse.move(box.x + 20, box.y + 5 + 18 * 1 + 9); // hover the left "play"
    if ((await lines()) !== 3)
      throw new Error(`hovering one source token should leave its 3 lines, got ${await lines()}`);
    await p.mouse.move(box.x + 800, box.y + 800);
    await p.dblclick('button.tile[data-head="1"]');
    if ((await lines()) !== 6) throw new Error(`one head should draw 6 lines, got ${await lines()}`);
    await p.click('#merge');
    await p.waitForFunction(() => document.body.dataset.tokens === '5');
    await p.selectOption('#mode', 'model');
    const thumbs = await p.$$eval('canvas.thumb', (x) => x.length);
    if (thumbs !== 6) throw new Error(`model view: ${thumbs} heat maps, want 2 x 3`);
    await p.screenshot({ path: path.join(shots, 'webview-attention-model.png') });
    await p.click('canvas.thumb[data-layer="0"][data-head="2"]');
    await p.waitForSelector('#matrix-canvas');
    const cells = () => p.$eval('#matrix-canvas', (c) => Number(c.dataset.cells));
    const before = await cells();
    await p.$eval('#threshold', (t) => {
      t.value = '0.9';
      t.dispatchEvent(new Event('input'));
    });
    const after = await cells();
    if (!(after < before)) throw new Error(`threshold 0.9 should hide cells: ${before} → ${after}`);
    // the matrix view follows the editor cursor: its row is outlined and its strongest targets named
    await p.evaluate(() => window.postMessage({ type: 'focusToken', index: 1 }, '*'));
    await p.waitForFunction(() => document.getElementById('matrix-canvas')?.dataset.focusRow === '1');
    const tipText = await p.$eval('#matrix-canvas', (c) => c.parentElement.querySelector('.tip').textContent);
    if (!/^cursor on ".+": attends most to /.test(tipText)) throw new Error(`matrix cursor tip: ${tipText}`);
    const vs = await p.evaluate(() => window.posted.filter((m) => m.type === 'viewState').pop());
    if (vs.heads.join() !== '2')
      throw new Error(`the editor highlight should follow the matrix head 3: ${JSON.stringify(vs)}`);
    await p.screenshot({ path: path.join(shots, 'webview-attention-matrix.png') });
    if ((await p.$$eval('img', (x) => x.length)) !== 0) throw new Error('an <img> was created from a token');
    // 400 tokens: the head view draws only the rows in view, and scrolling draws the next ones
    await p.selectOption('#mode', 'head');
    await p.evaluate(() => {
      const T = 400;
      const tokens = Array.from({ length: T }, (_, i) => `t${i}`);
      const w = new Uint8Array(1 * 1 * T * T);
      for (let i = 0; i < T; i++) w[i * T + ((i + 1) % T)] = 255;
      window.postMessage(
        {
          type: 'attention',
          view: { model: 'long', tokens, segments: tokens.map(() => 0), layers: 1, heads: 1, weights: w },
        },
        '*',
      );
    });
    await p.waitForFunction(() => document.body.dataset.tokens === '400');
    const rows = await p.$eval('#head-canvas', (c) => Number(c.dataset.rows));
    const h = await p.$eval('#head-canvas', (c) => c.getBoundingClientRect().height);
    if (!(rows < 40 && h <= 600)) throw new Error(`400 tokens drew ${rows} rows on a ${h}px canvas`);
    await p.$eval('.head-scroll', (s) => {
      s.scrollTop = 18 * 300;
      s.dispatchEvent(new Event('scroll'));
    });
    await p.waitForTimeout(100);
    const shown = await p.evaluate(() => document.getElementById('head-canvas').dataset.lines);
    if (!(Number(shown) > 0)) throw new Error('after scrolling, no lines are drawn');
    await p.screenshot({ path: path.join(shots, 'webview-attention-long.png') });
    await p.click('#export-svg');
    const svg = await p.evaluate(() => window.posted[window.posted.length - 1]);
    const parsed = await p.evaluate(
      (d) =>
        new DOMParser().parseFromString(d, 'image/svg+xml').querySelector('parsererror') === null &&
        d.startsWith('<svg'),
      svg.data,
    );
    if (svg.format !== 'svg' || !parsed) throw new Error('the SVG export does not parse');
    await p.click('#export-png');
    const png = await p.evaluate(() => window.posted[window.posted.length - 1]);
    const size = await p.evaluate(async (u) => {
      const im = new Image();
      im.src = u;
      await im.decode();
      return im.width * im.height;
    }, png.data);
    if (png.format !== 'png' || !(size > 0)) throw new Error('the PNG export does not decode');
  });

  await test('Embedding Explorer: 10,000 points stay interactive; hover, click, search, analogy, PCA/UMAP/t-SNE, export, contextual', async () => {
    await p.setViewportSize({ width: 380, height: 1500 });
    await p.goto(`${base}/page/explorer`);
    await p.waitForFunction(() => window.posted.some((m) => m.type === 'ready'));
    await p.evaluate((evil) => {
      const N = 10000;
      const D = 16;
      let r = 7;
      const rnd = () => {
        r ^= r << 13;
        r ^= r >>> 17;
        r ^= r << 5;
        return (r >>> 0) / 4294967296 - 0.5;
      };
      const words = Array.from({ length: N }, (_, i) =>
        i === 0 ? 'play' : i === 1 ? '北京' : i === 2 ? evil : `w${i}`,
      );
      const vecs = new Float32Array(N * D);
      for (let i = 0; i < N; i++) for (let c = 0; c < D; c++) vecs[i * D + c] = (c === i % 5 ? 3 : 0) + rnd();
      const unit = (i) => {
        let s = 0;
        for (let c = 0; c < D; c++) s += vecs[i * D + c] ** 2;
        return Math.sqrt(s);
      };
      const cos = (i, j) => {
        let s = 0;
        for (let c = 0; c < D; c++) s += vecs[i * D + c] * vecs[j * D + c];
        return s / unit(i) / unit(j);
      };
      const reply = (m) => window.postMessage(m, '*');
      let seen = 0;
      window.hostLog = [];
      setInterval(() => {
        while (seen < window.posted.length) {
          const m = window.posted[seen++];
          window.hostLog.push(m.type === 'query' ? `${m.type}:${m.query.op}` : m.type);
          if (m.type === 'query') {
            const q = m.query;
            if (q.op === 'neighbours') {
              const i = words.indexOf(q.word);
              if (i < 0) {
                reply({
                  type: 'answer',
                  id: m.id,
                  answer: {
                    error: `"${q.word}" is not in the model's vocabulary (10,000 words); closest spellings: play.`,
                    suggestions: ['play'],
                  },
                });
                continue;
              }
              const scored = [];
              for (let j = 0; j < 2000; j++) if (j !== i) scored.push({ word: words[j], score: cos(i, j) });
              scored.sort((a, b) => b.score - a.score);
              reply({ type: 'answer', id: m.id, answer: { neighbours: scored.slice(0, q.k) } });
            } else if (q.op === 'search') {
              let re;
              try {
                re = q.regex ? new RegExp(q.query, 'iu') : undefined;
              } catch {
                reply({
                  type: 'answer',
                  id: m.id,
                  answer: { error: `"${q.query}" is not a valid regular expression.` },
                });
                continue;
              }
              const hits = words.filter((w) => (re ? re.test(w) : w.includes(q.query)));
              reply({
                type: 'answer',
                id: m.id,
                answer: { words: hits.slice(0, q.limit), total: hits.length },
              });
            } else if (q.op === 'analogy') {
              reply({
                type: 'answer',
                id: m.id,
                answer: {
                  neighbours: [
                    { word: 'w10', score: 0.9 },
                    { word: evil, score: 0.5 },
                  ],
                },
              });
            }
          } else if (m.type === 'table') {
            const ids = m.words
              ? m.words.map((w) => words.indexOf(w)).filter((i) => i >= 0)
              : Array.from({ length: Math.min(N, m.top) }, (_, i) => i);
            const v = new Float32Array(ids.length * D);
            ids.forEach((id, j) => {
              v.set(vecs.subarray(id * D, (id + 1) * D), j * D);
            });
            reply({
              type: 'table',
              id: m.id,
              table: {
                words: ids.map((i) => words[i]),
                counts: ids.map((i) => N - i),
                dim: D,
                vectors: v,
                total: N,
              },
            });
          }
        }
      }, 5);
      reply({
        type: 'models',
        models: [{ id: '/m', name: `m ${evil}`, kind: 'word2vec', detail: 'word2vec skip-gram' }],
        selected: '/m',
      });
      reply({
        type: 'info',
        info: {
          dir: '/m',
          type: 'word2vec',
          algo: 'skipgram',
          dim: D,
          vocabSize: N,
          source: 'pretrain-lab',
          bert: false,
          top: words.slice(0, 20),
          epochsDone: 5,
          epochs: 5,
          epochLosses: [2.1, 1.9],
        },
      });
    }, EVIL);
    const status = () => p.$eval('#projection-status', (e) => e.textContent);
    await p.waitForFunction(() => window.explorer.projected?.words.length === 1000);
    if (!/PCA of 1,000 words \(16 dimensions\).*Explained variance: PC1 \d+\.\d%/.test(await status()))
      throw new Error(`PCA status: ${await status()}`);
    // 10,000 points, then pan: every frame under 100 ms
    await p.fill('#top-n', '10000');
    await p.$eval('#top-n', (e) => e.blur());
    await p.waitForFunction(() => window.explorer.projected?.words.length === 10000);
    const box = await p.$eval('.ex-plot canvas', (c) => {
      const r = c.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    });
    const frames = [];
    await p.mouse.move(box.x + box.w / 2, box.y + box.h / 2);
    await p.mouse.down();
    for (let i = 0; i < 20; i++) {
      await p.mouse.move(box.x + box.w / 2 + i * 4, box.y + box.h / 2 + i * 2);
      await p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      frames.push(await p.evaluate(() => window.explorer.scatter.lastFrameMs));
    }
    await p.mouse.up();
    const worst = Math.max(...frames);
    console.log(
      `    10,000 points: frame while panning median ${frames.sort((a, b) => a - b)[10].toFixed(1)} ms, worst ${worst.toFixed(1)} ms`,
    );
    if (!(worst < 100)) throw new Error(`a frame with 10,000 points took ${worst} ms`);
    // back to 1,000; hover "play" shows it, a click lists its neighbours
    await p.fill('#top-n', '1000');
    await p.$eval('#top-n', (e) => e.blur());
    await p.waitForFunction(() => window.explorer.projected?.words.length === 1000);
    const [sx, sy] = await p.evaluate(() => window.explorer.scatter.screenOf(0));
    await p.mouse.move(box.x + sx, box.y + sy);
    await p.waitForFunction(() => document.getElementById('tip').textContent.startsWith('play'));
    await p.mouse.click(box.x + sx, box.y + sy);
    await p.waitForFunction(() => document.querySelectorAll('#neighbours li').length === 10);
    // the k slider asks for more
    await p.$eval('#k', (e) => {
      e.value = '25';
      e.dispatchEvent(new Event('change'));
    });
    await p.waitForFunction(() => document.querySelectorAll('#neighbours li').length === 25);
    // an unknown word offers the closest spelling, which can be clicked
    await p.fill('#word', 'plai');
    await p.press('#word', 'Enter');
    await p.waitForFunction(() => document.querySelector('.ex-chip')?.textContent === 'play');
    const msg = await p.$eval('#neighbours', (e) => e.parentElement.querySelector('.error').textContent);
    if (!/not in the model's vocabulary/.test(msg)) throw new Error(`unknown word message: ${msg}`);
    await p.click('.ex-msg .ex-chip');
    await p.waitForFunction(() => document.querySelectorAll('#neighbours li').length === 25);
    // search, regex, and a bad pattern
    await p.fill('#search', 'w12');
    await p.waitForFunction(() => /matches/.test(document.getElementById('search-results').textContent));
    await p.click('#regex');
    await p.fill('#search', '(');
    await p.waitForFunction(() =>
      /not a valid regular expression/.test(document.getElementById('search-results').textContent),
    );
    // analogy: corpus strings are text
    await p.fill('#analogy-a', 'king');
    await p.fill('#analogy-b', 'man');
    await p.fill('#analogy-c', 'woman');
    await p.click('#analogy-go');
    await p.waitForFunction(() => document.querySelectorAll('#analogy-results li').length === 2);
    // a Chinese word: its point is labelled in the plot, its neighbours listed
    await p.fill('#word', '北京');
    await p.press('#word', 'Enter');
    await p.waitForFunction(() => document.querySelector('#neighbours li .token')?.textContent.length > 0);
    await p.waitForFunction(() =>
      /cosine similarity to "北京"/.test(
        document.getElementById('neighbours').previousElementSibling.textContent,
      ),
    );
    await p.screenshot({ path: path.join(shots, 'webview-explorer.png'), fullPage: true });
    await p.fill('#word', 'play');
    await p.press('#word', 'Enter');
    await p.waitForFunction(() =>
      /cosine similarity to "play"/.test(
        document.getElementById('neighbours').previousElementSibling.textContent,
      ),
    );
    // t-SNE on 10,000 points is sampled and says so; it animates and pauses
    await p.fill('#top-n', '10000');
    await p.$eval('#top-n', (e) => e.blur());
    await p.selectOption('#method', 'tsne');
    await p.waitForFunction(() =>
      /Showing 1,500 of 10,000 points/.test(document.getElementById('projection-status').textContent),
    );
    await p.waitForFunction(() => window.explorer.animating);
    await p.click('#pause');
    if (await p.evaluate(() => window.explorer.animating)) throw new Error('pause did not stop t-SNE');
    // UMAP in 3D on 300 words, animated
    await p.fill('#top-n', '300');
    await p.$eval('#top-n', (e) => e.blur());
    await p.selectOption('#dims', '3');
    await p.selectOption('#method', 'umap');
    await p.waitForFunction(() =>
      /UMAP \(umap-js\) of 300 words: epoch (\d\d+)/.test(
        document.getElementById('projection-status').textContent,
      ),
    );
    if ((await p.evaluate(() => window.explorer.projected.dims)) !== 3)
      throw new Error('3D was not projected');
    await p.screenshot({ path: path.join(shots, 'webview-explorer-umap.png') });
    if (await p.isVisible('#pause')) await p.click('#pause');
    // isolate: only the word and its 25 neighbours
    await p.selectOption('#method', 'pca');
    await p.waitForFunction(() => window.explorer.projected?.words.length === 300);
    await p.click('#isolate');
    await p.waitForFunction(() => window.explorer.projected?.words.length === 26);
    // export the projection
    const before = await p.evaluate(() => window.posted.length);
    await p.click('#export-csv');
    const exp = await p.evaluate((n) => window.posted.slice(n).find((m) => m.type === 'export'), before);
    const lines = exp.data.trim().split('\n');
    if (lines[0] !== 'word,x,y,z,count,selected' || lines.length !== 27)
      throw new Error(`CSV export: ${lines[0]} … ${lines.length} lines`);
    // static vs contextual: two senses of "play" fall into two clusters; the list is text; a click opens the line
    await p.evaluate((evil) => {
      const D = 8;
      const occ = [];
      const v = new Float32Array(20 * D);
      for (let i = 0; i < 20; i++) {
        const sense = i % 2;
        for (let c = 0; c < D; c++) v[i * D + c] = (c === sense ? 2 : 0) + ((i * 7 + c * 3) % 5) * 0.05;
        occ.push({
          file: '/w/a.txt',
          line: i,
          start: 4,
          end: 8,
          context: sense ? `we play ${evil} football` : 'the play opened on broadway',
          label: `a.txt:${i + 1}`,
        });
      }
      window.postMessage(
        {
          type: 'contextual',
          data: {
            word: 'play',
            layer: 2,
            layers: 2,
            dim: D,
            bertModel: 'starter',
            occurrences: occ,
            vectors: v,
            total: 20,
            staticModel: 'w2v',
            staticNeighbours: [{ word: 'game', score: 0.8 }],
          },
        },
        '*',
      );
    }, EVIL);
    await p.waitForFunction(() => document.querySelectorAll('h4.ex-cluster').length === 2);
    const clusters = await p.$$eval('h4.ex-cluster', (h) => h.map((x) => x.textContent));
    if (clusters.join('|') !== 'Cluster A (10)|Cluster B (10)') throw new Error(`clusters: ${clusters}`);
    await p.$eval('#ctx-clusters', (e) => e.scrollIntoView());
    await p.screenshot({ path: path.join(shots, 'webview-explorer-contextual.png'), fullPage: true });
    const n0 = await p.evaluate(() => window.posted.length);
    await p.click('#ctx-clusters button.ex-link');
    const open = await p.evaluate((n) => window.posted.slice(n).find((m) => m.type === 'openOccurrence'), n0);
    if (!open || typeof open.index !== 'number')
      throw new Error('clicking an occurrence did not ask to open it');
    if ((await p.$$eval('img', (x) => x.length)) !== 0 || (await p.evaluate(() => window.pwned)))
      throw new Error('a corpus string became HTML');
    await p.setViewportSize({ width: 900, height: 700 });
  });

  await test('no script errors and no CSP violations in the panels', async () => {
    if (errors.length) throw new Error(errors.join('\n'));
  });

  await ctx.close();
  server.close();
  fs.writeFileSync(path.join(root, 'test-results', 'webviews.json'), JSON.stringify(results));
  console.log(`webviews: ${results.passes} passed, ${results.failures} failed`);
  process.exit(results.failures ? 1 : 0);
})().catch((e) => {
  console.error('webview tests crashed:', e);
  process.exit(2);
});
