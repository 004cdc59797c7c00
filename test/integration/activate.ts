// The extension under test, activated: what every suite's setup needs first.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PretrainLabApi } from '../../src/extension/extension';

export async function activateExtension(): Promise<{
  ext: vscode.Extension<PretrainLabApi>;
  api: PretrainLabApi;
}> {
  const ext = vscode.extensions.getExtension<PretrainLabApi>('pretrain-lab.pretrain-lab');
  assert.ok(ext, 'the extension is installed');
  return { ext, api: await ext.activate() };
}
