import { dataLakeBuckets, sourceBucket } from '../config/load';
import { type MonitoringConfig, PUBLISHERS, type PublisherId } from '../config/schema';
import { inventoryBase } from './s3-inventory';

/** Something config says is in a bucket: one object, or a folder (prefix) of them. */
export interface ExpectedObjects {
  readonly kind: 'object' | 'prefix';
  readonly key: string;
  /** The config key that names it, e.g. `adce.queueKey`. */
  readonly configKey: string;
  /** The publisher that reads it. */
  readonly publisher: PublisherId;
  /**
   * Whether the publisher fails without it (the ADCE queue, the DIMS inventory), or merely has
   * nothing to report yet (no run report, no inventory report so far).
   */
  readonly required: boolean;
}

/** One bucket the enabled sources use, with what they do there. */
export interface ConfiguredBucket {
  readonly name: string;
  /** Publishers that use it, in PUBLISHERS order. */
  readonly publishers: readonly PublisherId[];
  /** Whether a publisher reads objects (GetObject) from it: only then does SSE-KMS need `kms:Decrypt`; listing decrypts nothing. */
  readonly readsObjects: boolean;
  /** What config says is in it. */
  readonly expected: readonly ExpectedObjects[];
  /** The config keys that name it (e.g. `dataLakeBucket`, `adce.bucket`), for messages. */
  readonly configKeys: readonly string[];
}

/**
 * Every bucket the enabled sources use, once each (a turned-off source contributes none): the
 * one list that IAM grants, KMS grants and `monitor preflight` work from.
 */
export function configuredBuckets(config: MonitoringConfig): ConfiguredBucket[] {
  const byName = new Map<string, { publishers: Set<PublisherId>; readsObjects: boolean; expected: ExpectedObjects[]; configKeys: Set<string> }>();
  const use = (name: string, configKey: string, publisher: PublisherId, readsObjects: boolean, expected: ExpectedObjects[] = []) => {
    const entry = byName.get(name) ?? { publishers: new Set<PublisherId>(), readsObjects: false, expected: [], configKeys: new Set<string>() };
    entry.publishers.add(publisher);
    entry.readsObjects ||= readsObjects;
    entry.expected.push(...expected);
    entry.configKeys.add(configKey);
    byName.set(name, entry);
  };
  const nameKey = (publisher: 'adce' | 'dims') => (config[publisher].bucket ? `${publisher}.bucket` : 'dataLakeBucket');

  if (config.s3.enabled) {
    dataLakeBuckets(config).forEach((lake, i) => {
      const listed = config.s3.buckets?.[i];
      use(lake.name, listed ? `s3.buckets[${i}].name` : config.s3.bucket ? 's3.bucket' : 'dataLakeBucket', 's3', false);
      if (lake.scanMode !== 'inventory' || !lake.inventory) return;
      const inventoryKey = listed?.inventory ? `s3.buckets[${i}].inventory` : 's3.inventory';
      const key = inventoryBase({ sourceBucket: lake.name, ...lake.inventory });
      use(lake.inventory.destinationBucket, `${inventoryKey}.destinationBucket`, 's3', true, [{ kind: 'prefix', key, configKey: inventoryKey, publisher: 's3', required: false }]);
    });
  }
  if (config.adce.enabled) {
    use(sourceBucket(config, 'adce'), nameKey('adce'), 'adce', true, [
      { kind: 'object', key: config.adce.queueKey, configKey: 'adce.queueKey', publisher: 'adce', required: true },
      { kind: 'prefix', key: config.adce.runsPrefix, configKey: 'adce.runsPrefix', publisher: 'adce', required: false },
    ]);
  }
  if (config.dims.enabled) {
    use(sourceBucket(config, 'dims'), nameKey('dims'), 'dims', true, [{ kind: 'object', key: config.dims.key, configKey: 'dims.key', publisher: 'dims', required: true }]);
  }

  return [...byName].map(([name, e]) => ({
    name,
    publishers: PUBLISHERS.filter((p) => e.publishers.has(p)),
    readsObjects: e.readsObjects,
    expected: e.expected,
    configKeys: [...e.configKeys],
  }));
}

/** The bucketKmsKeyArns entries no enabled source reads objects from (likely a typo, or a source turned off): say so at synth. */
export function unusedBucketKeys(config: MonitoringConfig): string[] {
  const read = new Set(configuredBuckets(config).filter((b) => b.readsObjects).map((b) => b.name));
  return Object.keys(config.bucketKmsKeyArns).filter((bucket) => !read.has(bucket));
}
