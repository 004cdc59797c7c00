// One small request/response channel used for both the worker and the webviews: requests carry an id,
// replies name the request they answer, progress events stream in between, errors travel back and
// reject the caller's promise with the other side's name and message (a CancelledError is rebuilt as
// one, so `instanceof` works across the channel), and a request can be cancelled.

export type RpcMessage =
  | { rpc: 'request'; id: number; body: unknown }
  | { rpc: 'response'; inReplyTo: number; body: unknown }
  | { rpc: 'error'; inReplyTo: number; message: string; name?: string } // name: the Error's class, e.g. 'ModelFolderError'
  | { rpc: 'progress'; inReplyTo: number; body: unknown }
  | { rpc: 'cancel'; inReplyTo: number };

export function isRpcMessage(x: unknown): x is RpcMessage {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Record<string, unknown>;
  switch (m.rpc) {
    case 'request':
      return typeof m.id === 'number';
    case 'response':
    case 'progress':
    case 'cancel':
      return typeof m.inReplyTo === 'number';
    case 'error':
      return (
        typeof m.inReplyTo === 'number' &&
        typeof m.message === 'string' &&
        (m.name === undefined || typeof m.name === 'string')
      );
    default:
      return false;
  }
}

export class CancelledError extends Error {
  constructor(message = 'Cancelled.') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** An error as it arrives from the other side: its message, and its class's name in `name`. */
export function remoteError(message: string, name = 'Error'): Error {
  if (name === 'CancelledError' || (name === 'Error' && message === 'Cancelled.'))
    return new CancelledError(message);
  const e = new Error(message);
  e.name = name;
  return e;
}

const handOver = new WeakSet<ArrayBuffer>();
let marked = 0; // buffers marked and not yet sent: no reply is searched while there are none

/**
 * Marks a typed array of a reply to be moved, not copied, to the other side (a worker's postMessage
 * transfer list): a base-size model's attention at 512 tokens is 151 MB, which a structured clone copies
 * twice. Only an array that owns its whole buffer can be handed over; the sender must not use it again
 * (it is detached after the reply). Where the channel cannot move buffers (a webview) it is copied.
 */
export function handOverOnReply<T extends ArrayBufferView>(a: T): T {
  const b = a.buffer;
  if (b instanceof ArrayBuffer && a.byteOffset === 0 && a.byteLength === b.byteLength && !handOver.has(b)) {
    handOver.add(b);
    marked++;
  }
  return a;
}

/** The buffers marked by handOverOnReply among a reply's values (searched three levels deep). */
export function handedOver(body: unknown, depth = 3): ArrayBuffer[] {
  if (typeof body !== 'object' || body === null || depth < 0) return [];
  if (ArrayBuffer.isView(body))
    return body.buffer instanceof ArrayBuffer && handOver.has(body.buffer) ? [body.buffer] : [];
  const values = Array.isArray(body) ? body : Object.values(body);
  return [...new Set(values.flatMap((v) => handedOver(v, depth - 1)))];
}

export interface RequestContext {
  id: number;
  progress(body: unknown): void;
  readonly cancelled: boolean;
  onCancel(fn: () => void): void;
}

export type RequestHandler = (body: unknown, ctx: RequestContext) => Promise<unknown>;

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (body: unknown) => void;
}

export interface RequestOptions {
  onProgress?: (body: unknown) => void;
  signal?: AbortSignal;
}

export class RpcEndpoint {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, { cancelled: boolean; cancelFns: (() => void)[] }>();

  constructor(
    private readonly post: (m: RpcMessage, transfer?: ArrayBuffer[]) => void,
    private readonly handler?: RequestHandler,
  ) {}

  request(body: unknown, opts: RequestOptions = {}): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(new CancelledError());
        return;
      }
      this.pending.set(id, { resolve, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener('abort', () => {
        if (this.pending.has(id)) this.post({ rpc: 'cancel', inReplyTo: id });
      });
      this.post({ rpc: 'request', id, body });
    });
  }

  /** Rejects every outstanding request, e.g. when the other side died. */
  failAll(message: string): void {
    for (const p of this.pending.values()) p.reject(new Error(message));
    this.pending.clear();
  }

  get outstanding(): number {
    return this.pending.size;
  }

  handle(m: unknown): void {
    if (!isRpcMessage(m)) return;
    switch (m.rpc) {
      case 'request':
        void this.serve(m.id, m.body);
        return;
      case 'cancel': {
        const r = this.running.get(m.inReplyTo);
        if (r && !r.cancelled) {
          r.cancelled = true;
          for (const fn of r.cancelFns) fn();
        }
        return;
      }
      case 'progress':
        this.pending.get(m.inReplyTo)?.onProgress?.(m.body);
        return;
      case 'response': {
        const p = this.pending.get(m.inReplyTo);
        this.pending.delete(m.inReplyTo);
        p?.resolve(m.body);
        return;
      }
      case 'error': {
        const p = this.pending.get(m.inReplyTo);
        this.pending.delete(m.inReplyTo);
        p?.reject(remoteError(m.message, m.name));
        return;
      }
    }
  }

  private async serve(id: number, body: unknown): Promise<void> {
    if (!this.handler) {
      this.post({ rpc: 'error', inReplyTo: id, message: 'This side answers no requests.' });
      return;
    }
    const state = { cancelled: false, cancelFns: [] as (() => void)[] };
    this.running.set(id, state);
    const ctx: RequestContext = {
      id,
      progress: (b) => this.post({ rpc: 'progress', inReplyTo: id, body: b }),
      get cancelled() {
        return state.cancelled;
      },
      onCancel: (fn) => state.cancelFns.push(fn),
    };
    try {
      const result = await this.handler(body, ctx);
      const transfer = marked > 0 ? handedOver(result) : [];
      this.post({ rpc: 'response', inReplyTo: id, body: result }, transfer.length ? transfer : undefined);
      for (const b of transfer) handOver.delete(b);
      marked -= transfer.length;
    } catch (e) {
      if (e instanceof Error) this.post({ rpc: 'error', inReplyTo: id, message: e.message, name: e.name });
      else this.post({ rpc: 'error', inReplyTo: id, message: String(e) });
    } finally {
      this.running.delete(id);
    }
  }
}
