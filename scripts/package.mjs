// Platform-specific VSIX packages: `npm run package -- --target linux-x64` (several --target flags, or
// `--target all`; no flag: this machine's platform). Builds with esbuild (--production), stages only what
// the extension reads at run time in out/package/<target>/ — dist/ (no tests, no source maps), media/,
// models/, sample/, l10n/, the nls files, README/LICENSE and the node_modules the bundles leave external
// (scripts/build.mjs) with only the target's ONNX Runtime library — then runs `vsce package --target`.
// onnxruntime-node ships no darwin-x64 library: that package infers on TensorFlow.js (wasm) instead.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** VS Code target → onnxruntime-node's bin/napi-v6/<platform>/<arch> folder. */
export const TARGETS = {
  'linux-x64': 'linux/x64',
  'linux-arm64': 'linux/arm64',
  'darwin-arm64': 'darwin/arm64',
  'darwin-x64': 'darwin/x64',
  'win32-x64': 'win32/x64',
  'win32-arm64': 'win32/arm64',
};
// What the bundles require at run time (scripts/build.mjs keeps these external); tfjs-node cannot install
// from npm alone, so no package carries it.
export const RUNTIME_PACKAGES = [
  '@tensorflow/tfjs-core',
  '@tensorflow/tfjs-backend-cpu',
  '@tensorflow/tfjs-backend-wasm',
  'onnxruntime-node',
];
const TOP = ['dist', 'media', 'models', 'sample', 'l10n', 'bin', 'docs/images']; // docs/images: README's pictures
const TOP_FILES = ['package.nls.json', 'package.nls.zh-cn.json', 'README.md', 'README.zh-CN.md', 'LICENSE'];
const ORT_BIN = 'node_modules/onnxruntime-node/bin/napi-v6/';

/** The installed packages `names` need, by folder under root (nested node_modules resolved as Node does). */
export function packageClosure(root, names = RUNTIME_PACKAGES) {
  const found = new Map(); // folder (relative to root) → name
  const visit = (name, fromDir) => {
    for (let d = fromDir; ; d = path.dirname(d)) {
      const dir = path.join(d, 'node_modules', name);
      if (fs.existsSync(path.join(dir, 'package.json'))) {
        const rel = path.relative(root, dir).split(path.sep).join('/');
        if (found.has(rel)) return;
        found.set(rel, name);
        const pj = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
        for (const dep of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) visit(dep, dir);
        return;
      }
      if (d === root || path.dirname(d) === d) return; // not installed: an optional dependency
    }
  };
  for (const n of names) visit(n, root);
  return found;
}

const walk = (dir, rel = '') =>
  fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? walk(dir, r) : [r];
  });

/** Whether a file of an installed package is needed at run time on `target`. */
function keepPackageFile(pkgDir, name, file, target) {
  if (file.startsWith('node_modules/')) return false; // nested packages are visited on their own
  if (/\.(map|ts|md)$/.test(file) || file.endsWith('.tsbuildinfo')) return false;
  if (name.startsWith('@tensorflow/') && file.startsWith('dist/')) {
    // the Node bundle (package.json's main) and the wasm binaries; the ESM tree and browser bundles are
    // never loaded in Node (our bundle inlines the few deep imports it makes)
    const main = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).main;
    return file === path.posix.normalize(main) || file.endsWith('.wasm');
  }
  if (name === 'onnxruntime-node' && file.startsWith('bin/'))
    return file.startsWith(`bin/napi-v6/${TARGETS[target]}/`);
  return true;
}

/** Every file (relative to root) a VSIX for `target` carries, besides the staged package.json. */
export function stagedFiles(root, target) {
  if (!TARGETS[target])
    throw new Error(`"${target}" is not a target; use ${Object.keys(TARGETS).join(', ')}.`);
  const files = [];
  for (const top of TOP) {
    if (!fs.existsSync(path.join(root, top))) continue;
    for (const f of walk(path.join(root, top))) {
      if (f.endsWith('.map') || (top === 'dist' && f.startsWith('test/'))) continue;
      files.push(`${top}/${f}`);
    }
  }
  files.push(...TOP_FILES.filter((f) => fs.existsSync(path.join(root, f))));
  for (const [dir, name] of packageClosure(root)) {
    const abs = path.join(root, dir);
    for (const f of walk(abs)) if (keepPackageFile(abs, name, f, target)) files.push(`${dir}/${f}`);
  }
  return files;
}

