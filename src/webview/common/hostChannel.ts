// A panel's channel to the host, on the one RPC class (rpcClient.ts): what the panel asks is checked
// against its protocol before it leaves (the host checks again; this catches our own slips), and what
// the host pushes is handed to the panel. A request resolves with the host's answer or rejects with
// its one-sentence error, which the panel shows.

import { l10n } from '../common/l10n';
import { type ClientRequestOptions, errorText, type PostTarget, RpcClient } from './rpcClient';

export interface HostChannel<From> {
  /** Asks the host; rejects with its error. */
  ask<T = unknown>(m: From, opts?: ClientRequestOptions): Promise<T>;
  /** Tells the host something; `onError` gets the sentence if the host refuses it. */
  tell(m: From, onError?: (message: string) => void): void;
}

export function hostChannel<From>(
  api: PostTarget,
  isFrom: (x: unknown) => x is From,
  onPush: (body: unknown) => void,
  target: Pick<Window, 'addEventListener'> = window, // the page's `message` events; another in tests
): HostChannel<From> {
  const rpc = new RpcClient(api, { onRequest: (body) => onPush(body) }, target);
  const ask = <T>(m: From, opts?: ClientRequestOptions): Promise<T> =>
    isFrom(m)
      ? rpc.request<T>(m, opts)
      : Promise.reject(
          new Error(l10n.t('The panel made a malformed request; this is a bug in Pretrain Lab.')),
        );
  return {
    ask,
    tell(m, onError) {
      ask(m).catch((e: unknown) => onError?.(errorText(e)));
    },
  };
}
