// The second launcher of the same suite: desktop VS Code through @vscode/test-electron, where VS Code
// can be downloaded (not on machines without internet; there scripts/e2e.sh runs it in code-server).
// Run: npm run build && node dist/test/integration/runElectron.js
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

async function main(): Promise<void> {
  const { runTests } = await import('@vscode/test-electron');
  const root = path.resolve(__dirname, '..', '..', '..');
  // the tests edit documents: give them a copy of the sample workspace
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pretrain-lab-ws-'));
  fs.cpSync(path.join(root, 'sample'), ws, { recursive: true });
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(__dirname, 'index.js'),
    launchArgs: [ws, '--disable-extensions'],
  });
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
