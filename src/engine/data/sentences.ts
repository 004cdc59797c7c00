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
