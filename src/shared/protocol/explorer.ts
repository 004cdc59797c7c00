// Messages of the Embedding Explorer (sidebar view) and of its full-size plot (an editor-area panel).
// Both channels carry RpcMessages (src/shared/rpc.ts): what a webview asks is a request whose body is
// one of the schemas below, validated by the host before use; failures come back as errors with one
// sentence. What the host pushes (models, info, training progress…) is a request the webview answers
// with nothing; the host is trusted, so those bodies are typed, not validated.
import * as v from 'valibot';
import type { ContextualOccurrence, Neighbour, VectorsAnswer, VectorsInfo, VectorsQuery } from '../configs';
import { isVectorsQuery } from '../engineProtocol';
import type { ModelKind } from '../modelKinds';
import type { JobProgress } from './training';

const int = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));
const str = (max: number) => v.pipe(v.string(), v.maxLength(max));
const word = str(200);
const words = v.pipe(v.array(word), v.maxLength(20000));

// ---- what the host shows
export interface ExplorerModel {
  id: string; // folder or file
  name: string;
  kind: ModelKind; // what it can do is KINDS[kind].capabilities
  detail: string;
}

/** A model the static-vs-contextual view can read (BERT, ELMo): its layers are 0..layers. */
export interface ExplorerContextualModel {
  id: string; // its folder
  name: string;
  kind: ModelKind;
  layers?: number; // the highest layer (BERT: numLayers; ELMo: 2), when its config says
}

export interface ExplorerTable {
  words: string[];
  counts?: number[];
  dim: number;
  vectors: Float32Array; // words.length × dim
  total: number;
}

export interface ExplorerContextual {
  word: string;
  layer: number;
  layers: number;
  dim: number;
  model: string; // the contextual model's name
  modelId?: string; // its folder
  modelKind?: ModelKind; // how the view names its layers (ELMo: token layer, biLSTM layers)
  modelLabel: string; // its kind as a person reads it, e.g. 'BERT'
  occurrences: (ContextualOccurrence & { label: string })[]; // label: workspace-relative file:line
  vectors: Float32Array; // occurrences.length × dim
  total: number;
  notice?: string;
  staticModel?: string; // the explorer's static model (e.g. word2vec), whose single vector is shown beside
  staticNeighbours?: Neighbour[];
  staticError?: string;
}

// ---- the projection on screen, shared by the sidebar and the editor-area plot
export const PlotMarksSchema = v.object({
  selected: v.optional(word), // the word whose neighbours are listed
  near: v.pipe(v.array(word), v.maxLength(10000)), // its listed neighbours
});
export type PlotMarks = v.InferOutput<typeof PlotMarksSchema>;

export const ExplorerPlotSchema = v.pipe(
  v.object({
    model: str(4096), // the model id the points come from
    words,
    coords: v.pipe(v.array(v.number()), v.maxLength(60000)), // words.length × dims, in [-1, 1]
    dims: v.picklist([2, 3]),
    counts: v.optional(v.pipe(v.array(v.number()), v.maxLength(20000))),
    status: str(2000), // how the points were made, as the sidebar says it
    marks: PlotMarksSchema,
  }),
  v.check((p) => p.coords.length === p.words.length * p.dims, 'coords must hold dims numbers per word'),
);
export type ExplorerPlot = v.InferOutput<typeof ExplorerPlotSchema>;

// ---- sidebar → host: requests, each answered with the type in ExplorerAnswers
const vectorsQuery = v.custom<VectorsQuery>(isVectorsQuery, 'not a valid vectors query');

export const FromExplorerSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('selectModel'), model: str(4096) }),
  v.object({ type: v.literal('query'), query: vectorsQuery }),
  v.object({ type: v.literal('table'), words: v.optional(words), top: v.optional(int(100000)) }),
  v.object({
    type: v.literal('contextual'),
    word: v.pipe(
      str(100),
      v.check((w) => w.trim().length > 0, 'the word is blank'),
    ),
    layer: int(1000),
    model: v.optional(str(4096)), // the contextual model's folder; the active one when absent
  }),
  v.object({ type: v.literal('openOccurrence'), index: int(100000) }),
  v.object({ type: v.literal('export'), format: v.picklist(['csv', 'tsv']), data: str(64 * 1024 * 1024) }),
  v.object({ type: v.literal('pretrain') }),
  v.object({ type: v.literal('plot'), plot: ExplorerPlotSchema }), // the projection now on screen
  v.object({ type: v.literal('marks'), marks: PlotMarksSchema }), // the selection changed
  v.object({ type: v.literal('openPlot') }), // "Open in Editor Area"
]);
export type FromExplorer = v.InferOutput<typeof FromExplorerSchema>;

export function isFromExplorer(x: unknown): x is FromExplorer {
  return v.is(FromExplorerSchema, x);
}

/** What the host answers to each request of the sidebar. */
export interface ExplorerAnswers {
  ready: undefined;
  selectModel: VectorsInfo;
  query: VectorsAnswer;
  table: ExplorerTable;
  contextual: ExplorerContextual;
  openOccurrence: undefined;
  export: string | undefined; // the file written, or undefined when the dialog was dismissed
  pretrain: undefined;
  plot: undefined;
  marks: undefined;
  openPlot: undefined;
}

// ---- host → sidebar
export type ToExplorer =
  | {
      type: 'models';
      models: ExplorerModel[];
      selected?: string;
      contextual?: ExplorerContextualModel[]; // the models the static-vs-contextual view can read
      contextualSelected?: string;
    }
  | { type: 'info'; info: VectorsInfo }
  | { type: 'contextual'; data: ExplorerContextual }
  | { type: 'focusWord'; word: string } // from the editor: select it and show its occurrences
  | { type: 'selectWord'; word: string } // from the editor-area plot: select it
  | { type: 'training'; progress?: JobProgress; status?: string } // as the training panel gets it
  | { type: 'plotOpen'; open: boolean } // the editor-area plot opened or closed: send it the points
  | { type: 'error'; message: string }; // a failure of something the host started

// ---- editor-area plot → host
export const FromExplorerPlotSchema = v.variant('type', [
  v.object({ type: v.literal('ready') }),
  v.object({ type: v.literal('select'), word }), // a click on a point
  v.object({ type: v.literal('showExplorer') }), // reveal the sidebar (to change the projection)
]);
export type FromExplorerPlot = v.InferOutput<typeof FromExplorerPlotSchema>;

export function isFromExplorerPlot(x: unknown): x is FromExplorerPlot {
  return v.is(FromExplorerPlotSchema, x);
}

// ---- host → editor-area plot
export type ToExplorerPlot =
  | { type: 'plot'; plot: ExplorerPlot; modelName: string }
  | { type: 'marks'; marks: PlotMarks }
  | { type: 'empty'; message: string }; // nothing projected yet, or the model went away
