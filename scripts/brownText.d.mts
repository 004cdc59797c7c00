export function detag(line: string): string;
