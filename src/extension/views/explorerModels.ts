// Which models the Embedding Explorer can open, and the engine calls it has in flight for each: when a
// model disappears from the store (deleted, or its folder removed), the calls that ask it are failed at
// once with one sentence rather than left waiting for an engine that may be busy for a while.
import * as vscode from 'vscode';
import type { ExplorerModel } from '../../shared/protocol/explorer';
import type { RequestContext } from '../../shared/rpc';
import type { ModelEntry, ModelStore } from '../modelStore';

interface InFlight {
  model: string;
  fail(message: string): void;
}

export class ExplorerModels {
  private available: ExplorerModel[] | undefined; // read from the model folders when the store changes
  private readonly inFlight = new Set<InFlight>();

  constructor(private readonly store: ModelStore) {}

  /** Usable models, word2vec ones first, then BERTs (input embeddings). */
  list(): ExplorerModel[] {
    if (!this.available) {
      const all = this.store.list().filter((m) => !m.problem);
      const w2v = all.filter((m) => m.type === 'word2vec');
      const bert = all.filter((m) => m.type === 'bert');
      this.available = [...w2v, ...bert].map((m) => ({
        id: m.dir,
        name: m.name,
        kind: m.type,
        detail: detail(m),
      }));
    }
    return this.available;
  }

  find(id: string | undefined): ExplorerModel | undefined {
    return id === undefined ? undefined : this.list().find((m) => m.id === id);
  }

  /** The store changed: re-read the list, and fail the calls to models no longer in it. */
  refresh(): ExplorerModel[] {
    const before = this.available ?? [];
    this.available = undefined;
    const now = this.list();
    for (const call of [...this.inFlight]) {
      if (now.some((m) => m.id === call.model)) continue;
      const name = before.find((m) => m.id === call.model)?.name ?? call.model;
      call.fail(`The model "${name}" was removed while the explorer was asking it; choose another model.`);
    }
    return now;
  }

  /** Calls the engine about a model; fails when the model goes away or the webview cancels. */
  async ask<T>(
    model: string,
    ctx: RequestContext | undefined,
    call: (token: vscode.CancellationToken) => Promise<T>,
  ): Promise<T> {
    const cts = new vscode.CancellationTokenSource();
    ctx?.onCancel(() => cts.cancel());
    let entry: InFlight | undefined;
    const gone = new Promise<never>((_, reject) => {
      entry = {
        model,
        fail: (message) => {
          cts.cancel();
          reject(new Error(message));
        },
      };
    });
    this.inFlight.add(entry!);
    const answer = call(cts.token);
    // the loser of the race may settle later (a late answer for a removed model): expected
    answer.catch(() => {});
    gone.catch(() => {});
    try {
      return await Promise.race([answer, gone]);
    } finally {
      this.inFlight.delete(entry!);
      cts.dispose();
    }
  }

  /** Engine calls waiting for an answer (tests wait for one before they pull the rug). */
  get pending(): number {
    return this.inFlight.size;
  }
}

function detail(m: ModelEntry): string {
  if (m.type === 'bert')
    return `BERT input embeddings · ${m.vocabSize ?? '?'} WordPieces · ${m.hidden ?? '?'}d`;
  const algo = m.algo === 'cbow' ? 'CBOW' : m.algo === 'skipgram' ? 'skip-gram' : 'vectors';
  return `word2vec ${algo} · ${m.vocabSize?.toLocaleString('en') ?? '?'} words · ${m.dim ?? '?'}d`;
}
