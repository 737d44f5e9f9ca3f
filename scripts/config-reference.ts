/**
 * Writes docs/monitoring/CONFIG_REFERENCE.md: every configuration key, its type, default and
 * meaning, from the schema itself (structure and defaults from `configSchema`, meanings from the
 * doc comments in lib/config/schema.ts). test/config-reference.test.ts fails when the file is
 * stale: run `npm run -s docs:config` after changing the schema.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { parseConfig } from '../lib/config/load';
import { configSchema } from '../lib/config/schema';

const root = join(import.meta.dirname, '..');
export const CONFIG_REFERENCE_PATH = join(root, 'docs', 'monitoring', 'CONFIG_REFERENCE.md');
const SCHEMA_FILE = join(root, 'lib', 'config', 'schema.ts');

type Def = {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  out?: unknown;
  element?: unknown;
  entries?: Record<string, string>;
  valueType?: unknown;
  keyType?: unknown;
  options?: unknown[];
  values?: unknown[];
  checks?: Array<{ _zod: { def: { check: string; format?: string } } }>;
  format?: string;
};
const defOf = (schema: unknown): Def => (schema as { _zod: { def: Def } })._zod.def;

export interface Row {
  readonly path: string;
  readonly type: string;
  readonly defaultText: string;
  readonly doc: string;
}

/** Every key of the schema with its type, default and meaning, in schema order. */
export function configReferenceRows(): Row[] {
  const docs = docComments(readFileSync(SCHEMA_FILE, 'utf8'));
  const defaults = parseConfig({}, 'the defaults') as unknown as Record<string, unknown>;
  const rows: Row[] = [];
  walk(configSchema, '', defaults, docs, rows);
  return rows;
}

/** The whole reference as Markdown. */
export function renderConfigReference(): string {
  const rows = configReferenceRows();
  const escape = (s: string) => s.replace(/\|/g, '\\|').replace(/\n+/g, ' ');
  return [
    '# Configuration reference',
    '',
    'Every key of `config/<env>.json` (and of the `DataLakeMonitoring` props, which take the same',
    'object). Every key is optional; a group left out gets all its defaults. Unknown keys stop the',
    'synth with the closest known key. Generated from `lib/config/schema.ts` by',
    '`npm run -s docs:config`; a test fails when this file is stale.',
    '',
    '`[]` in a key means "each entry of the list". Defaults are those of the default configuration',
    '(an NBA statistics data lake).',
    '',
    '| key | type | default | meaning |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| \`${r.path}\` | ${escape(r.type)} | ${escape(r.defaultText)} | ${escape(r.doc)} |`),
    '',
  ].join('\n');
}

function walk(schema: unknown, path: string, defaults: unknown, docs: Map<string, string>, rows: Row[]): void {
  const { inner, hasDefault, defaultValue } = unwrap(schema);
  const d = defOf(inner);
  if (d.type === 'object' && d.shape) {
    if (path && !path.endsWith('[]')) rows.push({ path, type: 'object', defaultText: '', doc: docs.get(docKey(path)) ?? '' });
    for (const [key, child] of Object.entries(d.shape)) {
      walk(child, path ? `${path}.${key}` : key, isObject(defaults) ? defaults[key] : undefined, docs, rows);
    }
    return;
  }
  const elementShape = d.type === 'array' ? unwrap(d.element).inner : undefined;
  if (elementShape && defOf(elementShape).type === 'object') {
    const doc = docs.get(docKey(path)) ?? '';
    rows.push({ path, type: 'list of objects', defaultText: defaultText(defaults ?? defaultValue, hasDefault, doc), doc: doc.replace(/\s*@default .*$/s, '') });
    walk(elementShape, `${path}[]`, undefined, docs, rows);
    return;
  }
  const doc = docs.get(docKey(path)) ?? '';
  rows.push({ path, type: typeOf(inner), defaultText: defaultText(defaults ?? defaultValue, hasDefault, doc), doc: doc.replace(/\s*@default .*$/s, '') });
}

function unwrap(schema: unknown): { inner: unknown; hasDefault: boolean; defaultValue?: unknown } {
  let cur = schema;
  let hasDefault = false;
  let defaultValue: unknown;
  for (;;) {
    const d = defOf(cur) as Def & { defaultValue?: unknown };
    if (d.type === 'default' || d.type === 'prefault') {
      hasDefault = true;
      defaultValue ??= d.defaultValue;
    }
    if (d.innerType !== undefined) cur = d.innerType;
    else if (d.type === 'pipe' && d.in !== undefined) cur = d.in;
    else return { inner: cur, hasDefault, defaultValue };
  }
}

