// The standard BERT vocab.txt: one token per line, line number = id. A published file loads unchanged.
import * as fs from 'node:fs';
import { l10n } from '../../shared/l10nCore';

export const PAD = '[PAD]';
export const UNK = '[UNK]';
export const CLS = '[CLS]';
export const SEP = '[SEP]';
export const MASK = '[MASK]';
export const SPECIAL_TOKENS = [PAD, UNK, CLS, SEP, MASK] as const;

export class Vocab {
  readonly tokens: readonly string[];
  private readonly ids = new Map<string, number>();
  readonly padId: number;
  readonly unkId: number;
  readonly clsId: number;
  readonly sepId: number;
  readonly maskId: number;
  /** Ids that never take part in masking or random replacement. */
  readonly specialIds: ReadonlySet<number>;

  constructor(tokens: readonly string[]) {
    this.tokens = tokens;
    tokens.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    const need = (t: string) => {
      const id = this.ids.get(t);
      if (id === undefined)
        throw new Error(
          l10n.t(
            'The vocabulary has no {0} token; a BERT vocab.txt needs all of {1}.',
            t,
            SPECIAL_TOKENS.join(' '),
          ),
        );
      return id;
    };
    this.padId = need(PAD);
    this.unkId = need(UNK);
    this.clsId = need(CLS);
    this.sepId = need(SEP);
    this.maskId = need(MASK);
    const specials = new Set<number>();
    tokens.forEach((t, i) => {
      // [PAD] [unused0] [CLS] ... : bracketed tokens are never real text
      if (/^\[[^\]]+\]$/.test(t)) specials.add(i);
    });
    this.specialIds = specials;
  }

  get size(): number {
    return this.tokens.length;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  id(token: string): number {
    return this.ids.get(token) ?? this.unkId;
  }

  token(id: number): string {
    return this.tokens[id] ?? UNK;
  }

  static parse(text: string, source = 'vocab.txt'): Vocab {
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    if (lines.length === 0) throw new Error(l10n.t('{0} is empty; it needs one token per line.', source));
    return new Vocab(lines);
  }

  static load(file: string): Vocab {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      throw new Error(l10n.t('Cannot read the vocabulary {0}; check that the file exists.', file));
    }
    return Vocab.parse(text, file);
  }

  serialize(): string {
    return this.tokens.join('\n') + '\n';
  }
}
