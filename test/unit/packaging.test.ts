// The platform packages (scripts/package.mjs, `npm run package -- --target …`): each carries what the
// extension reads at run time and only its own platform's ONNX Runtime library, none of the others'.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = path.join(__dirname, '..', '..');
const ORT = 'node_modules/onnxruntime-node/bin/napi-v6/';

interface Packager {
  TARGETS: Record<string, string>;
  stagedFiles(root: string, target: string): string[];
}
const load = async () =>
  (await import(pathToFileURL(path.join(root, 'scripts', 'package.mjs')).href)) as Packager;

describe('platform packages', () => {
  test('each target carries only its own ONNX Runtime library, and what the extension needs', async () => {
    const { TARGETS, stagedFiles } = await load();
    for (const [target, dir] of Object.entries(TARGETS)) {
      const files = stagedFiles(root, target);
      const ortDirs = new Set(files.filter((f) => f.startsWith(ORT)).map((f) => path.posix.dirname(f)));
      const shipped = fs.existsSync(path.join(root, ORT, dir));
      assert.deepEqual([...ortDirs], shipped ? [`${ORT}${dir}`] : [], `${target} carries ${[...ortDirs]}`);
      for (const need of [
        'models/starter/config.json',
        'sample/try-predict-mask.txt',
        'package.nls.zh-cn.json',
        'l10n/bundle.l10n.zh-cn.json',
        'node_modules/onnxruntime-node/dist/binding.js',
        'node_modules/@tensorflow/tfjs-core/dist/tf-core.node.js',
        'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      ])
        assert.ok(files.includes(need), `${target} lacks ${need}`);
      const stray = files.filter(
        (f) =>
          f.endsWith('.map') ||
          f.startsWith('dist/test/') ||
          /node_modules\/(typescript|esbuild|@vscode)\//.test(f),
      );
      assert.deepEqual(stray, [], `${target} carries files no user needs`);
    }
  });

  test('a target that is not a platform is refused with the list of targets', async () => {
    const { stagedFiles } = await load();
    assert.throws(() => stagedFiles(root, 'linux-ia32'), /"linux-ia32" is not a target; use linux-x64, /);
  });
});
