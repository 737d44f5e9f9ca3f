import { createHash, randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalog } from '../lib/catalog/catalog';
import { parseConfig } from '../lib/config/load';
import { runS3Job } from '../lib/jobs/s3';
import { type InventoryLocation, inventoryBase, scanInventory } from '../lib/sources/s3-inventory';
import { scanBucket } from '../lib/sources/s3-scan';
import { type Emulator, firstUserLake, listSequentially, putObjects, startEmulator } from './support/s3-lake';

// S3 Inventory mode on reports written by the test in the format AWS documents (manifest.json
// + manifest.checksum + gzipped CSV data files without header, URL-encoded keys), served by the
// emulator: it must derive exactly what listing the bucket derives.

interface Row {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

const SOURCE = 'inv-lake';
const DEST = 'inventory-dest';
const loc: InventoryLocation = { sourceBucket: SOURCE, destinationBucket: DEST, destinationPrefix: 'inventory-reports/', configurationId: 'daily-csv' };
const SCHEMA = 'Bucket, Key, Size, LastModifiedDate, ETag, StorageClass';

let emulator: Emulator;
let rows: Row[];

async function listRows(client: S3Client, bucket: string): Promise<Row[]> {
  const out: Row[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
    for (const o of page.Contents ?? []) out.push({ key: o.Key!, size: o.Size!, lastModified: o.LastModified! });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** AWS encodes keys like a form (space as +). */
const encodeKey = (key: string) => encodeURIComponent(key).replace(/%20/g, '+');
const quote = (v: string) => `"${v.replace(/"/g, '""')}"`;
const md5 = (data: Buffer | string) => createHash('md5').update(data).digest('hex');

async function put(key: string, body: Buffer | string, bucket = DEST) {
  await emulator.client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

interface ReportOptions {
  readonly folder: string;
  readonly lines: string[];
  readonly schema?: string;
  readonly fileFormat?: string;
  readonly files?: number;
  readonly manifest?: boolean;
  readonly corruptMd5?: boolean;
  readonly location?: InventoryLocation;
}

/** Writes one report: data files under data/, manifest.json and manifest.checksum in the dated folder. */
async function writeReport(o: ReportOptions): Promise<void> {
  const l = o.location ?? loc;
  const base = inventoryBase(l);
  const fileCount = o.files ?? 3;
  const files = [];
  for (let f = 0; f < fileCount; f++) {
    const part = o.lines.filter((_, i) => i % fileCount === f);
    const gz = gzipSync(part.map((line) => `${line}\n`).join(''));
    const key = `${base}data/${randomUUID()}.csv.gz`;
    await put(key, gz, l.destinationBucket);
    files.push({ key, size: gz.length, MD5checksum: o.corruptMd5 ? md5('other') : md5(gz) });
  }
  if (o.manifest === false) {
    // Delivery in progress: the dated folder exists, its manifest.json does not yet.
    await put(`${base}${o.folder}/manifest.checksum`, md5('pending'), l.destinationBucket);
    return;
  }
  const manifest = JSON.stringify({
    sourceBucket: l.sourceBucket,
    destinationBucket: `arn:aws:s3:::${l.destinationBucket}`,
    version: '2016-11-30',
    creationTimestamp: String(Date.parse(o.folder.replace(/T(\d\d)-(\d\d)Z$/, 'T$1:$2:00Z'))),
    fileFormat: o.fileFormat ?? 'CSV',
    fileSchema: o.schema ?? SCHEMA,
    files,
  });
  await put(`${base}${o.folder}/manifest.json`, manifest, l.destinationBucket);
  await put(`${base}${o.folder}/manifest.checksum`, md5(manifest), l.destinationBucket);
}

const csvLines = (list: Row[]) => list.map((r) => [SOURCE, encodeKey(r.key), String(r.size), r.lastModified.toISOString(), md5(r.key), 'STANDARD'].map(quote).join(','));

beforeAll(async () => {
  emulator = await startEmulator();
  emulator.server.createBucket(SOURCE);
  emulator.server.createBucket(DEST);
  const special = [
    { key: 'espn_schedules/2025 season/week 1.json', size: 17 },
    { key: 'kaggle/a+b=c.csv', size: 19 },
    { key: 'kaggle/100% done.csv', size: 23 },
  ];
  await putObjects(emulator.endpoint, SOURCE, [...firstUserLake(3_000, 11), ...special]);
  rows = await listRows(emulator.client, SOURCE);
  // An old report with other content, the current one, and a newer one still being delivered.
  await writeReport({ folder: '2025-11-06T01-00Z', lines: csvLines(rows.slice(0, 10)) });
  await writeReport({ folder: '2025-11-07T01-00Z', lines: csvLines(rows) });
  await writeReport({ folder: '2025-11-08T01-00Z', lines: csvLines(rows.slice(0, 5)), manifest: false });
});

afterAll(async () => {
  await emulator?.stop();
});

describe('S3 Inventory mode', () => {
  it('derives exactly the totals a listing derives, per prefix and at the root', async () => {
    expect(rows).toHaveLength(3_003);
    const warnings: string[] = [];
    const logger = { debug: () => {}, info: () => {}, warn: (m: string) => void warnings.push(m), error: () => {} };
    const fromInventory = await scanInventory(emulator.client, loc, { logger });
    const fromListing = await scanBucket(emulator.client, SOURCE, { maxConcurrency: 8 });
    const plain = await listSequentially(emulator.client, SOURCE);
    expect(fromInventory.objects).toBe(plain.objects);
    expect(fromInventory.bytes).toBe(plain.bytes);
    expect({ root: fromInventory.root, prefixes: fromInventory.prefixes, newest: fromInventory.newest }).toEqual({
      root: fromListing.root,
      prefixes: fromListing.prefixes,
      newest: fromListing.newest,
    });
    expect(fromInventory.asOf).toEqual(new Date('2025-11-07T01:00:00Z'));
    // 1 LIST of report folders, 1 GET of the missing newest manifest, manifest + checksum, 3 data files.
    expect(fromInventory.stats).toMatchObject({ mode: 'inventory', requests: 1 + 1 + 2 + 3 });
    // The newest folder has no manifest yet: skipped with a warning, not an error.
    expect(warnings).toEqual(['inventory report has no manifest.json yet; trying the previous report']);
  });

  it('publishes the same datums in inventory mode as in list mode', async () => {
    const now = new Date('2025-11-08T12:00:00Z');
    const job = async (scanMode: 'list' | 'inventory') => {
      const config = parseConfig({ dataLakeBucket: SOURCE, s3: { scanMode, inventory: { destinationBucket: DEST, destinationPrefix: 'inventory-reports', configurationId: 'daily-csv' } } });
      const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
      return runS3Job({ config, catalog: createCatalog(config), now, logger }, { s3: emulator.client });
    };
    const [list, inventory] = await Promise.all([job('list'), job('inventory')]);
    expect(inventory.problems).toEqual([]);
    expect(inventory.datums).toEqual(list.datums);
    expect(inventory.datums.find((d) => d.MetricName === 'S3ObjectCount')!.Value).toBe(3_003);
    expect(inventory.summary).toMatchObject({ scanMode: 'inventory', asOf: '2025-11-07T01:00:00.000Z' });
  });

  it('counts only current versions of a versioned report (no older versions, no delete markers)', async () => {
    const versioned: InventoryLocation = { ...loc, configurationId: 'versioned' };
    const line = (key: string, latest: boolean, deleteMarker: boolean, size: string) =>
      [SOURCE, encodeKey(key), 'v', String(latest), String(deleteMarker), size, '2025-11-07T00:00:00.000Z'].map(quote).join(',');
    await writeReport({
      location: versioned,
      folder: '2025-11-07T01-00Z',
      schema: 'Bucket, Key, VersionId, IsLatest, IsDeleteMarker, Size, LastModifiedDate',
      files: 1,
      lines: [line('a/1.json', true, false, '10'), line('a/1.json', false, false, '7'), line('a/2.json', true, true, ''), line('b/3.json', true, false, '5')],
    });
    const scan = await scanInventory(emulator.client, versioned);
    expect(scan.prefixes.map((p) => [p.prefix, p.objects, p.bytes])).toEqual([
      ['a/', 1, 10],
      ['b/', 1, 5],
    ]);
  });

  it('names the location and the reason when there is no report, or it is not CSV', async () => {
    await expect(scanInventory(emulator.client, { ...loc, configurationId: 'never-delivered' })).rejects.toThrow(
      'No S3 Inventory report for bucket inv-lake under s3://inventory-dest/inventory-reports/inv-lake/never-delivered/',
    );
    const orc: InventoryLocation = { ...loc, configurationId: 'orc' };
    await writeReport({ location: orc, folder: '2025-11-07T01-00Z', lines: [], files: 1, fileFormat: 'ORC' });
    await expect(scanInventory(emulator.client, orc)).rejects.toThrow(
      's3://inventory-dest/inventory-reports/inv-lake/orc/2025-11-07T01-00Z/manifest.json: fileFormat is "ORC"; only CSV inventory reports can be read',
    );
  });

  it('refuses a data file whose MD5 does not match the manifest, and a bad row with its file and line', async () => {
    const corrupt: InventoryLocation = { ...loc, configurationId: 'corrupt' };
    await writeReport({ location: corrupt, folder: '2025-11-07T01-00Z', lines: csvLines(rows.slice(0, 3)), files: 1, corruptMd5: true });
    await expect(scanInventory(emulator.client, corrupt)).rejects.toThrow(/^s3:\/\/inventory-dest\/inventory-reports\/inv-lake\/corrupt\/data\/.*\.csv\.gz: MD5 [0-9a-f]{32} does not match the manifest's/);

    const badRow: InventoryLocation = { ...loc, configurationId: 'bad-row' };
    const lines = csvLines(rows.slice(0, 3));
    lines[1] = [SOURCE, 'x.json', 'twelve', '2025-11-07T00:00:00.000Z', 'e', 'STANDARD'].map(quote).join(',');
    await writeReport({ location: badRow, folder: '2025-11-07T01-00Z', lines, files: 1 });
    await expect(scanInventory(emulator.client, badRow)).rejects.toThrow(
      /^s3:\/\/inventory-dest\/inventory-reports\/inv-lake\/bad-row\/data\/.*\.csv\.gz line 2: bad row \(Key "x\.json", Size "twelve"/,
    );
  });

  it('flags a report older than 8 days as a problem but still publishes its numbers', async () => {
    const config = parseConfig({ dataLakeBucket: SOURCE, s3: { scanMode: 'inventory', inventory: { destinationBucket: DEST, destinationPrefix: 'inventory-reports/', configurationId: 'daily-csv' } } });
    const logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
    const result = await runS3Job({ config, catalog: createCatalog(config), now: new Date('2025-11-20T00:00:00Z'), logger }, { s3: emulator.client });
    expect(result.datums.find((d) => d.MetricName === 'S3ObjectCount')!.Value).toBe(3_003);
    expect(result.problems).toEqual([
      {
        source: 's3://inventory-dest/',
        message: 'The newest S3 Inventory report of inv-lake is 13 days old (2025-11-07T01:00:00.000Z): inventory delivery seems to have stopped; totals and freshness are as of then.',
        fatal: false,
      },
    ]);
  });
});
