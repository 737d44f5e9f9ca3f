/**
 * `npm run bench`: the S3 scan benchmark. One command, about 5 minutes on 2 cores:
 *
 * 1. fills a local S3 emulator (fauxqs, in memory) with a data lake shaped like the default
 *    configuration's (14 sources of uneven sizes, nested and flat, keys at the root, mixed sizes), 100,000 objects;
 * 2. puts a record/replay proxy in front of it that adds a fixed delay per request (bench/proxy.ts);
 * 3. runs, side by side through the proxy, each after one warm-up run that records its requests:
 *    our S3 publisher (`monitor publish s3 --dry-run`), `aws s3 ls --recursive --summarize`
 *    (Debian awscli) and a sequential boto3 paginator (bench/boto3_paginator.py);
 * 4. profiles one more run of ours (node --cpu-prof) to say where its CPU goes (bench/profile.ts);
 * 5. bundles each Lambda the way the CDK construct does and times its module init;
 * 6. writes bench/RESULTS.md (its section ends with `speedup_vs_awscli:`, `totals_identical:` and
 *    `scan_cpu_seconds_per_100k:`, the median CPU of our whole dry-run process per 100,000 keys;
 *    what follows those lines, other benchmarks' sections, is kept).
 *
 * Options: --objects N (100000), --delay MS (50), --runs N (3), --out FILE (bench/RESULTS.md).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { quietSdkVersionWarning } from '../bin/launch.mjs';
import { HOURS_PER_MONTH, PRICES } from '../lib/cost/prices';
import { parseConfig } from '../lib/config/load';
import { expectedListRequests, topLevelPrefix } from '../lib/sources/s3-scan';
import { firstUserLake, putObjects, startEmulator } from '../test/support/s3-lake';
import { CATEGORIES, type ProfileSummary, readProfiles, summarizeProfiles } from './profile';
import { ReplayProxy } from './proxy';

const ROOT = join(import.meta.dirname, '..');
const BUCKET = 'nba-sim-raw-data-lake';
/** An empty bucket: our process start-up alone, to take out of the CPU per page. */
const EMPTY_BUCKET = 'bench-empty-bucket';
/** The same lake at half the size: our memory must not grow with the bucket. */
const HALF_BUCKET = 'bench-half-lake';
const GIB = 1024 ** 3;

interface Options {
  objects: number;
  delayMs: number;
  runs: number;
  out: string;
}

function options(argv: string[]): Options {
  const o: Options = { objects: 100_000, delayMs: 50, runs: 3, out: join(ROOT, 'bench', 'RESULTS.md') };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--objects') o.objects = Number(value);
    else if (flag === '--delay') o.delayMs = Number(value);
    else if (flag === '--runs') o.runs = Number(value);
    else if (flag === '--out') o.out = String(value);
    else throw new Error(`unknown option ${flag}; use --objects N --delay MS --runs N --out FILE`);
  }
  for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && !(v >= 0)) throw new Error(`--${k} must be a number >= 0`);
  return o;
}

// ---------------------------------------------------------------------------------------------
// The three tools

interface Totals {
  objects: number;
  bytes: number;
}

interface Tool {
  readonly name: string;
  readonly command: (endpoint: string, bucket?: string) => { file: string; args: string[] };
  readonly totals: (stdout: string, stderr: string) => Totals;
  /** Our own critical path from the scan's stats line (only for our tool). */
  readonly scanStats?: (stderr: string) => { requests: number; criticalPath: number } | undefined;
}

function findExecutable(candidates: string[]): string | undefined {
  return candidates.find((c) => existsSync(c));
}

