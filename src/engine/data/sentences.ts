// Sentence splitting for English and Chinese: after . ! ? … (followed by space or the end, so "3.14"
// and "e.g.x" stay whole) and right after 。！？； (Chinese needs no space).
const CJK_END = '。！？；';
const LATIN_END = '.!?…';
const CLOSERS = '"\'”’)]}」』）】';

export function splitSentences(line: string): string[] {
  const out: string[] = [];
  let start = 0;
  const chars = line;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i];
    let end = -1;
    if (CJK_END.includes(c)) end = i + 1;
    else if (LATIN_END.includes(c)) {
      let j = i + 1;
      while (j < chars.length && LATIN_END.includes(chars[j])) j++;
      while (j < chars.length && CLOSERS.includes(chars[j])) j++;
      if (j >= chars.length || /\s/.test(chars[j])) end = j;
      else continue;
    } else continue;
    while (end < chars.length && CLOSERS.includes(chars[end])) end++;
    const s = chars.slice(start, end).trim();
    if (s) out.push(s);
    start = end;
    i = end - 1;
  }
  const rest = chars.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/**
 * The index just after the last sentence end in text[from, before), as splitSentences finds them, or
 * 0 when there is none there: where to cut a line too long to hold whole.
 */
export function lastSentenceEnd(text: string, before: number, from = Math.floor(before / 2)): number {
  for (let i = Math.min(before, text.length) - 1; i >= Math.max(from, 1); i--) {
    const c = text[i];
    if (CJK_END.includes(c)) return i + 1;
    if (!/\s/.test(c)) continue;
    let j = i - 1; // a space after . ! ? … and any closing quotes or brackets
    while (j > 0 && CLOSERS.includes(text[j])) j--;
    if (LATIN_END.includes(text[j])) return i;
  }
  return 0;
}
