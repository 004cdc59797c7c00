// The webview bundles alone in headless chromium, fed messages as the host would send them, behind the
// same CSP as in VS Code: strings from a corpus or a model show as text, clicks send the right
// messages, and each panel is screenshotted.
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { launch } = require('./browser');
const { l10nScript, zhCnPanels } = require('./webviewsZh');

const root = path.resolve(__dirname, '..', '..');
const shots = path.join(root, 'test-results', 'screenshots');
const results = { passes: 0, failures: 0 };

function page(entry, lang = 'en') {
  return `<!DOCTYPE html><html lang="${lang}"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src http://127.0.0.1:*; script-src 'nonce-abc' http://127.0.0.1:*; img-src http://127.0.0.1:* data:">
<link rel="stylesheet" href="/media/panel.css"><link rel="stylesheet" href="/theme.css"></head>
<body class="vscode-dark">${l10nScript(lang)}<div id="app"></div>
<script nonce="abc" src="/stub.js"></script>
<script nonce="abc" src="/dist/webview/${entry}.js"></script></body></html>`;
}

// acquireVsCodeApi as VS Code provides it, recording what the panel posts. Every panel speaks RPC
// (src/shared/rpc.ts): what the host tells it is a request (hostPush), what it asks or tells the host is
// a request too (sent() lists their bodies; its answers to pushes and cancels are left out).
// pushAttention sends an attention view: one layer, one head, all segment 0 unless it says otherwise.
const stub = `window.posted = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.posted.push(m), getState: () => undefined, setState: () => {} });
window.pushId = 100000; window.hostPush = (body) => window.postMessage({ rpc: 'request', id: window.pushId++, body }, '*');
window.sent = () => window.posted.filter((m) => m.rpc === 'request').map((m) => m.body);
window.pushAttention = (view) => window.hostPush({ type: 'attention', view: { segments: view.tokens.map(() => 0), layers: 1, heads: 1, ...view } });`;
const theme = `body { --vscode-font-family: sans-serif; --vscode-font-size: 13px; --vscode-foreground: #ccc; --vscode-editor-background: #1e1e1e;
  --vscode-descriptionForeground: #999; --vscode-charts-blue: #3794ff; --vscode-charts-green: #89d185; --vscode-charts-orange: #d18616;
  --vscode-editor-findMatchHighlightBackground: #515c6a; --vscode-textBlockQuote-background: #2b2b2b; --vscode-textBlockQuote-border: #616161;
  --vscode-list-hoverBackground: #2a2d2e; --vscode-focusBorder: #007fd4; --vscode-editorWidget-border: #454545; --vscode-editor-font-family: monospace; }`;

