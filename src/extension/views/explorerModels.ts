// Which models the Embedding Explorer can open, and the engine calls it has in flight for each: when a
// model disappears from the store (deleted, or its folder removed), the calls that ask it are failed at
// once with one sentence rather than left waiting for an engine that may be busy for a while.
import * as vscode from 'vscode';
import { KINDS } from '../../shared/modelKinds';
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

  /**
   * Usable models with word vectors: static-only ones (word2vec) first, then contextual ones, whose
   * input embeddings are the table shown.
   */
  list(): ExplorerModel[] {
    if (!this.available) {
      const able = this.store
        .list()
        .filter((m) => !m.problem && m.modelKind && m.capabilities.includes('embeddings'));
      const staticOnly = able.filter((m) => !m.capabilities.includes('contextual'));
      const contextual = able.filter((m) => m.capabilities.includes('contextual'));
      this.available = [...staticOnly, ...contextual].flatMap((m) =>
        m.modelKind ? [{ id: m.dir, name: m.name, kind: m.modelKind, detail: detail(m) }] : [],
      );
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
      call.fail(
        vscode.l10n.t(
          'The model "{0}" was removed while the explorer was asking it; choose another model.',
          name,
        ),
      );
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
  // an ELMo's word vectors are its token layer (layer 0), over whole words
  if (m.modelKind === 'elmo')
    return vscode.l10n.t('ELMo token layer (layer 0) · {0} words', m.vocabSize?.toLocaleString('en') ?? '?');
  if (m.modelKind !== 'word2vec') {
    const label = m.modelKind ? KINDS[m.modelKind].label : 'model';
    return vscode.l10n.t(
      '{0} input embeddings · {1} WordPieces · {2}d',
      label,
      m.vocabSize ?? '?',
      m.hidden ?? '?',
    );
  }
  const algo = m.algo === 'cbow' ? 'CBOW' : m.algo === 'skipgram' ? 'skip-gram' : 'vectors';
  return vscode.l10n.t(
    'word2vec {0} · {1} words · {2}d',
    algo,
    m.vocabSize?.toLocaleString('en') ?? '?',
    m.dim ?? '?',
  );
}
