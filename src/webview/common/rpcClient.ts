// The webview end of a panel's channel to the extension host: the same RpcEndpoint as the engine
// worker's channel, over acquireVsCodeApi's postMessage and the window's `message` events. A request
// resolves with the host's answer or rejects with its one-sentence error; it also rejects when the host
// has not answered within its timeout, so no control spins forever.
import { CancelledError, RpcEndpoint } from '../../shared/rpc';
import { l10n } from '../common/l10n';

export interface PostTarget {
  postMessage(message: unknown): void;
}

export interface RpcClientOptions {
  /** Answers what the host pushes (models, progress…); its result goes back as the response. */
  onRequest?: (body: unknown) => unknown;
  /** Default time a request may take before it is given up, in ms. */
  timeoutMs?: number;
}

export interface ClientRequestOptions {
  timeoutMs?: number;
  /** The sentence shown when the request times out. */
  timeoutMessage?: string;
  signal?: AbortSignal;
  onProgress?: (body: unknown) => void;
}

export class TimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TimeoutError';
  }
}

export class RpcClient {
  private readonly endpoint: RpcEndpoint;
  private readonly timeoutMs: number;

  constructor(
    api: PostTarget,
    opts: RpcClientOptions = {},
    target: Pick<Window, 'addEventListener'> = window,
  ) {
    const onRequest = opts.onRequest;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.endpoint = new RpcEndpoint(
      (m) => api.postMessage(m),
      onRequest ? async (body) => onRequest(body) : undefined,
    );
    target.addEventListener('message', (ev) => this.endpoint.handle((ev as MessageEvent).data));
  }

  /** Feeds one message from the host (the constructor already listens to `message` events). */
  handle(message: unknown): void {
    this.endpoint.handle(message);
  }

  /**
   * Asks the host. Rejects with the host's error, with a TimeoutError after the timeout (the host is
   * then told to cancel), or with a CancelledError when the signal aborts.
   */
  request<T>(body: unknown, opts: ClientRequestOptions = {}): Promise<T> {
    const ms = opts.timeoutMs ?? this.timeoutMs;
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort = () => {};
    const given = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        ac.abort(); // the host stops the work if it can; its late answer is dropped
        reject(
          new TimeoutError(
            opts.timeoutMessage ??
              l10n.t(
                'No answer came within {0} seconds; try again, or see the Pretrain Lab log.',
                Math.round(ms / 1000),
              ),
          ),
        );
      }, ms);
      // a caller's own abort rejects at once rather than when the host confirms the cancel
      onAbort = () => {
        ac.abort();
        reject(new CancelledError());
      };
      opts.signal?.addEventListener('abort', onAbort);
    });
    const answer = this.endpoint.request(body, { signal: ac.signal, onProgress: opts.onProgress });
    // whichever loses the race may still settle later: that is expected, not an unhandled rejection
    answer.catch(() => {});
    given.catch(() => {});
    return Promise.race([answer, given]).finally(() => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    }) as Promise<T>;
  }

  get outstanding(): number {
    return this.endpoint.outstanding;
  }
}

/** One sentence from whatever a request rejected with. */
export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
