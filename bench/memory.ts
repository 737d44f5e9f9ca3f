/**
 * Memory a publisher run needs per MB of input, the numbers behind MAX_YAML_BYTES and
 * MAX_JSON_BYTES (lib/sources/object-source.ts). Each size runs in a fresh Node process:
 * peak RSS while the collector reads one generated document, minus the RSS just before.
 *
 *   npm run bench:memory
 */
import { execFileSync } from 'node:child_process';
import { createCatalog } from '../lib/catalog/catalog';
import { collectAdce } from '../lib/collectors/adce';
import { collectDims } from '../lib/collectors/dims';
import { parseConfig } from '../lib/config/load';

const [kind, mbText] = process.argv.slice(2);
if (kind === undefined) {
  const rows: string[] = [];
  for (const [k, sizes] of [['yaml', [0.5, 1, 2]], ['json', [1, 8, 20]]] as const) {
    for (const mb of sizes) {
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', import.meta.filename, k, String(mb)], { encoding: 'utf8' });
      rows.push(out.trim());
    }
  }
  console.log(rows.join('\n'));
} else {
  const mb = Number(mbText);
  const config = parseConfig({});
  const ctx = { config, catalog: createCatalog(config), now: new Date('2025-11-08T06:00:00Z') };
  const text = kind === 'yaml' ? dimsYaml(mb) : runReport(mb);
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 1);
  const started = performance.now();
  if (kind === 'yaml') collectDims({ location: 'bench.yaml', text }, ctx);
  else collectAdce({ reports: [{ location: 'bench.json', text }] }, ctx);
  peak = Math.max(peak, process.memoryUsage().rss);
  clearInterval(timer);
  const extra = (peak - before) / 1e6;
  console.log(`${kind} ${mb} MB: idle ${Math.round(before / 1e6)} MB, peak ${Math.round(peak / 1e6)} MB, +${Math.round(extra)} MB (${Math.round(extra / mb)} MB per MB), ${Math.round(performance.now() - started)} ms`);
}

/** A DIMS inventory of about `mb` MB, shaped like the real one (entries with value + last_verified). */
function dimsYaml(mb: number): string {
  const parts = ["s3_storage:\n  total_objects:\n    value: 172975\n    last_verified: '2025-11-06T14:32:14.608779Z'\n"];
  for (let i = 0, size = 0; size < mb * 1e6; i++) {
    const entry = `category_${i}:\n  metric_${i}:\n    value: ${i}\n    last_verified: '2025-11-06T14:32:14.608779Z'\n    verification_method: automated\n    cached: false\n    cache_expires: null\n`;
    parts.push(entry);
    size += entry.length;
  }
  return parts.join('');
}

/** An orchestrator run report of about `mb` MB (a long task list beside the counted fields). */
function runReport(mb: number): string {
  const tasks: string[] = [];
  for (let i = 0, size = 0; size < mb * 1e6; i++) {
    const task = `{"id":"task_${i}","priority":"HIGH","source":"espn","season":"2025-26","scraper":"espn_async_scraper","missing_files":12,"status":"completed","error":null}`;
    tasks.push(task);
    size += task.length + 1;
  }
  return `{"completed":3,"failed":1,"skipped":1,"start_time":"2025-11-07 23:46:03.551020","end_time":"2025-11-07 23:59:40.007713","tasks":[${tasks.join(',')}]}`;
}