/** package.json for the VSIX: no scripts or dev tools, dependencies = the external packages. */
function stagedManifest(root) {
  const pj = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const { scripts, devDependencies, optionalDependencies, bin, ...rest } = pj;
  rest.dependencies = Object.fromEntries(RUNTIME_PACKAGES.map((n) => [n, pj.dependencies[n]]));
  return rest;
}

function stage(root, target) {
  const out = path.join(root, 'out', 'package', target);
  fs.rmSync(out, { recursive: true, force: true });
  for (const f of stagedFiles(root, target)) {
    fs.mkdirSync(path.dirname(path.join(out, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(out, f));
  }
  fs.writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(stagedManifest(root), null, 2)}\n`);
  fs.copyFileSync(path.join(root, '.vscodeignore'), path.join(out, '.vscodeignore'));
  return out;
}

/** vsce 4 needs Node 22 or later: this Node, or the one scripts/setup-e2e.sh puts in .tools/node24. */
function nodeForVsce(root) {
  if (Number(process.versions.node.split('.')[0]) >= 22) return process.execPath;
  const bundled = path.join(root, '.tools/node24/node_modules/node/bin/node');
  if (fs.existsSync(bundled)) return bundled;
  throw new Error(
    'vsce needs Node 22 or later; run this script with Node 22+ (or run scripts/setup-e2e.sh).',
  );
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} failed (exit ${r.status}).`);
}

function parseTargets(argv) {
  const targets = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = a === '--target' ? argv[++i] : a.startsWith('--target=') ? a.slice(9) : undefined;
    if (v === undefined)
      throw new Error(`Unknown argument "${a}"; use --target <${Object.keys(TARGETS).join('|')}|all>.`);
    targets.push(...(v === 'all' ? Object.keys(TARGETS) : v.split(',')));
  }
  return targets.length ? targets : [`${process.platform}-${process.arch}`];
}

async function main() {
  const targets = parseTargets(process.argv.slice(2));
  for (const t of targets)
    if (!TARGETS[t])
      throw new Error(`"${t}" is not a target; use ${Object.keys(TARGETS).join(', ')} or all.`);
  run(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--production'], { cwd: ROOT });
  const node = nodeForVsce(ROOT);
  const vsce = path.join(ROOT, 'node_modules/@vscode/vsce/vsce');
  const version = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version;
  for (const target of targets) {
    const dir = stage(ROOT, target);
    const vsix = path.join(ROOT, `pretrain-lab-${target}-${version}.vsix`);
    // PATH: vsce runs `npm list` with the Node it runs on
    const env = { ...process.env, PATH: `${path.dirname(node)}${path.delimiter}${process.env.PATH}` };
    run(
      node,
      [
        vsce,
        'package',
        '--target',
        target,
        '--allow-missing-repository',
        '--no-rewrite-relative-links',
        '--out',
        vsix,
      ],
      { cwd: dir, env },
    );
    fs.rmSync(dir, { recursive: true, force: true });
    const ort = TARGETS[target];
    const hasOrt = fs.existsSync(path.join(ROOT, ORT_BIN, ort));
    console.log(
      `${path.basename(vsix)}: ${(fs.statSync(vsix).size / 2 ** 20).toFixed(1)} MiB (${(unpackedBytes(vsix) / 2 ** 20).toFixed(1)} MiB unpacked), inference on ${hasOrt ? `ONNX Runtime (${ort})` : 'TensorFlow.js wasm (onnxruntime-node ships no library for this target)'}`,
    );
  }
}

/** The sum of a zip's uncompressed entry sizes, from its central directory (a VSIX is a zip). */
export function unpackedBytes(file) {
  const buf = fs.readFileSync(file);
  let end = buf.length - 22; // the end-of-central-directory record, before an optional comment
  while (end >= 0 && buf.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error(`${file} is not a zip file.`);
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file} has a damaged central directory.`);
    total += buf.readUInt32LE(at + 24);
    at += 46 + buf.readUInt16LE(at + 28) + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return total;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
