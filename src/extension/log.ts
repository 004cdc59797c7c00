import * as vscode from 'vscode';

let channel: vscode.LogOutputChannel | undefined;

/** The "Pretrain Lab" output channel, where every log of the extension and the engine goes. */
export function log(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Pretrain Lab', { log: true });
  return channel;
}
