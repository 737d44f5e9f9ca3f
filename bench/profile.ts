import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where a process's CPU went, from the `.cpuprofile` files `node --cpu-prof` writes (one per
 * thread). Each sample is charged to the first frame, from the leaf up, that names one of the
 * categories below: a Buffer copy made by the page parser counts as XML parsing, a socket read
 * made by the HTTP client as the HTTP stack. Anything under module loading is start-up, whatever
 * runs beneath it. Idle time is not CPU and is left out.
 */

export const CATEGORIES = [
  'start-up (loading and compiling modules)',
  'request signing',
  'HTTP stack',
  'XML parsing',
  'SDK middleware and endpoint resolution',
  'scan logic and aggregation',
  'garbage collection',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
export interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

const LOADING = /^node:internal\/modules\/|cjs-module-lexer|^node:internal\/bootstrap\/realm|\/tsx\/dist\//;
const LOADING_FUNCTIONS = new Set(['compileFunction', 'compileSourceTextModule', 'wrapSafe']);

/** lib/sources/s3-list-page.ts: the page parser. */
const XML_FUNCTIONS = new Set(['parseListPage', 'blocks', 'element', 'decodeXml', 'bodyText', 'decodeUtf8']);

/** The category one frame names on its own, or undefined when its caller decides. */
function frameCategory(f: CallFrame): Category | undefined {
  const { url, functionName: fn } = f;
  if (fn === '(garbage collector)') return 'garbage collection';
  if (LOADING.test(url) || LOADING_FUNCTIONS.has(fn)) return 'start-up (loading and compiling modules)';
  if (/@smithy\/signature-v4|signature-v4-multi-region|@aws-crypto\/|node:internal\/crypto\//.test(url)) return 'request signing';
  if (/s3-list-page\.ts|fast-xml-parser|@aws-sdk\/xml-builder|XmlShapeDeserializer|xml/i.test(url) || /xml/i.test(fn)) return 'XML parsing';
  if (/@smithy\/node-http-handler|^node:(_http_|http|net|stream|internal\/streams|internal\/stream_base|dns|internal\/dns)/.test(url)) return 'HTTP stack';
  if (/@smithy\/|@aws-sdk\//.test(url)) return 'SDK middleware and endpoint resolution';
  // Our code: its own files under tsx, the CLI's bundle otherwise (one file: by function name).
  if (/\/lib\/|\/monitor-cli\/cli-/.test(url)) return XML_FUNCTIONS.has(fn) ? 'XML parsing' : 'scan logic and aggregation';
  return undefined;
}

export interface ProfileSummary {
  /** CPU milliseconds per category. */
  readonly ms: Map<Category, number>;
  /** Per category, the functions that spent it themselves (label -> ms), biggest first. */
  readonly top: Map<Category, Array<[string, number]>>;
}

/** `parseListPage (CLI bundle)`, `send (@smithy/core/client)`, `emit (node:events)`, `(garbage collector)`. */
function frameLabel({ functionName, url }: CallFrame): string {
  const name = functionName || '(anonymous)';
  if (!url) return name;
  if (/\/monitor-cli\/cli-/.test(url)) return `${name} (CLI bundle)`; // our code and the small libraries bundled with it
  if (/\/lib\//.test(url)) return `${name} (our code)`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  const sub = /\/submodules\/([^/]+)\//.exec(url)?.[1]; // @smithy/core/endpoints, ...
  return `${name} (${pkg ? `${pkg}${sub ? `/${sub}` : ''}` : url.replace(/^node:internal\//, 'node:')})`;
}

/** CPU milliseconds per category, over all samples of the given profiles. */
export function summarizeProfiles(profiles: readonly CpuProfile[]): ProfileSummary {
  const totals = new Map<Category, number>(CATEGORIES.map((c) => [c, 0]));
  const frames = new Map<Category, Map<string, number>>(CATEGORIES.map((c) => [c, new Map()]));
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const memo = new Map<number, Category | null>();
    const categoryOf = (id: number): Category | null => {
      const known = memo.get(id);
      if (known !== undefined) return known;
      const node = byId.get(id)!;
      const fn = node.callFrame.functionName;
      let c: Category | null;
      if (fn === '(idle)' || fn === '(program)' || fn === '(root)') c = fn === '(program)' ? 'other' : null;
      else {
        const up = parent.has(id) ? categoryOf(parent.get(id)!) : null;
        // Module loading wins over anything beneath it (a module's top-level code is start-up).
        c = up === 'start-up (loading and compiling modules)' ? up : (frameCategory(node.callFrame) ?? undefined) ?? null;
        if (c === null) c = up ?? 'other';
      }
      memo.set(id, c);
      return c;
    };
    profile.samples.forEach((id, i) => {
      const c = categoryOf(id);
      if (!c) return;
      const ms = (profile.timeDeltas[i] ?? 0) / 1000;
      totals.set(c, totals.get(c)! + ms);
      const label = frameLabel(byId.get(id)!.callFrame);
      const byFrame = frames.get(c)!;
      byFrame.set(label, (byFrame.get(label) ?? 0) + ms);
    });
  }
  const top = new Map([...frames].map(([c, m]) => [c, [...m].sort((a, b) => b[1] - a[1])] as const));
  return { ms: totals, top };
}

/** Reads every `.cpuprofile` in a folder (`node --cpu-prof --cpu-prof-dir DIR`). */
export function readProfiles(dir: string): CpuProfile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile);
}
