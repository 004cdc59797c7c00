// Runs the mocha integration suite inside code-server's extension host. code-server has no
// --extensionTestsPath flag, so (as @vscode/test-web does) the workbench configuration <meta> is given
// developmentOptions before workbench.js reads it; the suite's exit code comes back through
// codeAutomationExit.
const { launch } = require('./browser');

const base = process.env.CS_BASE;
const devPath = process.env.EXT_DEV;
const testsPath = `${devPath}/dist/test/integration/index.js`;
const folder = process.env.WS;

(async () => {
  const t0 = Date.now();
  const { ctx, page } = await launch();
  await page.addInitScript(
    ({ devPath, testsPath }) => {
      const patch = (el) => {
        const cfg = JSON.parse(el.getAttribute('data-settings'));
        cfg.developmentOptions = Object.assign({}, cfg.developmentOptions, {
          extensions: [{ scheme: 'vscode-remote', authority: location.host, path: devPath }],
          extensionTestsPath: { scheme: 'vscode-remote', authority: location.host, path: testsPath },
        });
        el.setAttribute('data-settings', JSON.stringify(cfg));
      };
      new MutationObserver((_, obs) => {
        const el = document.getElementById('vscode-workbench-web-configuration');
        if (el?.getAttribute('data-settings')) {
          patch(el);
          obs.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });
    },
    { devPath, testsPath },
  );
  let done;
  const exited = new Promise((r) => {
    done = r;
  });
  await page.exposeFunction('codeAutomationLog', (_type, args) => console.log(...(args || [])));
  await page.exposeFunction('codeAutomationExit', (code) => done(code));
  await page.goto(`${base}/?folder=${encodeURIComponent(folder)}`);
  const limit = Number(process.env.E2E_TIMEOUT_MS || 600000);
  const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), limit))]);
  console.log(`integration suite exit code ${code} after ${Math.round((Date.now() - t0) / 1000)} s`);
  await ctx.close();
  process.exit(code === 0 ? 0 : 1);
})().catch((e) => {
  console.error('integration launcher failed:', e);
  process.exit(2);
});
