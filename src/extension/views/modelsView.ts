// The Models view: every model with its type, size, corpus, steps and final metrics, and what it is
// active for (one model is active per capability: the masked LM, the word vectors…).
import * as vscode from 'vscode';
import { CAPABILITY_LABELS, type Capability, KINDS } from '../../shared/modelKinds';
import type { ModelEntry, ModelStore } from '../modelStore';

export class ModelsView implements vscode.TreeDataProvider<ModelEntry>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ModelEntry | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;
  private activeFor = new Map<Capability, string>(); // read with the list, once per refresh

  constructor(private readonly store: ModelStore) {
    this.sub = store.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(element?: ModelEntry): ModelEntry[] {
    if (element) return [];
    this.activeFor = this.store.activeByCapability();
    return this.store.list();
  }

  /** Whether the model is active for every capability it has: Make Active is not offered on it. */
  private fullyActive(m: ModelEntry): boolean {
    return m.capabilities.length > 0 && m.capabilities.every((c) => this.activeFor.get(c) === m.dir);
  }

  /** 'model', 'deletable' (stored), 'inactive' (Make Active is offered), 'word2vec': menus match these. */
  private contextValue(m: ModelEntry): string {
    const tags = ['model'];
    if (m.kind === 'stored') tags.push('deletable');
    if (!m.problem && !this.fullyActive(m)) tags.push('inactive');
    if (m.modelKind === 'word2vec') tags.push('word2vec');
    return tags.join(' ');
  }

  /** What this model is the active model for, e.g. "Predict Mask, attention, word vectors". */
  private activeFeatures(m: ModelEntry): string[] {
    return m.capabilities
      .filter((c) => this.activeFor.get(c) === m.dir)
      .filter((c) => c !== 'layers')
      .map((c) => CAPABILITY_LABELS[c]);
  }

  getTreeItem(m: ModelEntry): vscode.TreeItem {
    const features = this.activeFeatures(m);
    const active = features.length > 0;
    const activeNote = active ? vscode.l10n.t(' (active for {0})', features.join(', ')) : '';
    if (m.modelKind === 'word2vec') return this.word2vecItem(m, active, activeNote);
    const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
    // the kind's own label: a folder of a kind this version cannot load is not called BERT
    const label = m.modelKind ? KINDS[m.modelKind].label : 'model';
    // "BERT tiny · 2L/128H/2A", "Hugging Face BERT · 12L/768H/12A" (a preset the label names is not repeated)
    const head = m.preset && !label.includes(m.preset) ? `${label} ${m.preset}` : label;
    const size = `${head}${m.layers ? ` · ${m.layers}L/${m.hidden}H/${m.heads}A` : ''}`;
    const steps = m.steps !== undefined ? vscode.l10n.t(' · {0} steps', m.steps) : '';
    item.description = m.problem ? m.problem : `${active ? vscode.l10n.t('active · ') : ''}${size}${steps}`;
    item.iconPath = new vscode.ThemeIcon(m.problem ? 'warning' : active ? 'pass-filled' : 'symbol-class');
    item.contextValue = this.contextValue(m);
    item.id = m.dir;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${escapeMd(m.name)}**${escapeMd(activeNote)}\n\n`);
    md.appendMarkdown(
      vscode.l10n.t('- type: {0}\n- vocabulary: {1} WordPieces\n', escapeMd(size), m.vocabSize ?? '?'),
    );
    if (m.corpus)
      md.appendMarkdown(
        vscode.l10n.t(
          '- corpus: {0}{1}\n',
          escapeMd(m.corpus.slice(0, 3).join(', ')),
          m.corpus.length > 3 ? vscode.l10n.t(' and {0} more', m.corpus.length - 3) : '',
        ),
      );
    if (m.steps !== undefined)
      md.appendMarkdown(
        vscode.l10n.t(
          '- steps: {0}{1}\n',
          m.steps,
          m.totalSteps ? vscode.l10n.t(' of {0}', m.totalSteps) : '',
        ),
      );
    const x = m.metrics;
    if (x?.mlmLoss !== undefined) {
      md.appendMarkdown(
        vscode.l10n.t(
          '- final MLM loss {0}, MLM accuracy {1}%, NSP accuracy {2}%\n',
          x.mlmLoss.toFixed(3),
          ((x.mlmAccuracy ?? 0) * 100).toFixed(1),
          ((x.nspAccuracy ?? 0) * 100).toFixed(1),
        ),
      );
    }
    md.appendMarkdown(vscode.l10n.t('- folder: `{0}`', m.dir.replace(/`/g, "'")));
    item.tooltip = md;
    // a click makes it active, unless it already is for everything it can do
    if (!m.problem && !this.fullyActive(m))
      item.command = {
        command: 'pretrainLab.setActiveModel',
        title: vscode.l10n.t('Make Active'),
        arguments: [m],
      };
    return item;
  }

  private word2vecItem(m: ModelEntry, active: boolean, activeNote: string): vscode.TreeItem {
    const item = new vscode.TreeItem(m.name, vscode.TreeItemCollapsibleState.None);
    const algo = m.algo === 'cbow' ? 'CBOW' : m.algo === 'skipgram' ? 'skip-gram' : 'vectors';
    const size = `${m.dim ?? '?'}d · ${m.vocabSize?.toLocaleString('en') ?? '?'} words`;
    const ep =
      m.epochsDone !== undefined ? vscode.l10n.t(' · {0}/{1} epochs', m.epochsDone, m.epochs ?? '?') : '';
    item.description = m.problem
      ? m.problem
      : `${active ? vscode.l10n.t('active · ') : ''}word2vec ${algo} · ${size}${ep}`;
    item.iconPath = new vscode.ThemeIcon(m.problem ? 'warning' : active ? 'pass-filled' : 'symbol-array');
    item.contextValue = this.contextValue(m);
    item.id = m.dir;
    const md = new vscode.MarkdownString();
    md.appendMarkdown(`**${escapeMd(m.name)}**${escapeMd(activeNote)}\n\n`);
    md.appendMarkdown(vscode.l10n.t('- type: word2vec {0}, {1}\n', escapeMd(algo), escapeMd(size)));
    if (m.corpus)
      md.appendMarkdown(vscode.l10n.t('- corpus: {0}\n', escapeMd(m.corpus.slice(0, 3).join(', '))));
    if (m.epochLosses?.length)
      md.appendMarkdown(
        vscode.l10n.t('- loss per epoch: {0}\n', m.epochLosses.map((l) => l.toFixed(3)).join(', ')),
      );
    md.appendMarkdown(`- ${m.dir.endsWith('/') ? 'folder' : 'path'}: \`${m.dir.replace(/`/g, "'")}\`\n\n`);
    md.appendMarkdown(
      vscode.l10n.t(
        'One vector per word: open it in the Embedding Explorer. Making it active leaves Predict Mask and attention on the active BERT.',
      ),
    );
    item.tooltip = md;
    if (!m.problem)
      item.command = {
        command: 'pretrainLab.openInExplorer',
        title: vscode.l10n.t('Open in Embedding Explorer'),
        arguments: [m],
      };
    return item;
  }

  dispose(): void {
    this.sub.dispose();
    this.changed.dispose();
  }
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
