// The kinds of model folder Pretrain Lab knows, what each can do, and how a folder's config.json
// names its kind. Pure data and pure functions over parsed JSON: the engine (to load) and the
// extension host (to list models and check a command can run) share this one table.
import * as v from 'valibot';
import { l10n } from './l10nCore';

export const MODEL_KINDS = [
  'bert',
  'word2vec',
  'gpt',
  'elmo',
  'finetuned',
  'hf-bert',
  'hf-gpt2',
  'seq2seq',
] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export const CAPABILITIES = [
  'predictMask', // a masked-LM head: fill [MASK]
  'attention', // per-layer, per-head attention weights
  'embeddings', // a static word-vector table (one vector per word or WordPiece)
  'contextual', // per-token hidden states: a word's vector depends on its sentence
  'layers', // several layers of hidden states to compare or mix
  'generate', // next-token prediction, text generation
  'classify', // a sequence classification head
  'tag', // a token tagging head
  'rewrite', // a sequence-to-sequence model: source text in, target text out
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface KindInfo {
  label: string; // as a person reads it: "BERT", "word2vec"
  formats: readonly string[]; // the "format" field of config.json written by Pretrain Lab
  hfModelTypes?: readonly string[]; // Hugging Face config.json "model_type" values
  capabilities: readonly Capability[];
  loadable: boolean; // false for kinds reserved for a later version
}

export const KINDS: Record<ModelKind, KindInfo> = {
  bert: {
    label: 'BERT',
    formats: ['pretrain-lab/bert'],
    capabilities: ['predictMask', 'attention', 'embeddings', 'contextual', 'layers'],
    loadable: true,
  },
  word2vec: {
    label: 'word2vec',
    formats: ['pretrain-lab/word2vec'],
    capabilities: ['embeddings'],
    loadable: true,
  },
  gpt: {
    label: 'GPT',
    formats: ['pretrain-lab/gpt'],
    capabilities: ['generate', 'attention', 'embeddings'], // contextual and layers: later
    loadable: true,
  },
  elmo: {
    label: 'ELMo',
    formats: ['pretrain-lab/elmo'],
    capabilities: ['embeddings', 'contextual', 'layers'],
    loadable: true,
  },
  finetuned: {
    label: 'fine-tuned',
    formats: ['pretrain-lab/finetuned'],
    capabilities: ['classify', 'tag'], // one of the two, by the folder's task
    loadable: true,
  },
  'hf-bert': {
    label: 'Hugging Face BERT',
    formats: [],
    hfModelTypes: ['bert'],
    // predictMask only when the checkpoint has the masked-LM head: see hfBertCapabilities
    capabilities: ['predictMask', 'attention', 'embeddings', 'contextual', 'layers'],
    loadable: true,
  },
  'hf-gpt2': {
    label: 'Hugging Face GPT-2',
    formats: [],
    hfModelTypes: ['gpt2'],
    capabilities: ['generate', 'embeddings'], // as GPT's: attention, contextual and layers later
    loadable: true,
  },
  seq2seq: {
    label: 'seq2seq',
    formats: ['pretrain-lab/seq2seq'],
    capabilities: ['rewrite'],
    loadable: true,
  },
};

export const BERT_FORMAT = 'pretrain-lab/bert';
export const WORD2VEC_FORMAT = 'pretrain-lab/word2vec';

export function hasCapability(kind: ModelKind, cap: Capability): boolean {
  return KINDS[kind].capabilities.includes(cap);
}

/** The tensor a Hugging Face BERT checkpoint holds when it has the masked-LM head (not BertModel). */
export const HF_MLM_HEAD_TENSOR = 'cls.predictions.transform.dense.weight';

/** A Hugging Face BERT folder's capabilities: Predict Mask only with the masked-LM head. */
export function hfBertCapabilities(hasMlmHead: boolean): Capability[] {
  return KINDS['hf-bert'].capabilities.filter((c) => c !== 'predictMask' || hasMlmHead);
}

/** The loadable kinds that have a capability, e.g. the masked language models. */
export function kindsWith(cap: Capability): ModelKind[] {
  return MODEL_KINDS.filter((k) => KINDS[k].loadable && hasCapability(k, cap));
}

// Only the fields that tell the kind; the rest of config.json is each kind's own business.
const ConfigHeadSchema = v.looseObject({
  format: v.optional(v.string()),
  formatVersion: v.optional(v.number()),
  model_type: v.optional(v.string()),
  architectures: v.optional(v.array(v.string())),
});

export type KindDetection =
  | { ok: true; kind: ModelKind; format: string; loadable: boolean; huggingFace: boolean }
  | { ok: false; problem: string; huggingFace: boolean };

/** Which kind a parsed config.json describes; `problem` is a sentence fragment ending in a period. */
export function detectKind(configJson: unknown): KindDetection {
  const head = v.safeParse(ConfigHeadSchema, configJson);
  if (!head.success)
    return {
      ok: false,
      problem: l10n.t('its config.json is not a JSON object with a text "format" field.'),
      huggingFace: false,
    };
  const { format, model_type: hfType, architectures } = head.output;
  if (format !== undefined) {
    const kind = MODEL_KINDS.find((k) => KINDS[k].formats.includes(format));
    if (kind) return { ok: true, kind, format, loadable: KINDS[kind].loadable, huggingFace: false };
    return {
      ok: false,
      problem: l10n.t(
        'its config.json names the format "{0}", which this version of Pretrain Lab does not know.',
        format,
      ),
      huggingFace: false,
    };
  }
  if (hfType !== undefined || architectures !== undefined) {
    const kind = MODEL_KINDS.find((k) => hfType !== undefined && KINDS[k].hfModelTypes?.includes(hfType));
    if (kind)
      return {
        ok: true,
        kind,
        format: `huggingface/${hfType}`,
        loadable: KINDS[kind].loadable,
        huggingFace: true,
      };
    return {
      ok: false,
      problem: hfType
        ? l10n.t(
            'it was not written by Pretrain Lab (it looks like a Hugging Face model folder of type "{0}").',
            hfType,
          )
        : l10n.t('it was not written by Pretrain Lab (it looks like a Hugging Face model folder).'),
      huggingFace: true,
    };
  }
  return {
    ok: false,
    problem: l10n.t('it was not written by Pretrain Lab: its config.json has no "format" field.'),
    huggingFace: false,
  };
}

/** What a command needs, as it reads in a sentence: "Predict Mask needs a masked language model such as BERT". */
const NEEDS = (): Record<Capability, { feature: string; needs: string }> => ({
  predictMask: { feature: l10n.t('Predict Mask'), needs: l10n.t('a masked language model such as BERT') },
  attention: { feature: l10n.t('Show Attention'), needs: l10n.t('a Transformer such as BERT') },
  embeddings: {
    feature: l10n.t('the Embedding Explorer'),
    needs: l10n.t('a model with word vectors such as word2vec'),
  },
  contextual: {
    feature: l10n.t('the contextual-vectors view'),
    needs: l10n.t('a contextual model such as BERT'),
  },
  layers: { feature: l10n.t('comparing layers'), needs: l10n.t('a model with several layers such as BERT') },
  generate: {
    feature: l10n.t('text generation'),
    needs: l10n.t('a left-to-right language model such as GPT'),
  },
  classify: { feature: l10n.t('classification'), needs: l10n.t('a fine-tuned classifier') },
  tag: { feature: l10n.t('tagging'), needs: l10n.t('a fine-tuned tagger') },
  rewrite: { feature: l10n.t('Rewrite Selection'), needs: l10n.t('a sequence-to-sequence model') },
});

/** What a model of this kind is (and what it can do instead), when it cannot do what was asked. */
export function whatItIs(kind: ModelKind): string | undefined {
  return WHAT_IT_IS()[kind];
}

/** What a model of this kind is, for the sentence that says why it cannot do something. */
const WHAT_IT_IS = (): Partial<Record<ModelKind, string>> => ({
  word2vec: l10n.t('one vector per word, with no masked-LM head, no attention and no context'),
  elmo: l10n.t(
    'a biLSTM language model with three layers per word and no masked-LM head or attention; pretrain-lab embed prints its vectors, Show ELMo Layers reads it',
  ),
});

/**
 * One sentence for a person: the model, its kind, what the feature needs and what to do, e.g.
 * `"w2v" is a word2vec model (…); Predict Mask needs a masked language model such as BERT: make one active in the Models view.`
 */
export function missingCapabilityMessage(name: string, kind: ModelKind, cap: Capability): string {
  const info = KINDS[kind];
  if (kind === 'hf-bert' && cap === 'predictMask')
    return l10n.t(
      '"{0}" is a Hugging Face BERT saved without its masked-LM head (cls.predictions, written by BertForMaskedLM or BertForPreTraining, not BertModel), so it cannot fill [MASK]; Predict Mask needs a BERT with that head: make one active in the Models view.',
      name,
    );
  const what = WHAT_IT_IS()[kind];
  const n = NEEDS()[cap];
  // the article is part of the message: Chinese has none
  const args = [name, info.label, what ? l10n.t(' ({0})', what) : '', n.feature, n.needs] as const;
  return /^[aeiou]/i.test(info.label)
    ? l10n.t('"{0}" is an {1} model{2}; {3} needs {4}: make one active in the Models view.', ...args)
    : l10n.t('"{0}" is a {1} model{2}; {3} needs {4}: make one active in the Models view.', ...args);
}

/** A capability as it reads in a list: "active for Predict Mask, attention, word vectors"; getters, so that
 * the label is in the display language at the time it is read. */
export const CAPABILITY_LABELS: Record<Capability, string> = {
  get predictMask() {
    return l10n.t('Predict Mask');
  },
  get attention() {
    return l10n.t('attention');
  },
  get embeddings() {
    return l10n.t('word vectors');
  },
  get contextual() {
    return l10n.t('contextual vectors');
  },
  get layers() {
    return l10n.t('layers');
  },
  get generate() {
    return l10n.t('generation');
  },
  get classify() {
    return l10n.t('classification');
  },
  get tag() {
    return l10n.t('tagging');
  },
  get rewrite() {
    return l10n.t('rewriting');
  },
};
