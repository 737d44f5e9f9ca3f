/**
 * JSON as the collectors read it: JSON.parse for the values, plus what JSON.parse hides. A key
 * written twice in one object silently resolves to its last value there; here every duplicate
 * is reported with its path and lines, so the collector can refuse that one value and keep the
 * rest. (A YAML parser would find them too, at 70x the memory: see MAX_YAML_BYTES.)
 */

export interface DuplicateKey {
  /** `by_priority.high`, `tasks[3].id`. */
  readonly path: string;
  /** 1-based lines of every occurrence. */
  readonly lines: number[];
}

export type JsonParse = { readonly ok: true; readonly value: unknown; readonly duplicates: DuplicateKey[] } | { readonly ok: false; readonly error: string };

export function parseJson(text: string): JsonParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  return { ok: true, value, duplicates: findDuplicateKeys(text) };
}

type Frame =
  | { readonly kind: 'object'; readonly path: string; readonly keys: Map<string, number>; expectKey: boolean; key?: string }
  | { readonly kind: 'array'; readonly path: string; index: number };

/** Duplicate keys of a document JSON.parse accepted (so its strings and brackets are well formed). */
export function findDuplicateKeys(text: string): DuplicateKey[] {
  const found = new Map<string, number[]>();
  const stack: Frame[] = [];
  let line = 1;
  const childPath = (): string => {
    const top = stack.at(-1);
    if (!top) return '';
    if (top.kind === 'array') return `${top.path}[${top.index}]`;
    return top.path ? `${top.path}.${top.key}` : (top.key ?? '');
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line++;
    else if (c === 0x22) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = stack.at(-1);
      if (top?.kind === 'object' && top.expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const first = top.keys.get(key);
        if (first === undefined) top.keys.set(key, line);
        else {
          const path = top.path ? `${top.path}.${key}` : key;
          const lines = found.get(path) ?? [first];
          lines.push(line);
          found.set(path, lines);
        }
        top.key = key;
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b) stack.push({ kind: 'object', path: childPath(), keys: new Map(), expectKey: true });
    else if (c === 0x5b) stack.push({ kind: 'array', path: childPath(), index: 0 });
    else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) {
      const top = stack.at(-1);
      if (top?.kind === 'object') top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return [...found].map(([path, lines]) => ({ path, lines }));
}

/** `"140" (a string)`, `-3`, `a list`: a value as a message shows it, long text cut. */
export function describeValue(v: unknown, max = 120): string {
  if (v === undefined) return '(missing)';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  const shown = JSON.stringify(s.length > max ? `${s.slice(0, max)}...` : s);
  return `${shown} (a ${typeof v}${s.length > max ? ` of ${s.length} characters` : ''})`;
}
