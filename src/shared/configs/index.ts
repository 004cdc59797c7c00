// Model and task configs with their defaults, one file per family. Imported by the engine, the
// extension and webviews; imports nothing outside src/shared.

export * from './analysis';
export * from './backend';
export * from './bert';
export * from './elmo';
export * from './gpt';
export * from './seq2seq';
export * from './settings';
export * from './word2vec';