function typeOf(schema: unknown): string {
  const d = defOf(schema);
  const checks = (d.checks ?? []).map((c) => c._zod.def);
  switch (d.type) {
    case 'boolean':
      return 'true / false';
    case 'number':
      return d.format === 'safeint' || checks.some((c) => c.format === 'safeint') ? 'whole number' : 'number';
    case 'string':
      return d.format === 'email' ? 'email address' : d.format === 'url' ? 'URL' : 'text';
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).map((v) => `\`${v}\``).join(', ')}`;
    case 'literal':
      return `\`${JSON.stringify(d.values?.[0])}\``;
    case 'union':
      return (d.options ?? []).map((o) => typeOf(unwrap(o).inner)).join(' or ');
    case 'array':
      return `list of ${typeOf(unwrap(d.element).inner)}`;
    case 'record':
      return `map of ${typeOf(unwrap(d.keyType).inner)} to ${typeOf(unwrap(d.valueType).inner)}`;
    default:
      return d.type;
  }
}

function defaultText(value: unknown, hasDefault: boolean, doc: string | undefined): string {
  if (hasDefault && value !== undefined) return `\`${JSON.stringify(value)}\``;
  const stated = /@default (.*)$/s.exec(doc ?? '')?.[1];
  return stated ? stated.trim() : 'none';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Doc comments are found by path without list markers. */
function docKey(path: string): string {
  return path.replace(/\[\]/g, '');
}

/**
 * Doc comments of the schema's object properties, by dotted path: follows the object literals
 * from `configSchema`, through consts named in a property's initializer (`s3: s3Schema`).
 */
export function docComments(source: string): Map<string, string> {
  const file = ts.createSourceFile('schema.ts', source, ts.ScriptTarget.ES2022, true);
  const literals = new Map<string, ts.ObjectLiteralExpression>();
  // `configSchema = z.pipe(fields, ...)`: the names its initializer refers to, to find its object literal.
  const referred = new Map<string, string[]>();
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const decl of statement.declarationList.declarations) {
      if (!ts.isIdentifier(decl.name) || !decl.initializer) continue;
      const literal = firstLiteral(decl.initializer);
      if (literal) literals.set(decl.name.text, literal);
      const names: string[] = [];
      const collect = (node: ts.Node): void => {
        if (ts.isIdentifier(node)) names.push(node.text);
        ts.forEachChild(node, collect);
      };
      collect(decl.initializer);
      referred.set(decl.name.text, names);
    }
  }
  const out = new Map<string, string>();
  const visit = (literal: ts.ObjectLiteralExpression, prefix: string, seen: Set<string>) => {
    for (const prop of literal.properties) {
      if (!ts.isPropertyAssignment(prop) || !(ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name))) continue;
      const path = prefix ? `${prefix}.${prop.name.text}` : prop.name.text;
      const doc = docOf(prop);
      if (doc) out.set(path, doc);
      const nested = (node: ts.Node): void => {
        if (ts.isObjectLiteralExpression(node)) return visit(node, path, seen);
        if (ts.isIdentifier(node) && literals.has(node.text) && !seen.has(node.text)) return visit(literals.get(node.text)!, path, new Set([...seen, node.text]));
        ts.forEachChild(node, nested);
      };
      nested(prop.initializer);
    }
  };
  const rootName = literals.has('configSchema') ? 'configSchema' : referred.get('configSchema')?.find((n) => literals.has(n));
  if (rootName) visit(literals.get(rootName)!, '', new Set([rootName]));
  return out;
}

function firstLiteral(node: ts.Node): ts.ObjectLiteralExpression | undefined {
  if (ts.isObjectLiteralExpression(node) && node.properties.length > 0) return node;
  if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return undefined;
  let found: ts.ObjectLiteralExpression | undefined;
  ts.forEachChild(node, (child) => {
    found ??= firstLiteral(child);
  });
  return found;
}

function docOf(node: ts.Node): string | undefined {
  const docs = (node as { jsDoc?: ts.JSDoc[] }).jsDoc;
  if (!docs?.length) return undefined;
  const doc = docs.at(-1)!;
  const text = ts.getTextOfJSDocComment(doc.comment) ?? '';
  const defaults = (doc.tags ?? []).filter((t) => t.tagName.text === 'default').map((t) => `@default ${ts.getTextOfJSDocComment(t.comment) ?? ''}`);
  return [text, ...defaults].filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  writeFileSync(CONFIG_REFERENCE_PATH, renderConfigReference());
  console.log(`wrote ${CONFIG_REFERENCE_PATH}`);
}