function tools(): Tool[] {
  const aws = findExecutable(['/usr/bin/aws']) ?? 'aws';
  const python = findExecutable(['/usr/bin/python3']) ?? 'python3';
  return [
    {
      name: 'ours: monitor publish s3 --dry-run',
      command: (endpoint, bucket = BUCKET) => ({ file: process.execPath, args: [join(ROOT, 'bin', 'monitor.mjs'), 'publish', 's3', '--dry-run', '--verbose', '--bucket', bucket, '--endpoint', endpoint] }),
      totals: (stdout) => {
        const datums = stdout.trim().split('\n').map((l) => JSON.parse(l) as { MetricName: string; Value: number });
        const count = datums.find((d) => d.MetricName === 'S3ObjectCount');
        const size = datums.find((d) => d.MetricName === 'S3TotalSizeGB');
        if (!count || !size) throw new Error(`no S3ObjectCount/S3TotalSizeGB in our output:\n${stdout}`);
        // GiB = bytes / 2^30 exactly (power of two), so this is the byte count back.
        return { objects: count.Value, bytes: Math.round(size.Value * GIB) };
      },
      scanStats: (stderr) => {
        const m = /debug: bucket listed (\{.*\})/.exec(stderr);
        return m ? (JSON.parse(m[1]!) as { requests: number; criticalPath: number }) : undefined;
      },
    },
    {
      name: 'aws s3 ls --recursive --summarize',
      command: (endpoint) => ({ file: aws, args: ['s3', 'ls', `s3://${BUCKET}`, '--recursive', '--summarize', '--endpoint-url', endpoint] }),
      totals: (stdout) => {
        const objects = /Total Objects: (\d+)/.exec(stdout);
        const bytes = /Total Size: (\d+)/.exec(stdout);
        if (!objects || !bytes) throw new Error(`no summary in aws-cli output: ${stdout.slice(-300)}`);
        return { objects: Number(objects[1]), bytes: Number(bytes[1]) };
      },
    },
    {
      name: 'boto3 paginator (sequential)',
      command: (endpoint) => ({ file: python, args: [join(ROOT, 'bench', 'boto3_paginator.py'), BUCKET, '--endpoint-url', endpoint] }),
      totals: (stdout) => JSON.parse(stdout.trim()) as Totals,
    },
  ];
}

async function checkTools(): Promise<{ awsVersion: string; boto3Version: string }> {
  const missing: string[] = [];
  const run = (file: string, args: string[]) =>
    new Promise<string>((resolve) => execFile(file, args, (err, stdout, stderr) => resolve(err ? '' : `${stdout}${stderr}`.trim())));
  const aws = findExecutable(['/usr/bin/aws']) ?? 'aws';
  const awsVersion = await run(aws, ['--version']);
  if (!awsVersion) missing.push('aws-cli: apt-get update && apt-get install -y awscli');
  const python = findExecutable(['/usr/bin/python3']) ?? 'python3';
  const boto3Version = await run(python, ['-c', 'import boto3; print("boto3", boto3.__version__)']);
  if (!boto3Version) missing.push('boto3 for python3: apt-get update && apt-get install -y python3-boto3');
  if (!existsSync('/usr/bin/time')) missing.push('GNU time (peak RSS): apt-get install -y time');
  if (missing.length > 0) {
    process.stderr.write(`The benchmark compares against tools that are not installed:\n  ${missing.join('\n  ')}\n`);
    process.exit(2);
  }
  return { awsVersion: awsVersion.split('\n')[0]!, boto3Version };
}

interface Measured {
  wallMs: number;
  maxRssKb: number;
  cpuMs: number;
  stdout: string;
  stderr: string;
}

