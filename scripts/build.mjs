// One esbuild script for every bundle: the extension host, the engine worker and CLI (Node), and one
// browser bundle per webview panel. --watch rebuilds on change, --production minifies.

import * as fs from 'node:fs';
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'info' };
// tfjs packages stay in node_modules so that the optional tfjs-node registers its backend on the same
// tfjs-core. Only the package roots are external: tfjs-core's gradient registrations (ESM files, not in
// its Node bundle) are bundled and register into tfjs' global registry.
const tfjsExternal = {
  name: 'tfjs-external',
  setup(b) {
    // onnxruntime-node loads its native library by a computed path, so it stays in node_modules too
    b.onResolve(
      { filter: /^(vscode|@tensorflow\/tfjs-(core|backend-cpu|backend-wasm|node)|onnxruntime-node(\/.*)?)$/ },
      (a) => ({
        path: a.path,
        external: true,
      }),
    );
  },
};
const nodeExternal = [];

const builds = [
  {
    ...common,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternal,
    plugins: [tfjsExternal],
    entryPoints: { worker: 'src/engine/worker.ts', cli: 'src/engine/cli/main.ts' },
    outdir: 'dist',
  },
];
if (fs.existsSync('src/extension/extension.ts')) {
  builds.push({
    ...common,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: nodeExternal,
    plugins: [tfjsExternal],
    entryPoints: { extension: 'src/extension/extension.ts' },
    outdir: 'dist',
  });
}
const panels = fs.existsSync('src/webview')
  ? fs.readdirSync('src/webview').filter((d) => fs.existsSync(`src/webview/${d}/main.ts`))
  : [];
if (panels.length) {
  builds.push({
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: {
      ...Object.fromEntries(panels.map((d) => [d, `src/webview/${d}/main.ts`])),
      // a second page of a panel's folder: the explorer's projection, full size in the editor area
      ...(fs.existsSync('src/webview/explorer/plot.ts')
        ? { explorerPlot: 'src/webview/explorer/plot.ts' }
        : {}),
    },
    outdir: 'dist/webview',
  });
}

// The integration suite runs in the extension host: mocha's run() entry and one bundle per test file.
if (fs.existsSync('test/integration/index.ts')) {
  const files = fs.readdirSync('test/integration').filter((f) => f.endsWith('.ts'));
  builds.push({
    ...common,
    minify: false,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['mocha'],
    plugins: [tfjsExternal],
    entryPoints: Object.fromEntries(files.map((f) => [f.replace(/\.ts$/, ''), `test/integration/${f}`])),
    outdir: 'dist/test/integration',
  });
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
