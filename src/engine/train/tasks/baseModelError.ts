// The error of a base a fine-tuning run cannot use, in one sentence (its own module: the bases'
// files and the fine-tuned checkpoint reader share it without importing each other).
export class BaseModelError extends Error {
  override name = 'BaseModelError';
}
