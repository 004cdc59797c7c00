/** The bytes of a module as base64: word2vec's simd.wat (the default) or the BERT step's stepKernels.wat. */
export function assemble(which?: 'word2vec' | 'step'): Promise<string>;
