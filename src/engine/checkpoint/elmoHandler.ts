// The registry's row for `elmo` folders (registry.ts): kept apart from elmo.ts so that the folder code
// does not import the analysis code that reads it.
import { ElmoModel } from '../analysis/elmoLayers';
import { elmoVectors, saveElmoCheckpoint, summariseElmo } from './elmo';
import type { KindHandler } from './registry';

export const elmoHandler: KindHandler<typeof saveElmoCheckpoint> = {
  kind: 'elmo',
  load: (dir) => new ElmoModel(dir),
  summarise: summariseElmo,
  vectors: elmoVectors,
  save: saveElmoCheckpoint,
};
