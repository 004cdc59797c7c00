// The BERT column of the Next Tokens panel: the same position as GPT's next token, masked in the line
// around the cursor so that the active masked language model reads both sides of it. Left context only
// (GPT) vs both sides (BERT), side by side.
import * as vscode from 'vscode';
import type { NextTokensView } from '../../shared/protocol/nextTokens';
import type { EngineClient } from '../engineClient';
import { log } from '../log';
import type { ModelStore } from '../modelStore';

const SIDE_CHARS = 200; // characters of the line kept on each side of the mask

/** A word that starts at the cursor: a Chinese character alone, else letters and digits. */
const WORD_AFTER = /^(?:\p{Script=Han}|[\p{L}\p{N}_]+)/u;

/**
 * The cursor's line with [MASK] at the cursor, cut to SIDE_CHARS on each side. A word that starts at
 * the cursor is what GPT predicts there, so it is masked (replaced), not kept beside the mask.
 */
export function maskedLine(doc: vscode.TextDocument, offset: number): string {
  const pos = doc.positionAt(offset);
  const line = doc.lineAt(pos.line).text;
  const left = line.slice(Math.max(0, pos.character - SIDE_CHARS), pos.character);
  const after = line.slice(pos.character);
  const word = after.match(WORD_AFTER)?.[0] ?? '';
  return `${left}[MASK]${after.slice(word.length, word.length + SIDE_CHARS)}`;
}

/** BERT's candidates for the masked cursor position, or one sentence saying why there are none. */
export async function bertColumn(
  engine: EngineClient,
  models: ModelStore,
  doc: vscode.TextDocument,
  offset: number,
  topK: number,
): Promise<NonNullable<NextTokensView['bert']>> {
  const model = models.active('predictMask');
  if (!model)
    return {
      missing: vscode.l10n.t(
        'To see BERT beside GPT, pretrain a BERT (Pretrain Lab: Pretrain BERT) or make one active in the Models view.',
      ),
    };
  const masked = maskedLine(doc, offset);
  try {
    const r = await engine.call({ type: 'predictMask', modelDir: model.dir, text: masked, topK });
    const candidates = (r.masks[0]?.candidates ?? []).map((c) => ({
      token: c.token,
      probability: c.probability,
    }));
    return { model: model.name, masked, candidates, notice: r.notice };
  } catch (e) {
    const msg = (e as Error).message;
    log().warn(`Show Next Tokens (BERT): ${msg}`);
    return { missing: msg };
  }
}