function serve() {
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url.split('?')[0]);
    if (url.startsWith('/page/')) return res.end(page(url.slice(6)));
    if (url.startsWith('/page-zh-cn/')) return res.end(page(url.slice(12), 'zh-cn'));
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
  // a panel's page, once its script has told the host it is ready
  const openPanel = async (entry) => {
    await p.goto(`${base}/page/${entry}`);
    await p.waitForFunction(() => window.sent().some((m) => m.type === 'ready'));
  };
  // a Predict Mask result as the host sends it: each mask [position, [token, probability]...] over a
  // "[MASK]" (6 characters) of the source
  const pushPrediction = (head, masks) =>
    p.evaluate((view) => window.hostPush({ type: 'result', view }), {
      ...head,
      result: {
        masks: masks.map(([position, ...candidates]) => ({
          position,
          length: 6,
          candidates: candidates.map(([token, probability]) => ({ token, probability })),
        })),
        filled: '',
      },
    });

  await test('Predict Mask panel: corpus strings show as text; a click asks to apply that candidate', async () => {
    await openPanel('predictMask');
    const firstMask = 4 + EVIL.length + 6; // after "The <evil> said "
    await pushPrediction(
      { requestId: 7, model: `model ${EVIL}`, source: `The ${EVIL} said [MASK] and 北京是[MASK]国的首都。` },
      [
        [firstMask, [EVIL, 0.6], ['hello', 0.3]],
        [firstMask + 6 + 8, ['中', 0.9], ['美', 0.05]],
      ],
    );
    await p.waitForSelector('button.candidate');
    const imgs = await p.$$eval('img', (x) => x.length);
    if (imgs !== 0) throw new Error(`an <img> was created from a corpus string (${imgs})`);
    const first = await p.$eval('button.candidate .token', (e) => e.textContent);
    if (first !== EVIL) throw new Error(`the token does not show as text: ${first}`);
    if (await p.evaluate(() => window.pwned)) throw new Error('a handler from a corpus string ran');
    await p.click('section.mask[data-mask="1"] button.candidate >> nth=1');
    const last = await p.evaluate(() => window.sent().pop());
    if (
      JSON.stringify(last) !==
      JSON.stringify({ type: 'apply', requestId: 7, maskIndex: 1, candidateIndex: 1 })
    )
      throw new Error(JSON.stringify(last));
    await p.evaluate(() => window.hostPush({ type: 'applied', maskIndex: 1, token: '美' }));
    await p.waitForSelector('mark.fill.applied');
    const sentence = await p.$eval('.sentence', (e) => e.textContent);
    if (!sentence.includes('北京是美国')) throw new Error(`sentence: ${sentence}`);
    // a candidate the host refuses: its sentence travels back and shows in the panel
    await p.click('section.mask[data-mask="0"] button.candidate >> nth=1');
    await p.evaluate(() => {
      const asked = window.posted.filter((m) => m.rpc === 'request' && m.body.type === 'apply').pop();
      window.postMessage(
        {
          rpc: 'error',
          inReplyTo: asked.id,
          message:
            'The text at that mask changed since the prediction (it no longer reads "[MASK]"); run Predict Mask again.',
        },
        '*',
      );
    });
    await p.waitForSelector('p.apply-error');
    const refusal = await p.$eval('p.apply-error', (e) => e.textContent);
    if (!/^The text at that mask changed since the prediction/.test(refusal))
      throw new Error(`refusal: ${refusal}`);
    await p.screenshot({ path: path.join(shots, 'webview-predict-mask.png') });
  });

  await test('Predict Mask panel: bars on a fixed 0–100% scale, two masks said to be independent, the panel follows the document, a stale panel offers Predict again', async () => {
    await openPanel('predictMask');
    const source = '苏轼是北宋[MASK][MASK]家。';
    await pushPrediction(
      { requestId: 9, model: 'starter', source, uri: 'file:///ws/try-predict-mask.txt', offset: 40 },
      [
        [5, ['文', 0.5], ['-', 0.0027]],
        [11, ['学', 0.997], ['(', 0.001]],
      ],
    );
    await p.waitForSelector('button.candidate');
    // a bar is as long as the probability: 50% fills half its track, 0.27% a sliver, 99.7% nearly all
    const shares = await p.$$eval('button.candidate', (bs) =>
      bs.map((b) => b.querySelector('.bar').offsetWidth / b.querySelector('.barwrap').clientWidth),
    );
    if (!(Math.abs(shares[0] - 0.5) < 0.03 && shares[1] < 0.02 && shares[2] > 0.97))
      throw new Error(`bar lengths ${shares.map((x) => x.toFixed(3))}: not on a 0–1 scale`);
    const scale = await p.$eval('.scale-note', (e) => e.textContent);
    if (!/fixed scale, 0 to 100%/.test(scale)) throw new Error(`scale note: ${scale}`);
    const independent = await p.$eval('p.independent', (e) => e.textContent);
    if (!/2 masks are predicted independently/.test(independent))
      throw new Error(`two masks: ${independent}`);
    // the host wrote a candidate, then an undo took it out: the panel unmarks it
    await p.evaluate(() => window.hostPush({ type: 'applied', maskIndex: 0, token: '-' }));
    await p.waitForSelector('button.candidate.applied');
    await p.evaluate(() => window.hostPush({ type: 'follow', applied: [null, null] }));
    await p.waitForFunction(() => !document.querySelector('button.candidate.applied, mark.fill.applied'));
    // the text at a mask was edited by hand: stale, with Predict again
    await p.evaluate(() =>
      window.hostPush({
        type: 'follow',
        applied: [null, null],
        stale:
          'The text at mask 1 was edited since the prediction, so its candidates can no longer be written; predict again.',
      }),
    );
    await p.waitForSelector('.stale #predict-again');
    if (!(await p.$$eval('button.candidate', (bs) => bs.every((b) => b.disabled))))
      throw new Error('the candidates of a stale prediction can still be clicked');
    await p.evaluate(() => window.hostPush({ type: 'follow', applied: [null, null] }));
    await p.waitForFunction(() => !document.querySelector('.stale'));
    // a panel restored after a reload: the host says it is stale; Predict again names the text and place
    await p.evaluate(() =>
      window.hostPush({
        type: 'stale',
        reason:
          'This prediction is from before the window was reloaded, so its candidates can no longer be written into the text; predict again.',
      }),
    );
    await p.waitForSelector('.stale #predict-again');
    const banner = await p.$eval('.stale', (e) => e.textContent);
    if (!/from before the window was reloaded/.test(banner)) throw new Error(`banner: ${banner}`);
    await p.screenshot({ path: path.join(shots, 'webview-predict-mask-stale.png') });
    await p.click('#predict-again');
    const again = await p.evaluate(() => window.sent().pop());
    if (
      JSON.stringify(again) !==
      JSON.stringify({ type: 'predictAgain', source, uri: 'file:///ws/try-predict-mask.txt', offset: 40 })
    )
      throw new Error(JSON.stringify(again));
  });

  await test('Training panel: draws the charts and the masking sample; Cancel posts cancel', async () => {
    await openPanel('training');
    await p.evaluate((evil) => {
      const run = {
        kind: 'bert',
        family: 'BERT tiny',
        model: `m${evil}`,
        corpus: evil,
        unit: 'step',
        total: 100,
        backend: 'wasm',
      };
      window.hostPush({ type: 'start', run });
      for (let s = 1; s <= 40; s++) {
        const maskingSample = {
          tokens: ['[CLS]', '[MASK]', 'cat', 'sat', '[SEP]'],
          original: ['[CLS]', evil, 'cat', 'dog', '[SEP]'],
          chosen: [
            { index: 1, treatment: 'mask' },
            { index: 2, treatment: 'keep' },
            { index: 3, treatment: 'random' },
          ],
          isRandomNext: false,
        };
        // as the BERT job kind turns the engine's TrainProgress into a JobProgress
        const progress = {
          unit: 'step',
          done: s,
          total: 100,
          position: s,
          fraction: s / 100,
          etaSeconds: 60 - s,
          metrics: [
            { id: 'mlm-loss', name: 'MLM loss', value: 9 - s / 10, format: 'loss', brief: true },
            { id: 'mlm-acc', name: 'MLM accuracy', value: s / 100, format: 'percent' },
            { id: 'nsp-acc', name: 'NSP accuracy', value: 0.5 + s / 200, format: 'percent' },
            { id: 'tps', name: 'tokens/s', value: 2000, format: 'rate', brief: true },
          ],
          extras: { maskingSample },
        };
        window.hostPush({ type: 'progress', progress });
      }
    }, EVIL);
    await p.waitForFunction(() => document.getElementById('stat-step')?.textContent === '40 / 100');
    const label = await p.$eval('figure.chart canvas', (c) => c.getAttribute('aria-label'));
    if (!/MLM loss: 5\.000 at step 40/.test(label)) throw new Error(label);
    // one unit per quantity: the accuracy chart reads in % as the number above it does
    const accLabel = await p.$eval('figure.chart:nth-child(2) canvas', (c) => c.getAttribute('aria-label'));
    if (accLabel !== 'MLM accuracy: 40.0% at step 40') throw new Error(`accuracy chart: ${accLabel}`);
    // the charts share the panel's width: a row of them spans (nearly) all of it
    const span = await p.evaluate(() => {
      const figs = [...document.querySelectorAll('figure.chart')].map((f) => f.getBoundingClientRect());
      const top = figs[0].top;
      const row = figs.filter((r) => Math.abs(r.top - top) < 2);
      return {
        used: Math.max(...row.map((r) => r.right)) - row[0].left,
        panel: document.getElementById('app').clientWidth,
      };
    });
    if (!(span.used > span.panel * 0.9 && span.used <= span.panel + 1))
      throw new Error(`the charts use ${span.used}px of a ${span.panel}px panel`);
    // room below the content for VS Code's notifications
    const pad = await p.evaluate(() => parseFloat(getComputedStyle(document.body).paddingBottom));
    if (!(pad >= 120)) throw new Error(`bottom padding ${pad}px: notifications would cover the panel`);
    const captions = await p.$$eval('figure.chart figcaption', (x) => x.map((e) => e.textContent));
    if (captions.join('|') !== 'MLM loss|MLM accuracy|NSP accuracy|tokens/s')
      throw new Error(`charts: ${captions.join(' | ')}`);
    const acc = await p.$eval('#stat-mlm-acc', (e) => e.textContent);
    if (acc !== '40.0%') throw new Error(`MLM accuracy: ${acc}`);
    const eta = await p.$eval('#stat-eta', (e) => e.textContent);
    if (eta !== '20 s') throw new Error(`ETA: ${eta}`);
    const chips = await p.$$eval('.sample .tok.mask, .sample .tok.random, .sample .tok.keep', (x) =>
      x.map((e) => e.textContent),
    );
    if (!chips.includes(`${EVIL}→[MASK]`) || !chips.includes('dog→sat') || !chips.includes('cat'))
      throw new Error(chips.join(' | '));
    if ((await p.$$eval('img', (x) => x.length)) !== 0)
      throw new Error('an <img> was created from a corpus string');
    await p.screenshot({ path: path.join(shots, 'webview-training.png'), fullPage: true });
    await p.click('#cancel');
    const last = await p.evaluate(() => window.sent().pop());
    if (last.type !== 'cancel') throw new Error(JSON.stringify(last));
    await p.evaluate(() =>
      window.hostPush({ type: 'finished', status: 'cancelled', message: 'Training cancelled at step 40.' }),
    );
    await p.waitForFunction(() => document.getElementById('status')?.textContent === 'cancelled');
    if (await p.$('#cancel')) throw new Error('Cancel is still offered after the job ended');
  });

  await test('Training panel: a word2vec job draws loss and words/s charts by epoch, and a point per epoch mean', async () => {
    await openPanel('training');
    await p.evaluate((evil) => {
      const run = {
        kind: 'word2vec',
        family: 'word2vec skip-gram',
        model: 'w2v',
        corpus: evil,
        unit: 'epoch',
        total: 3,
      };
      window.hostPush({ type: 'start', run });
      // four reports an epoch over two epochs, as the word2vec job kind sends them
      const perEpoch = 1000;
      for (let i = 1; i <= 8; i++) {
        const epoch = Math.ceil(i / 4);
        const metrics = [
          { id: 'loss', name: 'loss', value: 4 - i * 0.25, format: 'loss', brief: true },
          { id: 'wps', name: 'words/s', value: 100000 + i * 1000, format: 'rate', brief: true },
        ];
        if (i % 4 === 0)
          metrics.push({ id: 'epoch-loss', name: 'mean loss per epoch', value: 4 - i * 0.2, format: 'loss' });
        const progress = {
          unit: 'epoch',
          done: epoch,
          total: 3,
          position: (i * perEpoch) / 4 / perEpoch,
          fraction: i / 12,
          etaSeconds: 12 - i,
          metrics,
        };
        window.hostPush({ type: 'progress', progress });
      }
    }, EVIL);
    await p.waitForFunction(() => document.getElementById('stat-step')?.textContent === '2 / 3');
    const charts = await p.$$eval('figure.chart', (figs) =>
      figs.map((f) => ({
        caption: f.querySelector('figcaption').textContent,
        label: f.querySelector('canvas').getAttribute('aria-label'),
      })),
    );
    const loss = charts.find((c) => c.caption === 'loss');
    if (loss?.label !== 'loss: 2.000 at epoch 2') throw new Error(JSON.stringify(charts));
    // the loss line is really drawn: its canvas has pixels in the chart's colour
    const drawn = await p.$eval('figure.chart canvas', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 200 && d[i] < 120 && d[i + 3] > 0) n++;
      return n;
    });
    if (drawn < 50) throw new Error(`the loss chart has ${drawn} line pixels`);
    const wps = charts.find((c) => c.caption === 'words/s');
    if (!wps || !/^words\/s: 108,000 at epoch 2$/.test(wps.label)) throw new Error(JSON.stringify(charts));
    const mean = charts.find((c) => c.caption === 'mean loss per epoch');
    if (mean?.label !== 'mean loss per epoch: 2.400 at epoch 2') throw new Error(JSON.stringify(charts));
    const rate = await p.$eval('#stat-wps', (e) => e.textContent);
    if (rate !== '108,000') throw new Error(`words/s: ${rate}`);
    const head = await p.$eval('p.muted', (e) => e.textContent);
    if (head !== `word2vec skip-gram · corpus: ${EVIL}`) throw new Error(`heading: ${head}`);
    if (await p.$('.sample')) throw new Error('a word2vec job shows a masking sample');
    if ((await p.$$eval('img', (x) => x.length)) !== 0)
      throw new Error('an <img> was created from a corpus string');
    await p.screenshot({ path: path.join(shots, 'webview-training-word2vec.png'), fullPage: true });
  });

  await test('Attention panel: head, model and matrix views draw from a fixed tensor; hover, heads, threshold and merging (words from the engine) change the drawing; the tooltip names two tokens and a 3-decimal weight; a 512-token matrix fits the panel and zooms; exports parse', async () => {
    await openPanel('attention');
    await p.evaluate((evil) => {
      // 2 layers, 3 heads, 6 tokens; head h of layer l attends from i to (i + h + l) mod 6
      const tokens = ['[CLS]', 'play', '##ing', evil, '[SEP]', '北'];
      // the words as the engine's tokenizer made them, written as in the selection
      const words = [
        { start: 0, end: 1, text: '[CLS]' },
        { start: 1, end: 3, text: 'Playing' },
        { start: 3, end: 4, text: evil },
        { start: 4, end: 5, text: '[SEP]' },
        { start: 5, end: 6, text: '北' },
      ];
      const T = tokens.length;
      const w = new Uint16Array(2 * 3 * T * T); // steps of 1/65535
      for (let l = 0; l < 2; l++)
        for (let h = 0; h < 3; h++)
          for (let i = 0; i < T; i++) w[((l * 3 + h) * T + i) * T + ((i + h + l) % T)] = 65535;
      window.hostPush({
        type: 'attention',
        view: { model: 'm', tokens, words, segments: [0, 0, 0, 0, 0, 1], layers: 2, heads: 3, weights: w },
      });
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
    await p.evaluate(() => window.hostPush({ type: 'focusToken', index: 1 }));
    await p.waitForFunction(() => document.getElementById('matrix-canvas')?.dataset.focusRow === '1');
    const tipText = await p.$eval('#matrix-canvas', (c) => c.parentElement.querySelector('.tip').textContent);
    if (!/^cursor on "Playing": attends most to .+ \d\.\d{3}/.test(tipText))
      throw new Error(`matrix cursor tip: ${tipText}`);
    // hovering a cell names its two words (merged by the engine's groups) and the weight to 3 decimals:
    // "Playing" (tokens 1, 2) attends in head 3 of layer 1 from 1 to 3 and from 2 to 4, so half to each
    const cellAt = (i, j) =>
      p.$eval(
        '#matrix-canvas',
        (c, [i, j]) => {
          const r = c.getBoundingClientRect();
          const cell = Number(c.dataset.cell);
          return { x: r.x + 90 + (j + 0.5) * cell, y: r.y + 90 + (i + 0.5) * cell };
        },
        [i, j],
      );
    const at12 = await cellAt(1, 2);
    await p.mouse.move(at12.x, at12.y);
    const hoverTip = await p.$eval('#matrix-tip', (t) => t.textContent);
    if (hoverTip !== `Playing → ${EVIL}: 0.500`) throw new Error(`matrix hover tip: ${hoverTip}`);
    await p.mouse.move(5, 5);
    if (!(await p.$eval('#matrix-tip', (t) => t.textContent)).startsWith('cursor on "Playing"'))
      throw new Error('leaving the matrix should bring back the cursor line');
    const vs = await p.evaluate(() =>
      window
        .sent()
        .filter((m) => m.type === 'viewState')
        .pop(),
    );
    if (vs.heads.join() !== '2')
      throw new Error(`the editor highlight should follow the matrix head 3: ${JSON.stringify(vs)}`);
    await p.screenshot({ path: path.join(shots, 'webview-attention-matrix.png') });
    if ((await p.$$eval('img', (x) => x.length)) !== 0) throw new Error('an <img> was created from a token');
    // 400 tokens: the head view draws only the rows in view, and scrolling draws the next ones
    await p.selectOption('#mode', 'head');
    await p.evaluate(() => {
      const T = 400;
      const tokens = Array.from({ length: T }, (_, i) => `t${i}`);
      const words = tokens.map((text, i) => ({ start: i, end: i + 1, text }));
      const w = new Uint16Array(1 * 1 * T * T);
      for (let i = 0; i < T; i++) w[i * T + ((i + 1) % T)] = 65535;
      window.pushAttention({ model: 'long', tokens, words, weights: w });
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
    const svg = await p.evaluate(() => window.sent().pop());
    const parsed = await p.evaluate(
      (d) =>
        new DOMParser().parseFromString(d, 'image/svg+xml').querySelector('parsererror') === null &&
        d.startsWith('<svg'),
      svg.data,
    );
    if (svg.format !== 'svg' || !parsed) throw new Error('the SVG export does not parse');
    await p.click('#export-png');
    const png = await p.evaluate(() => window.sent().pop());
    const size = await p.evaluate(async (u) => {
      const im = new Image();
      im.src = u;
      await im.decode();
      return im.width * im.height;
    }, png.data);
    if (png.format !== 'png' || !(size > 0)) throw new Error('the PNG export does not decode');
    // 512 tokens, merged two by two by the engine's groups (no "##" in sight): the words come from it
    await p.evaluate(() => {
      const T = 512;
      const tokens = Array.from({ length: T }, (_, i) => `t${i}`);
      const words = Array.from({ length: T / 2 }, (_, k) => ({
        start: 2 * k,
        end: 2 * k + 2,
        text: `w${k}`,
      }));
      const w = new Uint16Array(T * T);
      for (let i = 0; i < T; i++) {
        w.fill(Math.round(65535 / T), i * T, (i + 1) * T); // weights near 0.002, as at 512 tokens
        w[i * T + ((i + 1) % T)] = Math.round(65535 * 0.25);
      }
      window.pushAttention({ model: 'long', tokens, words, weights: w });
    });
    await p.waitForFunction(() => document.body.dataset.tokens === '256');
    await p.click('#merge');
    await p.waitForFunction(() => document.body.dataset.tokens === '512');
    await p.selectOption('#mode', 'matrix');
    await p.waitForSelector('#matrix-canvas');
    const fit = await p.evaluate(() => {
      const c = document.getElementById('matrix-canvas');
      const r = c.getBoundingClientRect();
      return {
        right: r.right,
        bottom: r.bottom,
        width: window.innerWidth,
        height: window.innerHeight,
        scroll: document.documentElement.scrollWidth,
        labels: c.dataset.labels,
        zoom: c.dataset.zoom,
      };
    });
    if (!(fit.right <= fit.width && fit.scroll <= fit.width && fit.bottom <= fit.height))
      throw new Error(`the 512-token matrix does not fit the panel: ${JSON.stringify(fit)}`);
    if (fit.labels !== 'hidden' || fit.zoom !== '1.00')
      throw new Error(`at the fit, 512 labels cannot be read and are not drawn: ${JSON.stringify(fit)}`);
    await p.screenshot({ path: path.join(shots, 'webview-attention-matrix-512.png') });
    const tip512 = await p.$eval('#matrix-canvas', (c) => {
      const r = c.getBoundingClientRect();
      return { x: r.x + 90 + 40.2 * Number(c.dataset.cell), y: r.y + 90 + 10.2 * Number(c.dataset.cell) };
    });
    await p.mouse.move(tip512.x, tip512.y);
    const t512 = await p.$eval('#matrix-tip', (t) => t.textContent);
    if (!/^t\d+ → t\d+: 0\.\d{3}$/.test(t512)) throw new Error(`512-token hover tip: ${t512}`);
    // zoom: the buttons and the wheel; labels appear once a cell is as tall as the text; dragging pans
    const zoomed = () => p.$eval('#matrix-canvas', (c) => ({ ...c.dataset }));
    await p.click('#zoom-in');
    await p.waitForFunction(() => document.getElementById('matrix-canvas').dataset.zoom === '2.00');
    for (let k = 0; k < 8 && Number((await zoomed()).cell) < 12; k++) {
      const before = (await zoomed()).zoom;
      await p.click('#zoom-in');
      await p.waitForFunction((z) => document.getElementById('matrix-canvas').dataset.zoom !== z, before);
    }
    const z = await zoomed();
    if (!(Number(z.cell) >= 12 && z.labels === 'shown'))
      throw new Error(
        `zoomed until a cell is as tall as a label, the labels should be drawn: ${JSON.stringify(z)}`,
      );
    await p.screenshot({ path: path.join(shots, 'webview-attention-matrix-zoomed.png') });
    const origin = () => p.$eval('#matrix-canvas', (c) => c.dataset.origin);
    const o0 = await origin();
    const mid = await p.$eval('#matrix-canvas', (c) => {
      const r = c.getBoundingClientRect();
      return { x: r.x + 90 + (r.width - 90 - 72) / 2, y: r.y + 90 + (r.height - 90) / 2 };
    });
    await p.mouse.move(mid.x, mid.y);
    await p.mouse.down();
    await p.mouse.move(mid.x - 120, mid.y - 60, { steps: 4 });
    await p.mouse.up();
    await p.waitForFunction((o) => document.getElementById('matrix-canvas').dataset.origin !== o, o0);
    const [ox, oy] = (await origin()).split(',').map(Number);
    const [x0, y0] = o0.split(',').map(Number);
    if (!(ox > x0 && oy > y0))
      throw new Error(`dragging left and up should pan right and down: ${o0} → ${ox},${oy}`);
    await p.click('#zoom-fit');
    await p.waitForFunction(() => document.getElementById('matrix-canvas').dataset.zoom === '1.00');
    await p.mouse.move(mid.x, mid.y);
    await p.mouse.wheel(0, -300);
    await p.waitForFunction(() => Number(document.getElementById('matrix-canvas').dataset.zoom) > 1);
  });

  await test('Attention sent layer by layer: the layer on screen paints from the first message, the others fill in, and the drawing equals the one from the whole tensor; a layer of the wrong size is refused', async () => {
    await openPanel('attention');
    // 2 layers, 3 heads, 6 tokens; head h of layer l attends from i to (i + h + l) mod 6, as above
    const setUp = () => {
      const tokens = ['[CLS]', 'the', 'cat', 'sat', '[SEP]', '北'];
      const T = tokens.length;
      const w = new Uint16Array(2 * 3 * T * T);
      for (let l = 0; l < 2; l++)
        for (let h = 0; h < 3; h++)
          for (let i = 0; i < T; i++) w[((l * 3 + h) * T + i) * T + ((i + h + l) % T)] = 65535;
      const words = tokens.map((t, i) => ({ start: i, end: i + 1, text: t }));
      const view = { model: 'm', tokens, words, segments: [0, 0, 0, 0, 0, 1], layers: 2, heads: 3 };
      const n = 3 * T * T;
      window.layerTest = { view, w, n };
    };
    await p.evaluate(setUp);
    const thumbs = () => p.$$eval('canvas.thumb', (cs) => cs.map((c) => c.toDataURL()));
    const paint = () => p.evaluate(() => Number(document.body.dataset.paint));
    await p.evaluate(() =>
      window.hostPush({ type: 'attention', view: { ...window.layerTest.view, weights: window.layerTest.w } }),
    );
    await p.waitForSelector('#head-canvas');
    await p.selectOption('#mode', 'model');
    const whole = await thumbs();
    if (whole.length !== 6) throw new Error(`model view: ${whole.length} heat maps`);
    // the last layer alone (the one a new result shows), then layer 0
    await p.evaluate(() => {
      const { view, w, n } = window.layerTest;
      window.hostPush({ type: 'attention', view: { ...view, weights: w.slice(n, 2 * n), layer: 1 } });
    });
    await p.waitForSelector('canvas.thumb');
    const first = await thumbs();
    if (first.slice(3).join() !== whole.slice(3).join())
      throw new Error('layer 2 differs from the whole tensor');
    if (first.slice(0, 3).join() === whole.slice(0, 3).join())
      throw new Error('layer 1 is drawn before it came');
    const before = await paint();
    await p.evaluate(() => {
      const { w, n } = window.layerTest;
      window.hostPush({ type: 'attentionLayer', layer: 0, weights: w.slice(0, n) });
    });
    await p.waitForFunction((b) => Number(document.body.dataset.paint) > b, before);
    if ((await thumbs()).join() !== whole.join())
      throw new Error('the layers sent one by one draw otherwise');
    // a layer of another size (of an older result) changes nothing
    const again = await paint();
    await p.evaluate(() =>
      window.hostPush({ type: 'attentionLayer', layer: 0, weights: new Uint16Array(7) }),
    );
    await p.waitForTimeout(200);
    if ((await paint()) !== again || (await thumbs()).join() !== whole.join())
      throw new Error('a layer of the wrong size was drawn');
    // a first message whose layer has the wrong size says so in the panel
    await p.evaluate(() => {
      const { view } = window.layerTest;
      window.hostPush({ type: 'attention', view: { ...view, weights: new Uint16Array(5), layer: 1 } });
    });
    await p.waitForFunction(() => /could not be read/.test(document.getElementById('app').textContent));
  });

  await test('Attention layout: tiles and direction labelled, the head view fits a narrow panel, heat maps beside their labels on a shown viridis scale, the matrix scale maximum whole, exports captioned', async () => {
    await p.setViewportSize({ width: 900, height: 700 });
    await openPanel('attention');
    const push = () =>
      p.evaluate(() => {
        const tokens = [
          '[CLS]',
          'the',
          'jury',
          'said',
          'it',
          'was',
          'fair',
          '[SEP]',
          'then',
          'lunch',
          '[SEP]',
        ];
        const T = tokens.length;
        const words = tokens.map((text, i) => ({ start: i, end: i + 1, text }));
        const w = new Uint16Array(2 * 3 * T * T);
        // head h attends from i to (i + h) mod T with 0.7, the rest spread evenly (0.03): the maximum is 0.7
        for (let k = 0; k < 2 * 3; k++)
          for (let i = 0; i < T; i++)
            for (let j = 0; j < T; j++) w[(k * T + i) * T + j] = Math.round((0.3 / (T - 1)) * 65535);
        for (let k = 0; k < 2 * 3; k++)
          for (let i = 0; i < T; i++) w[(k * T + i) * T + ((i + (k % 3)) % T)] = Math.round(0.7 * 65535);
        const segments = tokens.map((_, i) => (i > 7 ? 1 : 0));
        window.hostPush({
          type: 'attention',
          view: { model: 'starter', tokens, words, segments, layers: 2, heads: 3, weights: w },
        });
      });
    await push();
    await p.waitForSelector('#head-canvas');
    // head tiles carry their numbers, beside a "Heads" label; the direction filter has a label
    const tiles = await p.$$eval('button.tile', (b) => b.map((x) => x.textContent));
    if (tiles.join() !== '1,2,3') throw new Error(`tile labels: ${tiles}`);
    const labels = await p.$$eval('.controls label, .tiles-group > span.muted', (x) =>
      x.map((e) => e.textContent.trim()),
    );
    if (!labels.includes('Direction') || !labels.includes('Heads')) throw new Error(`labels: ${labels}`);
    // a narrow panel: the head view is no wider than the panel and a short input needs no scrollbar,
    // so the last row ([SEP]) is not cut off
    await p.setViewportSize({ width: 360, height: 700 });
    await p.waitForFunction(
      () => document.getElementById('head-canvas').getBoundingClientRect().width <= 340,
    );
    const fit = await p.$eval('.head-scroll', (s) => ({
      sw: s.scrollWidth,
      cw: s.clientWidth,
      sh: s.scrollHeight,
      ch: s.clientHeight,
      page: document.documentElement.scrollWidth,
      win: window.innerWidth,
    }));
    if (fit.sw > fit.cw || fit.sh > fit.ch || fit.page > fit.win)
      throw new Error(`the head view overflows a 360px panel: ${JSON.stringify(fit)}`);
    await p.screenshot({ path: path.join(shots, 'webview-attention-head-narrow.png') });
    await p.setViewportSize({ width: 900, height: 700 });
    // model view: each row's heat maps start right after its label; the colour scale is shown
    await p.selectOption('#mode', 'model');
    await p.waitForSelector('canvas.thumb');
    const gap = await p.evaluate(() => {
      const label = [...document.querySelectorAll('.model-grid .axis')].find(
        (e) => e.textContent === 'layer 1',
      );
      const thumb = document.querySelector('canvas.thumb[data-layer="0"][data-head="0"]');
      return thumb.getBoundingClientRect().left - label.getBoundingClientRect().left;
    });
    if (!(gap >= 0 && gap < 90)) throw new Error(`the first heat map is ${gap}px from its row label`);
    if (!(await p.$('.model-scale canvas.scale-legend')))
      throw new Error('the model view shows no colour scale');
    // viridis: the heat maps are not pale — the strongest cells are bright yellow-green, the rest dark
    const contrast = await p.$eval('canvas.thumb', (c) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let lo = 255;
      let hi = 0;
      for (let i = 0; i < d.length; i += 4) {
        const y = 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];
        lo = Math.min(lo, y);
        hi = Math.max(hi, y);
      }
      return hi - lo;
    });
    if (!(contrast > 60)) throw new Error(`the heat map spans only ${contrast} levels of lightness`);
    await p.screenshot({ path: path.join(shots, 'webview-attention-model-scale.png') });
    // matrix view: the colour scale's maximum is printed whole inside the canvas
    await p.click('canvas.thumb[data-layer="1"][data-head="0"]');
    await p.waitForSelector('#matrix-canvas');
    const scale = await p.$eval('#matrix-canvas', (c) => ({ ...c.dataset }));
    if (scale.scaleMax !== '0.700') throw new Error(`scale maximum "${scale.scaleMax}"`);
    if (!(Number(scale.scaleLabelRight) <= Number(scale.width)))
      throw new Error(`the scale maximum is clipped: ${scale.scaleLabelRight} > ${scale.width}`);
    // exports: the PNG is taller than the view by its caption, the SVG carries the caption as text
    const viewH = await p.$eval('#matrix-canvas', (c) => c.height);
    await p.click('#export-png');
    const png = await p.evaluate(() => window.sent().pop());
    const h = await p.evaluate(async (u) => {
      const im = new Image();
      im.src = u;
      await im.decode();
      return im.height;
    }, png.data);
    if (!(h > viewH)) throw new Error(`the PNG (${h}px) has no caption above the ${viewH}px view`);
    await p.click('#export-svg');
    const svg = await p.evaluate(() => window.sent().pop());
    const caption = await p.evaluate(
      (d) =>
        [...new DOMParser().parseFromString(d, 'image/svg+xml').querySelectorAll('text.caption')].map(
          (t) => t.textContent,
        ),
      svg.data,
    );
    if (caption[0] !== 'Attention · model starter · layer 2 · head 1' || !/^“the jury said/.test(caption[1]))
      throw new Error(`SVG caption: ${JSON.stringify(caption)}`);
    await p.screenshot({ path: path.join(shots, 'webview-attention-matrix-scale.png') });
  });

  await test('Embedding Explorer: 10,000 points stay interactive; hover, click, search, analogy, PCA/UMAP/t-SNE, export, contextual', async () => {
    await p.setViewportSize({ width: 380, height: 1500 });
    // the explorer speaks RPC (src/shared/rpc.ts): its questions are requests, answers name the request
    await openPanel('explorer');
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
      // answers as the host sends them: a response to a request, or a push (a request of the host)
      let pushId = 1;
      const reply = (m) => {
        if (m.type === 'answer')
          window.postMessage({ rpc: 'response', inReplyTo: m.id, body: m.answer }, '*');
        else if (m.type === 'table')
          window.postMessage({ rpc: 'response', inReplyTo: m.id, body: m.table }, '*');
        else window.postMessage({ rpc: 'request', id: pushId++, body: m }, '*');
      };
      window.hostPush = reply;
      let seen = 0;
      window.hostLog = [];
      setInterval(() => {
        while (seen < window.posted.length) {
          const posted = window.posted[seen++];
          if (posted.rpc !== 'request') continue; // the page's answers to pushes
          const m = { ...posted.body, id: posted.id };
          window.hostLog.push(m.type === 'query' ? `${m.type}:${m.query.op}` : m.type);
          if (m.type !== 'query' && m.type !== 'table')
            window.postMessage({ rpc: 'response', inReplyTo: posted.id }, '*');
          if (m.type === 'query') {
            const q = m.query;
            if (q.op === 'neighbours' && q.word === 'boom') {
              // the engine crashed under this question: the error names the request
              window.postMessage(
                {
                  rpc: 'error',
                  inReplyTo: m.id,
                  message:
                    'The Pretrain Lab engine stopped unexpectedly (exit code 3); it restarts on the next request.',
                },
                '*',
              );
              continue;
            }
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
          kind: 'word2vec',
          label: 'word2vec skip-gram',
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
    // the plot is labelled: its method and what each axis is
    const axes = await p.$eval('#plot-axes', (e) => e.textContent);
    if (!/^PCA · x: PC1 \(\d+\.\d% of variance\) · y: PC2 \(\d+\.\d% of variance\)$/.test(axes))
      throw new Error(`plot axes: ${axes}`);
    // the model's whole name: the dropdown's title and a wrapping line under it
    const name = await p.$eval('#model-name', (e) => ({
      text: e.textContent,
      title: document.getElementById('model').title,
    }));
    if (name.text !== `m ${EVIL} — word2vec skip-gram` || name.title !== name.text)
      throw new Error(`model name: ${JSON.stringify(name)}`);
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
    // a neighbour's bar is its cosine on a fixed 0–1 scale, not relative to the first one;
    // measured in one frame once every bar is laid out (the list scrolls into view and may redraw)
    const bars = await (
      await p
        .waitForFunction(
          () => {
            const bs = [...document.querySelectorAll('#neighbours button.candidate')];
            const out = bs.map((b) => ({
              share: b.querySelector('.bar').offsetWidth / b.querySelector('.barwrap').clientWidth,
              score: Math.max(0, Number(b.querySelector('.prob').textContent)),
            }));
            return out.length === 10 && out.every((b) => Number.isFinite(b.share)) ? out : null;
          },
          null,
          { polling: 'raf', timeout: 10000 },
        )
        .catch(async (e) => {
          const layout = await p.$$eval('#neighbours button.candidate', (bs) =>
            bs.slice(0, 2).map((b) => ({
              button: b.clientWidth,
              columns: getComputedStyle(b).gridTemplateColumns,
              display: getComputedStyle(b.querySelector('.barwrap')).display,
            })),
          );
          throw new Error(`the neighbour bars were never laid out: ${JSON.stringify(layout)} (${e.message})`);
        })
    ).jsonValue();
    if (!bars.every((b) => Math.abs(b.share - Math.min(1, b.score)) < 0.03))
      throw new Error(`neighbour bars not on a 0–1 scale: ${JSON.stringify(bars)}`);
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
    // a failure comes back as one sentence where the answer would go; the next question works
    await p.fill('#word', 'boom');
    await p.press('#word', 'Enter');
    await p.waitForFunction(() =>
      /^The Pretrain Lab engine stopped unexpectedly \(exit code 3\); it restarts on the next request\.$/.test(
        document.querySelector('#neighbours-status .error')?.textContent ?? '',
      ),
    );
    if ((await p.$$eval('#neighbours li', (x) => x.length)) !== 0)
      throw new Error('neighbours of a failed question are still listed');
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
    // in a short sidebar scrolled down to the plot, neighbours asked for from outside scroll into view
    await p.setViewportSize({ width: 380, height: 500 });
    await p.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await p.evaluate(() => window.hostPush({ type: 'focusWord', word: 'w7' }));
    await p.waitForFunction(() =>
      /cosine similarity to "w7"/.test(
        document.getElementById('neighbours').previousElementSibling.textContent,
      ),
    );
    await p.waitForTimeout(100);
    const seen = await p.$eval('#neighbours', (e) => {
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, h: window.innerHeight };
    });
    if (!(seen.bottom > 0 && seen.top < seen.h))
      throw new Error(`the neighbours are off-screen: ${JSON.stringify(seen)}`);
    await p.setViewportSize({ width: 380, height: 1500 });
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
    await p.waitForFunction((n) => window.posted.slice(n).some((m) => m.body?.type === 'export'), before);
    const exp = await p.evaluate(
      (n) => window.posted.slice(n).find((m) => m.body?.type === 'export').body,
      before,
    );
    const lines = exp.data.trim().split('\n');
    if (lines[0] !== 'word,x,y,z,count,selected' || lines.length !== 27)
      throw new Error(`CSV export: ${lines[0]} … ${lines.length} lines`);
    // Open in Editor Area asks the host for the panel; once it is open the points on screen go to it
    const n1 = await p.evaluate(() => window.posted.length);
    await p.click('#open-plot');
    await p.waitForFunction((n) => window.posted.slice(n).some((m) => m.body?.type === 'openPlot'), n1);
    await p.evaluate(() => window.hostPush({ type: 'plotOpen', open: true }));
    await p.waitForFunction((n) => window.posted.slice(n).some((m) => m.body?.type === 'plot'), n1);
    const sent = await p.evaluate(
      (n) => window.posted.slice(n).find((m) => m.body?.type === 'plot').body.plot,
      n1,
    );
    if (
      sent.model !== '/m' ||
      sent.words.length !== 26 ||
      sent.coords.length !== 26 * sent.dims ||
      sent.marks.selected !== 'play' ||
      sent.marks.near.length !== 25
    )
      throw new Error(
        `plot sent: ${sent.words.length} words, ${sent.coords.length} numbers, ${JSON.stringify(sent.marks).slice(0, 80)}`,
      );
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
      window.hostPush({
        type: 'contextual',
        data: {
          word: 'play',
          layer: 2,
          layers: 2,
          dim: D,
          model: 'starter',
          modelLabel: 'BERT',
          occurrences: occ,
          vectors: v,
          total: 20,
          staticModel: 'w2v',
          staticNeighbours: [{ word: 'game', score: 0.8 }],
        },
      });
    }, EVIL);
    await p.waitForFunction(() => document.querySelectorAll('h4.ex-cluster').length === 2);
    const clusters = await p.$$eval('h4.ex-cluster', (h) => h.map((x) => x.textContent));
    if (clusters.join('|') !== 'Cluster A (10)|Cluster B (10)') throw new Error(`clusters: ${clusters}`);
    await p.$eval('#ctx-clusters', (e) => e.scrollIntoView());
    await p.screenshot({ path: path.join(shots, 'webview-explorer-contextual.png'), fullPage: true });
    const n0 = await p.evaluate(() => window.posted.length);
    await p.click('#ctx-clusters button.ex-link');
    await p.waitForFunction((n) => window.posted.slice(n).some((m) => m.body?.type === 'openOccurrence'), n0);
    const open = await p.evaluate(
      (n) => window.posted.slice(n).find((m) => m.body?.type === 'openOccurrence').body,
      n0,
    );
    if (!open || typeof open.index !== 'number')
      throw new Error('clicking an occurrence did not ask to open it');
    if ((await p.$$eval('img', (x) => x.length)) !== 0 || (await p.evaluate(() => window.pwned)))
      throw new Error('a corpus string became HTML');
    await p.setViewportSize({ width: 900, height: 700 });
  });

  await test('Embedding Plot (editor area): the sidebar points full size; a click asks the host to select the word; marks follow', async () => {
    await p.setViewportSize({ width: 1200, height: 800 });
    await openPanel('explorerPlot');
    await p.evaluate((evil) => {
      const n = 400;
      const words = Array.from({ length: n }, (_, i) => (i === 0 ? 'play' : i === 1 ? evil : `w${i}`));
      const coords = [];
      for (let i = 0; i < n; i++) coords.push(Math.cos(i) * (i / n), Math.sin(i) * (i / n));
      window.postMessage(
        {
          rpc: 'request',
          id: 1,
          body: {
            type: 'plot',
            modelName: `m ${evil}`,
            plot: {
              model: '/m',
              words,
              coords,
              dims: 2,
              counts: words.map((_, i) => n - i),
              status: 'PCA of 400 words (16 dimensions).',
              marks: { selected: 'w5', near: ['w6', 'w7'] },
            },
          },
        },
        '*',
      );
    }, EVIL);
    await p.waitForFunction(() => window.explorerPlot.scatter.canvas.dataset.points === '400');
    const title = await p.$eval('#plot-title', (e) => e.textContent);
    if (!title.includes(EVIL)) throw new Error(`title: ${title}`);
    const box = await p.$eval('.ex-plot canvas', (c) => {
      const r = c.getBoundingClientRect();
      return { x: r.x, y: r.y, w: r.width, h: r.height };
    });
    if (box.h < 500) throw new Error(`the plot is not full size: ${box.w}×${box.h}`);
    const [sx, sy] = await p.evaluate(() => window.explorerPlot.scatter.screenOf(399));
    const n0 = await p.evaluate(() => window.posted.length);
    await p.mouse.click(box.x + sx, box.y + sy);
    await p.waitForFunction((n) => window.posted.slice(n).some((m) => m.body?.type === 'select'), n0);
    const sel = await p.evaluate(
      (n) => window.posted.slice(n).find((m) => m.body?.type === 'select').body,
      n0,
    );
    if (sel.word !== 'w399') throw new Error(`selected ${sel.word}`);
    await p.evaluate(() =>
      window.postMessage(
        {
          rpc: 'request',
          id: 2,
          body: { type: 'marks', marks: { selected: 'w399', near: ['w398', 'play'] } },
        },
        '*',
      ),
    );
    await p.waitForFunction(() => window.explorerPlot.plot?.marks.near.includes('play'));
    await p.screenshot({ path: path.join(shots, 'webview-explorer-plot.png') });
    await p.evaluate(() =>
      window.postMessage(
        {
          rpc: 'request',
          id: 3,
          body: {
            type: 'empty',
            message: 'The model of these points was removed; choose another model in the Embedding Explorer.',
          },
        },
        '*',
      ),
    );
    await p.waitForFunction(() => /was removed/.test(document.getElementById('plot-status').textContent));
    if ((await p.$$eval('img', (x) => x.length)) !== 0 || (await p.evaluate(() => window.pwned)))
      throw new Error('a model string became HTML');
    await p.setViewportSize({ width: 900, height: 700 });
  });

  await test('Fine-tune panel: Compare draws a dev curve per run and a table; a run shows its confusion matrix and per-label scores', async () => {
    await openPanel('finetune');
    await p.evaluate((evil) => {
      // as src/extension/finetuneRuns.ts reads two model folders: the same task fine-tuned and frozen
      const metrics = (labels, right) => {
        const confusion = labels.map((_, g) => labels.map((_, q) => (g === q ? right : (g + q) % 3)));
        return {
          loss: 0.4,
          accuracy: 0.8,
          macroF1: 0.75,
          perLabel: labels.map((label) => ({ label, precision: 0.8, recall: 0.7, f1: 0.75, support: 12 })),
          confusion,
          labels,
        };
      };
      const epochs = (accs) =>
        accs.map((a, i) => ({ epoch: i + 1, loss: 1 - a, accuracy: a, macroF1: a - 0.05 }));
      const run = (name, how, accs, trained, labels) => ({
        dir: `/models/${name}`,
        name,
        task: 'sequence classification',
        base: 'starter',
        how,
        trainedParameters: trained,
        totalParameters: 1_200_000,
        seconds: 42,
        bestEpoch: accs.indexOf(Math.max(...accs)) + 1,
        epochs: epochs(accs),
        best: metrics(labels, 9),
      });
      window.hostPush({
        type: 'runs',
        runs: [
          run(`spam-tuned${evil}`, 'fine-tuned (all layers)', [0.7, 0.85, 0.92], 1_200_000, ['ham', 'spam']),
          run('spam-frozen', 'frozen (feature-based)', [0.6, 0.66, 0.7], 258, [`ham${evil}`, 'spam']),
        ],
        problems: [],
      });
    }, EVIL);
    await p.waitForFunction(() => document.querySelectorAll('svg.curves g.run').length === 2);
    const label = await p.$eval('svg.curves', (c) => c.getAttribute('aria-label'));
    if (!/spam-tuned.* 92\.0% at epoch 3; spam-frozen 70\.0% at epoch 3/.test(label)) throw new Error(label);
    const rows = await p.$$eval('table.compare tr', (x) => x.map((r) => r.textContent));
    if (rows.length !== 3 || !/frozen \(feature-based\)258 of 1,200,00070\.0%3/.test(rows[2]))
      throw new Error(rows.join(' | '));
    const cells = await p.$$eval('table.confusion td', (x) => x.length);
    if (cells !== 4) throw new Error(`confusion cells: ${cells}`);
    await p.click('table.compare tr[data-run="spam-frozen"]');
    await p.waitForFunction(() => document.querySelector('.run-details h2')?.textContent === 'spam-frozen');
    const gold = await p.$$eval('table.confusion th', (x) => x.map((e) => e.title).filter(Boolean));
    if (!gold.includes(`ham${EVIL}`)) throw new Error(gold.join(' | '));
    await p.selectOption('#metric', 'macroF1');
    await p.waitForFunction(() =>
      /macro-F1 by epoch/.test(document.querySelector('svg.curves').getAttribute('aria-label')),
    );
    await p.screenshot({ path: path.join(shots, 'webview-finetune-compare.png'), fullPage: true });
    // one tagger with 20 labels: a 20 × 20 matrix that still fits, and a row per label
    await p.evaluate(() => {
      const labels = Array.from({ length: 20 }, (_, i) => `TAG-${String.fromCharCode(65 + i)}-LONGNAME`);
      const confusion = labels.map((_, g) => labels.map((_, q) => (g === q ? 30 + g : (g * q) % 4)));
      window.hostPush({
        type: 'runs',
        runs: [
          {
            dir: '/models/pos',
            name: 'pos-tagger',
            task: 'sequence labelling',
            base: 'starter',
            how: 'lowest 1 layer frozen',
            epochs: [
              { epoch: 1, loss: 1.2, accuracy: 0.6, macroF1: 0.5 },
              { epoch: 2, loss: 0.8, accuracy: 0.75, macroF1: 0.6 },
            ],
            bestEpoch: 2,
            best: {
              loss: 0.8,
              accuracy: 0.75,
              macroF1: 0.6,
              perLabel: labels.map((label) => ({
                label,
                precision: 0.7,
                recall: 0.6,
                f1: 0.65,
                support: 40,
              })),
              confusion,
              labels,
            },
            running: true,
          },
        ],
        problems: [],
      });
    });
    await p.waitForFunction(() => document.querySelectorAll('table.confusion td').length === 400);
    const perLabel = await p.$$eval('table.per-label tr[data-label]', (x) => x.length);
    if (perLabel !== 20) throw new Error(`per-label rows: ${perLabel}`);
    if (await p.$('table.compare')) throw new Error('a single run shows no Compare table');
    const diag = await p.$eval('table.confusion tr:nth-child(2) td.diag', (e) => e.textContent);
    if (diag !== '30') throw new Error(`diagonal: ${diag}`);
    await p.screenshot({ path: path.join(shots, 'webview-finetune-confusion.png'), fullPage: true });
    if ((await p.$$eval('img', (x) => x.length)) !== 0 || (await p.evaluate(() => window.pwned)))
      throw new Error('a run name became HTML');
  });

  await test('Fine-tune panel: ELMo runs show their scalar mixes as bars, side by side; the base kind in the table', async () => {
    await p.evaluate((evil) => {
      const run = (name, task, mix, running) => ({
        dir: `/models/${name}`,
        name,
        task,
        base: 'elmo-brown',
        baseKind: 'elmo',
        how: 'frozen (feature-based)',
        epochs: [{ epoch: 1, loss: 0.6, accuracy: 0.7, macroF1: 0.65 }],
        bestEpoch: 1,
        mix,
        running,
      });
      window.hostPush({
        type: 'runs',
        runs: [
          run(
            `pos-elmo${evil}`,
            'sequence labelling',
            { weights: [0.278, 0.411, 0.311], gamma: 1.28 },
            false,
          ),
          run(
            'pairs-elmo',
            'sentence pair classification',
            { weights: [0.472, 0.258, 0.27], gamma: 1.23 },
            true,
          ),
        ],
        problems: [],
      });
    }, EVIL);
    await p.waitForFunction(() => document.querySelectorAll('.mix-run').length === 2);
    const bars = await p.$$eval('.mix-run .mix-row', (x) => x.map((r) => Number(r.dataset.value)));
    if (bars.length !== 8 || Math.abs(bars[0] + bars[1] + bars[2] - 1) > 1e-6 || bars[3] !== 1.28)
      throw new Error(bars.join(' '));
    const rows = await p.$$eval('table.compare tr', (x) => x.map((r) => r.textContent));
    if (!rows.slice(1).every((r) => r.includes('elmo-brown (ELMo)'))) throw new Error(rows.join(' | '));
    await p.screenshot({ path: path.join(shots, 'webview-finetune-elmo-mix.png'), fullPage: true });
    if ((await p.$$eval('img', (x) => x.length)) !== 0 || (await p.evaluate(() => window.pwned)))
      throw new Error('a run name became HTML');
  });

  await test('Next Tokens panel: GPT (left context) beside BERT (both sides) with bars; without a BERT, one sentence', async () => {
    await openPanel('nextTokens');
    const gpt = [
      { token: ' mat', id: 5, probability: 0.4 },
      { token: EVIL, id: 6, probability: 0.1 },
    ];
    const view = (bert) => ({
      requestId: 4,
      model: 'gpt-tiny',
      prefix: 'the cat sat on the ',
      result: { candidates: gpt, tokens: ['the', ' cat'] },
      bert,
    });
    const bert = {
      model: 'starter',
      masked: `the cat sat on the [MASK]mat ${EVIL}`,
      candidates: [
        { token: 'floor', probability: 0.7 },
        { token: '首', probability: 0.2 },
      ],
    };
    await p.evaluate((v) => window.hostPush({ type: 'result', view: v }), view(bert));
    await p.waitForSelector('section.column.bert li.candidate');
    const heads = await p.$$eval('section.column h3', (x) => x.map((h) => h.textContent));
    if (
      heads.length !== 2 ||
      heads[0] !== 'GPT (left context only)' ||
      heads[1] !== `BERT (both sides): ${bert.masked}`
    )
      throw new Error(heads.join(' | '));
    const bars = await p.$$eval('section.column.bert .bar', (x) => x.map((b) => Number(b.dataset.value)));
    if (bars.join() !== '0.7,0.2') throw new Error(bars.join());
    if ((await p.$$eval('section.column.gpt button.candidate', (x) => x.length)) !== 2)
      throw new Error('GPT candidates are not buttons');
    if ((await p.$$eval('img', (x) => x.length)) !== 0 || (await p.evaluate(() => window.pwned)))
      throw new Error('a corpus string became HTML');
    await p.screenshot({ path: path.join(shots, 'webview-next-tokens-bert.png') });
    const missing =
      'To see BERT beside GPT, pretrain a BERT (Pretrain Lab: Pretrain BERT) or make one active in the Models view.';
    await p.evaluate((v) => window.hostPush({ type: 'result', view: v }), view({ missing }));
    await p.waitForSelector('p.bert-missing');
    const said = await p.$eval('p.bert-missing', (e) => e.textContent);
    if (said !== missing) throw new Error(said);
  });

  // every panel again in Chinese, with the zh-cn bundle as the host passes it (webviewsZh.js)
  await zhCnPanels({ p, base, test, shots });

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