/** Runs a command under GNU time: wall clock, peak RSS, CPU. */
function measure(file: string, args: string[]): Promise<Measured> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const timeFile = join(dir, 'time');
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    NO_COLOR: '1',
  };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/time', ['-f', '%M %U %S', '-o', timeFile, file, ...args], { env, maxBuffer: 1 << 28 }, (err, stdout, stderr) => {
      const wallMs = performance.now() - started;
      try {
        if (err) throw new Error(`${basename(file)} ${args.slice(0, 3).join(' ')} failed: ${err.message}\n${stderr.slice(-2000)}`);
        const [rss, user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number);
        resolve({ wallMs, maxRssKb: rss!, cpuMs: (user! + sys!) * 1000, stdout, stderr });
      } catch (e) {
        reject(e);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

interface ToolResult {
  name: string;
  walls: number[];
  cpus: number[];
  medianMs: number;
  requests: number;
  chain: number;
  maxConcurrent: number;
  maxRssKb: number;
  cpuMs: number;
  misses: number;
  totals: Totals;
  ownCriticalPath?: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function runTool(tool: Tool, endpoint: string, proxy: ReplayProxy, runs: number, log: (s: string) => void): Promise<ToolResult> {
  const { file, args } = tool.command(endpoint);
  proxy.resetStats();
  const warm = await measure(file, args);
  log(`  warm-up (recording): ${(warm.wallMs / 1000).toFixed(1)} s, ${proxy.stats().requests} requests`);
  const results: Array<Measured & { stats: ReturnType<ReplayProxy['stats']> }> = [];
  for (let i = 0; i < runs; i++) {
    proxy.resetStats();
    const m = await measure(file, args);
    results.push({ ...m, stats: proxy.stats() });
    log(`  run ${i + 1}: ${(m.wallMs / 1000).toFixed(2)} s, ${proxy.stats().requests} requests, chain ${proxy.stats().longestChain}, misses ${proxy.stats().misses}`);
  }
  const totals = results.map((r) => tool.totals(r.stdout, r.stderr));
  if (totals.some((t) => t.objects !== totals[0]!.objects || t.bytes !== totals[0]!.bytes)) throw new Error(`${tool.name}: totals differ between runs: ${JSON.stringify(totals)}`);
  const last = results.at(-1)!;
  return {
    name: tool.name,
    walls: results.map((r) => r.wallMs),
    cpus: results.map((r) => r.cpuMs),
    medianMs: median(results.map((r) => r.wallMs)),
    requests: last.stats.requests,
    chain: last.stats.longestChain,
    maxConcurrent: last.stats.maxConcurrent,
    maxRssKb: Math.max(...results.map((r) => r.maxRssKb)),
    cpuMs: median(results.map((r) => r.cpuMs)),
    misses: results.reduce((s, r) => s + r.stats.misses, 0),
    totals: totals[0]!,
    ...(tool.scanStats?.(last.stderr) ? { ownCriticalPath: tool.scanStats(last.stderr)!.criticalPath } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Lambda bundles and module init

interface BundleResult {
  name: string;
  bytes: number;
  initMs: number;
  biggest: Array<[string, number]>;
}

async function bundles(): Promise<BundleResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  const out: BundleResult[] = [];
  try {
    for (const entry of readdirSync(join(ROOT, 'lambda')).filter((f) => f.endsWith('-publisher.ts')).sort()) {
      const outfile = join(dir, entry.replace(/\.ts$/, '.js'));
      // As lib/constructs/scheduled-publisher.ts bundles: minified CJS, SDK v3 external (the runtime has it).
      const result = await build({
        entryPoints: [join(ROOT, 'lambda', entry)],
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        external: ['@aws-sdk/*'],
        outfile,
        metafile: true,
        logLevel: 'error',
      });
      const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
      const byPackage = new Map<string, number>();
      for (const [path, info] of Object.entries(inputs)) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
        const key = m ? m[1]! : 'project code';
        byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
      }
      const inits: number[] = [];
      for (let i = 0; i < 5; i++) {
        const ms = await new Promise<number>((resolve, reject) =>
          execFile(
            process.execPath,
            ['-e', `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`],
            { env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules'), AWS_REGION: 'us-east-1', POWERTOOLS_TRACE_ENABLED: 'false' } },
            (err, stdout) => (err ? reject(err) : resolve(Number(stdout))),
          ),
        );
        inits.push(ms);
      }
      out.push({
        name: entry.replace(/\.ts$/, ''),
        bytes: statSync(outfile).size,
        initMs: median(inits),
        biggest: [...byPackage.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3),
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const o = options(process.argv.slice(2));
  const log = (s: string) => process.stderr.write(`${s}\n`);
  const started = Date.now();
  quietSdkVersionWarning(ROOT);
  const versions = await checkTools();

  log(`Filling the emulator with ${o.objects.toLocaleString('en-US')} objects shaped like the default configuration's lake...`);
  const emulator = await startEmulator();
  emulator.server.createBucket(BUCKET);
  emulator.server.createBucket(EMPTY_BUCKET);
  let truth: Totals = { objects: 0, bytes: 0 };
  const prefixes = new Set<string>();
  const objects = [...firstUserLake(o.objects)];
  for (const obj of objects) {
    truth = { objects: truth.objects + 1, bytes: truth.bytes + obj.size };
    const prefix = topLevelPrefix(obj.key);
    if (prefix) prefixes.add(prefix);
  }
  const fillStarted = Date.now();
  await putObjects(emulator.endpoint, BUCKET, objects);
  emulator.server.createBucket(HALF_BUCKET);
  await putObjects(emulator.endpoint, HALF_BUCKET, firstUserLake(Math.floor(o.objects / 2)));
  log(`  filled in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s: ${prefixes.size} top-level prefixes, ${truth.bytes.toLocaleString('en-US')} bytes`);

  const proxy = new ReplayProxy({ target: emulator.endpoint, delayMs: o.delayMs });
  const endpoint = await proxy.start();
  const results: ToolResult[] = [];
  let startupCpuMs = 0;
  let startupRssKb = 0;
  let halfRssKb = 0;
  let profile: ProfileSummary | undefined;
  try {
    for (const tool of tools()) {
      log(`${tool.name}:`);
      results.push(await runTool(tool, endpoint, proxy, o.runs, log));
    }
    const half = tools()[0]!.command(endpoint, HALF_BUCKET);
    await measure(half.file, half.args);
    for (let i = 0; i < o.runs; i++) halfRssKb = Math.max(halfRssKb, (await measure(half.file, half.args)).maxRssKb);
    log(`ours on the half-size lake: ${(halfRssKb / 1024).toFixed(0)} MB peak RSS`);
    const empty = tools()[0]!.command(endpoint, EMPTY_BUCKET);
    await measure(empty.file, empty.args);
    const startups: Measured[] = [];
    for (let i = 0; i < o.runs; i++) startups.push(await measure(empty.file, empty.args));
    startupCpuMs = median(startups.map((m) => m.cpuMs));
    startupRssKb = Math.max(...startups.map((m) => m.maxRssKb));
    log(`ours on an empty bucket (start-up only): ${(startupCpuMs / 1000).toFixed(2)} s CPU, ${(startupRssKb / 1024).toFixed(0)} MB peak RSS`);
    const profileDir = mkdtempSync(join(tmpdir(), 'bench-profile-'));
    try {
      const ours = tools()[0]!.command(endpoint);
      await measure(ours.file, ['--cpu-prof', '--cpu-prof-dir', profileDir, ...ours.args]);
      profile = summarizeProfiles(readProfiles(profileDir));
    } finally {
      rmSync(profileDir, { recursive: true, force: true });
    }
    log('ours profiled (node --cpu-prof)');
  } finally {
    await proxy.stop();
    await emulator.stop();
  }
  log('Bundling the Lambdas and timing their module init...');
  const bundled = await bundles();

  const ours = results[0]!;
  const awscli = results[1]!;
  const boto3 = results[2]!;
  const identical = results.every((r) => r.totals.objects === truth.objects && r.totals.bytes === truth.bytes);
  const speedup = awscli.medianMs / ours.medianMs;
  const config = parseConfig({});
  writeFileSync(
    o.out,
    report({ o, truth, prefixes: prefixes.size, results, bundled, identical, speedup, speedupBoto3: boto3.medianMs / ours.medianMs, versions, maxConcurrency: config.s3.maxConcurrency, startupCpuMs, startupRssKb, halfRssKb, profile: profile!, elapsedS: (Date.now() - started) / 1000 }) +
      sectionsAfterKeys(o.out),
  );
  log(`Wrote ${o.out}: ours ${(ours.medianMs / 1000).toFixed(2)} s (${(ours.cpuMs / 1000).toFixed(2)} s CPU), aws-cli ${(awscli.medianMs / 1000).toFixed(2)} s (${speedup.toFixed(1)}x), boto3 ${(boto3.medianMs / 1000).toFixed(2)} s; totals identical: ${identical}`);
  if (!identical) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------
// RESULTS.md

/** What follows the key lines in `file` (other benchmarks' sections, such as bench:memory's): kept as it is. */
function sectionsAfterKeys(file: string): string {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const keys = /^scan_cpu_seconds_per_100k: .*$/m.exec(text);
  return keys ? text.slice(keys.index + keys[0].length + 1) : '';
}

interface ReportInput {
  o: Options;
  truth: Totals;
  prefixes: number;
  results: ToolResult[];
  bundled: BundleResult[];
  identical: boolean;
  speedup: number;
  speedupBoto3: number;
  versions: { awsVersion: string; boto3Version: string };
  maxConcurrency: number;
  startupCpuMs: number;
  startupRssKb: number;
  halfRssKb: number;
  profile: ProfileSummary;
  elapsedS: number;
}

function report(r: ReportInput): string {
  const [ours, awscli, boto3] = r.results as [ToolResult, ToolResult, ToolResult];
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const mb = (kb: number) => (kb / 1024).toFixed(0);
  const pages = Math.ceil(r.truth.objects / 1000);

  // Ceiling. Each of our requests costs the round trip plus our CPU for one page; requests
  // overlap up to maxConcurrency, CPU does not (one Node thread, and a Lambda of M MB gets
  // M/1769 of a vCPU). Measured here: CPU per page from the runs, request overhead vs pages.
  const cpuPerPageMs = Math.max(0.1, (ours.cpuMs - r.startupCpuMs) / pages);
  const requestsPerPage = ours.requests / pages;
  // The cost model's request count (what `monitor cost-estimate` prices), next to the measured one.
  const modelRequests = expectedListRequests(r.truth.objects, r.prefixes);
  const DEFAULT_LAKE_OBJECTS = 173_000;
  const s3RunsPerMonth = (HOURS_PER_MONTH * 60) / parseConfig({}).s3.scheduleMinutes;
  const listUsdPerMonth = (requestsPerRun: number) => ((requestsPerRun * s3RunsPerMonth) / 1000) * PRICES.s3.listPer1000;
  const lambdaMemoryMb = 512;
  const vcpu = lambdaMemoryMb / 1769;
  const realLatencyMs = 100; // a conservative real S3 LIST round trip for a 1,000-key page
  const pagesPerSecond = (latencyMs: number) =>
    Math.min(r.maxConcurrency / (latencyMs / 1000) / requestsPerPage, 1000 / (cpuPerPageMs / vcpu));
  // The sequential loop: one page after another, each the round trip plus boto3's own work per page
  // (measured here on a full core; a Lambda's share of a core only makes it slower).
  const sequentialPagesPerSecond = (latencyMs: number) => 1000 / (latencyMs + Math.max(0, boto3.medianMs - r.o.delayMs * boto3.requests) / boto3.requests);
  // Objects listed in `seconds` with 20% margin, rounded down to 2 significant digits.
  const objectsIn = (seconds: number, pps: number) => {
    const n = seconds * 0.8 * pps * 1000;
    const unit = 10 ** Math.max(0, Math.floor(Math.log10(n)) - 1);
    return Math.floor(n / unit) * unit;
  };
  const fmt = (n: number) => n.toLocaleString('en-US');
  // The yardstick: CPU (user + sys) of our whole dry-run process, start-up included.
  const cpuPer100k = ours.cpuMs / 1000 / (r.truth.objects / 100_000);
  const scanCpuPerRequestMs = (ours.cpuMs - r.startupCpuMs) / ours.requests;
  const profiled = [...r.profile.ms.values()].reduce((a, b) => a + b, 0);
  const profileRows = CATEGORIES.filter((c) => r.profile.ms.get(c)! > 0)
    .map((c) => {
      const ms = r.profile.ms.get(c)!;
      const top = r.profile.top.get(c)!.slice(0, 3).map(([f, t]) => `${f.replace(/\|/g, '\\|')} ${t.toFixed(0)}`).join(', ');
      return `| ${c} | ${ms.toFixed(0)} | ${((ms / profiled) * 100).toFixed(0)}% | ${top} |`;
    })
    .join('\n');

  const rows = r.results
    .map(
      (t) =>
        `| ${t.name} | ${s(t.medianMs)} (${t.walls.map(s).join(' / ')}) | ${(awscli.medianMs / t.medianMs).toFixed(1)}x | ${t.requests} | ${t.chain}${t.ownCriticalPath !== undefined ? ` (scan's own: ${t.ownCriticalPath})` : ''} | ${t.maxConcurrent} | ${mb(t.maxRssKb)} | ${s(t.cpuMs)} (${t.cpus.map(s).join(' / ')}) | ${fmt(t.totals.objects)} / ${fmt(t.totals.bytes)} |`,
    )
    .join('\n');
  const bundleRows = r.bundled
    .map((b) => `| ${b.name} | ${(b.bytes / 1024).toFixed(0)} KB | ${b.bytes <= 300 * 1024 ? 'yes' : '**no**'} | ${b.initMs.toFixed(0)} ms | ${b.biggest.map(([p, n]) => `${p} ${(n / 1024).toFixed(0)} KB`).join(', ')} |`)
    .join('\n');

  return `# S3 scan benchmark

Generated by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}, ${r.elapsedS.toFixed(0)} s on this machine.
Rerun: \`npm run bench\` (options: \`-- --objects N --delay MS --runs N\`).

## Setup

- Bucket: ${fmt(r.truth.objects)} objects, ${fmt(r.truth.bytes)} bytes, ${r.prefixes} top-level prefixes shaped like the
  default configuration's lake (test/support/s3-lake.ts: flat and season/date-nested sources of uneven sizes,
  telemetry/{scraper}/{YYYY/MM/DD}/, inventory-reports/, folder markers, 4 keys at the root), in
  fauxqs (in memory, on loopback).
- A record/replay proxy (bench/proxy.ts) in front of it adds **${r.o.delayMs} ms per request** and, after one
  warm-up run per tool, answers every request from its recording: the timed runs measure round
  trips and each tool's own work, as against real S3, not the emulator's single-core listing.
  Replay misses in timed runs: ours ${ours.misses}, aws-cli ${awscli.misses}, boto3 ${boto3.misses}.
- Tools: our S3 publisher as users run it (\`monitor publish s3 --dry-run\`, Node ${process.version}, from the
  CLI's cached bundle of the sources (bin/launch.mjs), maxConcurrency ${r.maxConcurrency} from the default config);
  ${r.versions.awsVersion}; a sequential boto3 paginator
  (\`bench/boto3_paginator.py\`, ${r.versions.boto3Version}, Debian python3-boto3). Each started fresh, so process
  start-up counts for all three.
- Wall time and CPU: median of ${r.o.runs} runs (other work on this shared machine makes wall time noisy; CPU less so). Requests and the longest chain of requests that ran one
  after another are counted by the proxy; peak RSS and CPU (user + sys) by GNU time.

## Results

| tool | wall s, median (runs) | vs aws-cli | requests | longest sequential chain | max in flight | peak RSS MB | CPU s, median (runs) | objects / bytes |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows}

- Totals: all three report exactly ${fmt(r.truth.objects)} objects and ${fmt(r.truth.bytes)} bytes (what was uploaded): **${r.identical}**.
- Ours is **${r.speedup.toFixed(1)}x** faster than aws-cli and ${r.speedupBoto3.toFixed(1)}x faster than the boto3 paginator.
- Our CPU: **${cpuPer100k.toFixed(2)} s per 100,000 keys** for the whole process (user + sys): ${s(r.startupCpuMs)} s of it
  start-up (the same command on an empty bucket), the rest ${scanCpuPerRequestMs.toFixed(1)} ms per LIST request.
- Requests: the minimum is ${pages} pages. Ours sends ${ours.requests} (${((requestsPerPage - 1) * 100).toFixed(0)}% more; the cost model's expectedListRequests says ${modelRequests}): one partly filled
  page at the end of each range (ranges hold about 4 pages), one \`Delimiter\` page per big folder to find
  where to cut, and a few empty ranges where a guess overshoots. The same bucket always gets the same
  requests (split decisions depend on the data only). LIST requests cost $${PRICES.s3.listPer1000} per 1,000, so at the
  default schedule (${fmt(s3RunsPerMonth)} runs/month) the default lake's ${fmt(DEFAULT_LAKE_OBJECTS)} objects cost about
  ${listUsdPerMonth(expectedListRequests(DEFAULT_LAKE_OBJECTS, r.prefixes)).toFixed(2)} USD/month by the cost model
  (${listUsdPerMonth(Math.ceil(DEFAULT_LAKE_OBJECTS / 1000)).toFixed(2)} USD sequentially).
- Memory: one page of keys per range in flight, aggregates per top-level prefix; no list of all keys.
  Our peak RSS: ${mb(r.startupRssKb)} MB on an empty bucket (Node and the SDK loaded), ${mb(r.halfRssKb)} MB on the same lake at
  half the size (${fmt(Math.floor(r.o.objects / 2))} objects), ${mb(ours.maxRssKb)} MB at ${fmt(r.truth.objects)}: what the listing adds is pages in flight
  (up to ${r.maxConcurrency} x ~1 MB of XML and keys), not a list of keys.

## Where our CPU goes

One more run of the same command under \`node --cpu-prof\` (bench/profile.ts charges each sample to the
innermost function on its stack that names a category, and all of module loading to start-up;
the profiler slows the run a little, so the shares say more than the milliseconds). Functions: their own time, ms.

| category | CPU ms | share | biggest functions |
| --- | --- | --- | --- |
${profileRows}

## Lambda cold start

Each function bundled as lib/constructs/scheduled-publisher.ts does (esbuild, minified, CJS, target
node22, \`@aws-sdk/*\` external: the Node 24 runtime ships it); module init = \`require()\` of the bundle in a
fresh Node ${process.version} process (SDK clients resolved from node_modules), median of 5.

| function | bundle | <= 300 KB | module init | largest parts |
| --- | --- | --- | --- | --- |
${bundleRows}

## Ceiling: the largest bucket one Lambda run covers

From the runs above: our CPU is ${cpuPerPageMs.toFixed(1)} ms per 1,000-key page (process CPU minus its start-up,
${s(r.startupCpuMs)} s measured on an empty bucket) and we send ${requestsPerPage.toFixed(2)} requests per page. A run keeps ${r.maxConcurrency} requests in
flight, so its rate is the lower of ${r.maxConcurrency} / (round trip x ${requestsPerPage.toFixed(2)}) pages/s (latency-bound) and what one
Node thread on the function's CPU share parses (the S3 function has ${lambdaMemoryMb} MB = ${vcpu.toFixed(2)} vCPU, so
${(cpuPerPageMs / vcpu).toFixed(1)} ms per page). ${pagesPerSecond(realLatencyMs) < r.maxConcurrency / (realLatencyMs / 1000) / requestsPerPage ? `On ${lambdaMemoryMb} MB that CPU is the limit, not the round trip` : `On ${lambdaMemoryMb} MB the round trip is the limit, not the CPU`}: per request
the SDK's fixed work (middleware, HTTP, signing) and the page parser, in the shares above. With
1,769 MB (1 vCPU) the function's CPU goes ${(1769 / lambdaMemoryMb).toFixed(1)}x as far. With 20% margin:

| round trip per LIST page | pages/s | largest bucket in 300 s (configured timeout) | in 900 s (Lambda maximum) |
| --- | --- | --- | --- |
| ${r.o.delayMs} ms (this benchmark) | ${pagesPerSecond(r.o.delayMs).toFixed(0)} | ${fmt(objectsIn(300, pagesPerSecond(r.o.delayMs)))} objects | ${fmt(objectsIn(900, pagesPerSecond(r.o.delayMs)))} objects |
| ${realLatencyMs} ms (real S3, conservative) | ${pagesPerSecond(realLatencyMs).toFixed(0)} | ${fmt(objectsIn(300, pagesPerSecond(realLatencyMs)))} objects | ${fmt(objectsIn(900, pagesPerSecond(realLatencyMs)))} objects |
| a sequential paginator, ${realLatencyMs} ms | ${sequentialPagesPerSecond(realLatencyMs).toFixed(1)} | ${fmt(objectsIn(300, sequentialPagesPerSecond(realLatencyMs)))} objects | ${fmt(objectsIn(900, sequentialPagesPerSecond(realLatencyMs)))} objects |

The default lake's 173,000 objects take about ${((173 * requestsPerPage) / pagesPerSecond(realLatencyMs)).toFixed(1)} s of listing at ${realLatencyMs} ms per page. Past the
ceiling (or to save the LIST requests of a big bucket) set \`s3.scanMode: "inventory"\` with
\`s3.inventory\` (destinationBucket, destinationPrefix, configurationId): the publisher then reads the
newest S3 Inventory report (manifest.json + gzipped CSV files, a handful of GETs whatever the
bucket size; daily or weekly, so totals and freshness are as of the report) and publishes the same
metrics. S3 itself also throttles LIST at roughly 3,500-5,500 requests/s per prefix, far above
these rates.

speedup_vs_awscli: ${r.speedup.toFixed(1)}
totals_identical: ${r.identical}
scan_cpu_seconds_per_100k: ${cpuPer100k.toFixed(2)}
`;
}

await main();
