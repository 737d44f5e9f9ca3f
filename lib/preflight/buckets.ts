import { DescribeKeyCommand } from '@aws-sdk/client-kms';
import { GetBucketEncryptionCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { MonitoringConfig } from '../config/schema';
import { awsErrorName, awsErrorText } from '../sources/aws-error';
import { type ConfiguredBucket, type ExpectedObjects, configuredBuckets } from '../sources/buckets';
import { isAccessDenied } from './account';
import { deadline } from './clients';
import type { CheckStatus, PreflightCheck, PreflightClients, Target } from './types';

/**
 * Every bucket the enabled sources use (lib/sources/buckets.ts): it exists, in the stack's region
 * (the publishers call S3 in their own region), its encryption needs no key the config lacks, and
 * the objects config names are there.
 */
export async function checkBuckets(config: MonitoringConfig, target: Target, clients: PreflightClients): Promise<PreflightCheck[]> {
  const keys = new KeyJudge(config, clients);
  const results = await Promise.all(configuredBuckets(config).map((bucket) => checkBucket(bucket, target, clients, keys)));
  return results.flat();
}

const httpStatus = (err: unknown) => (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
const notFound = (err: unknown) => httpStatus(err) === 404 || /^(NotFound|NoSuchKey|NoSuchBucket)$/.test(awsErrorName(err));
const forbidden = (err: unknown) => httpStatus(err) === 403 || isAccessDenied(err) || awsErrorName(err) === 'Forbidden';

async function checkBucket(bucket: ConfiguredBucket, target: Target, clients: PreflightClients, keys: KeyJudge): Promise<PreflightCheck[]> {
  const name = `s3://${bucket.name}`;
  const used = `used by ${bucket.publishers.join(', ')}${bucket.readsObjects ? '' : ' (listing only)'}`;
  let region: string;
  try {
    const head = await clients.s3().send(new HeadBucketCommand({ Bucket: bucket.name }), deadline());
    region = head.BucketRegion ?? target.region;
  } catch (err) {
    if (notFound(err)) {
      return [{ area: 'bucket', name, status: 'fail', detail: `does not exist (${used})`, fix: `Create it, or set ${bucket.configKeys.join(' / ')} to the bucket's real name.` }];
    }
    if (forbidden(err)) {
      return [
        {
          area: 'bucket',
          name,
          status: 'warn',
          detail: `exists, but these credentials may not read it (${awsErrorText(err)}): not checked further (${used})`,
          fix: 'Run preflight with credentials that can read the bucket; the publishers get their own read grants from the stack (a bucket policy of another account must allow them).',
        },
      ];
    }
    return [{ area: 'bucket', name, status: 'fail', detail: `cannot reach it: ${awsErrorText(err)}`, fix: 'Check the name and the network, then run preflight again.' }];
  }
  if (region !== target.region) {
    return [
      {
        area: 'bucket',
        name,
        status: 'fail',
        detail: `is in ${region}; the stack deploys to ${target.region}, and the publishers call S3 in their own region (${used})`,
        fix: `Deploy the stack to ${region} (\`AWS_REGION=${region}\`), where the bucket is.`,
      },
    ];
  }
  const checks: PreflightCheck[] = [{ area: 'bucket', name, status: 'ok', detail: `exists in ${region}, ${used}` }];
  if (bucket.readsObjects) checks.push(await checkEncryption(bucket, region, clients, keys));
  for (const expected of bucket.expected) checks.push(await checkExpected(bucket, expected, region, clients, keys));
  return checks;
}

async function checkEncryption(bucket: ConfiguredBucket, region: string, clients: PreflightClients, keys: KeyJudge): Promise<PreflightCheck> {
  const name = `s3://${bucket.name} encryption`;
  try {
    const res = await clients.s3().send(new GetBucketEncryptionCommand({ Bucket: bucket.name }), deadline());
    const rule = res.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    if (!rule?.SSEAlgorithm?.startsWith('aws:kms')) return { area: 'bucket', name, status: 'ok', detail: `default ${rule?.SSEAlgorithm ?? 'AES256'} (SSE-S3): no key needed` };
    const verdict = await keys.judge(bucket.name, rule.KMSMasterKeyID, region);
    return { area: 'bucket', name, ...verdict, detail: `default ${rule.SSEAlgorithm}: ${verdict.detail}` };
  } catch (err) {
    if (awsErrorName(err) === 'ServerSideEncryptionConfigurationNotFoundError') return { area: 'bucket', name, status: 'ok', detail: 'no default encryption: no key needed for new objects' };
    if (forbidden(err)) return { area: 'bucket', name, status: 'warn', detail: `cannot read the encryption settings: ${awsErrorText(err)}`, fix: 'Allow s3:GetEncryptionConfiguration to check whether the bucket needs bucketKmsKeyArns.' };
    return { area: 'bucket', name, status: 'warn', detail: `cannot read the encryption settings: ${awsErrorText(err)}` };
  }
}

async function checkExpected(bucket: ConfiguredBucket, expected: ExpectedObjects, region: string, clients: PreflightClients, keys: KeyJudge): Promise<PreflightCheck> {
  const name = `s3://${bucket.name}/${expected.key}`;
  const missing = (detail: string): PreflightCheck =>
    expected.required
      ? { area: 'object', name, status: 'fail', detail, fix: `Check ${expected.configKey} (the ${expected.publisher} publisher fails on every run without it), or create it.` }
      : { area: 'object', name, status: 'warn', detail: `${detail}: the ${expected.publisher} publisher has nothing to report until one arrives`, fix: `If it should be there, check ${expected.configKey}.` };
  try {
    if (expected.kind === 'prefix') {
      const res = await clients.s3().send(new ListObjectsV2Command({ Bucket: bucket.name, Prefix: expected.key, MaxKeys: 1 }), deadline());
      if (!res.KeyCount) return missing(`no object under ${expected.configKey} yet`);
      return { area: 'object', name, status: 'ok', detail: `${expected.configKey}: objects there (first: ${res.Contents?.[0]?.Key})` };
    }
    const head = await clients.s3().send(new HeadObjectCommand({ Bucket: bucket.name, Key: expected.key }), deadline());
    const found = `${expected.configKey}: ${head.ContentLength ?? '?'} bytes, modified ${head.LastModified?.toISOString() ?? '?'}`;
    if (!head.ServerSideEncryption?.startsWith('aws:kms')) return { area: 'object', name, status: 'ok', detail: found };
    // The object's own key is what GetObject needs, whatever the bucket default says.
    const verdict = await keys.judge(bucket.name, head.SSEKMSKeyId, region);
    return { area: 'object', name, ...verdict, detail: `${found}; ${head.ServerSideEncryption}: ${verdict.detail}` };
  } catch (err) {
    if (notFound(err)) return missing(`not found (${expected.configKey})`);
    if (forbidden(err)) return { area: 'object', name, status: 'warn', detail: `cannot check with these credentials: ${awsErrorText(err)}` };
    return { area: 'object', name, status: 'warn', detail: `cannot check: ${awsErrorText(err)}` };
  }
}

interface KeyVerdict {
  readonly status: CheckStatus;
  readonly detail: string;
  readonly fix?: string;
}

/** Whether a bucket's SSE-KMS key needs a `bucketKmsKeyArns` entry (customer-managed keys do; AWS-managed aws/s3 does not). */
class KeyJudge {
  private readonly described = new Map<string, Promise<{ arn: string; manager: string } | { error: unknown }>>();

  constructor(
    private readonly config: MonitoringConfig,
    private readonly clients: PreflightClients,
  ) {}

  async judge(bucket: string, keyId: string | undefined, region: string): Promise<KeyVerdict> {
    if (!keyId || /(^|:)alias\/aws\/s3$/.test(keyId)) return { status: 'ok', detail: 'AWS-managed key aws/s3 (no grant needed)' };
    const configured = this.config.bucketKmsKeyArns[bucket];
    if (configured && (configured === keyId || configured.endsWith(`:key/${keyId}`))) return { status: 'ok', detail: `customer-managed key ${configured}, configured in bucketKmsKeyArns` };
    const setting = (arn: string) => `"bucketKmsKeyArns": { "${bucket}": "${arn}" }`;

    const keyRegion = keyId.startsWith('arn:') ? keyId.split(':')[3]! : region;
    const cacheKey = `${keyRegion}/${keyId}`;
    if (!this.described.has(cacheKey)) {
      this.described.set(
        cacheKey,
        this.clients
          .kms(keyRegion)
          .send(new DescribeKeyCommand({ KeyId: keyId }), deadline())
          .then((r) => ({ arn: r.KeyMetadata?.Arn ?? keyId, manager: r.KeyMetadata?.KeyManager ?? 'CUSTOMER' }))
          .catch((error: unknown) => ({ error })),
      );
    }
    const key = await this.described.get(cacheKey)!;
    if ('error' in key) {
      return {
        status: 'warn',
        detail: `key ${keyId}: cannot tell whether it is customer-managed (${awsErrorText(key.error)})`,
        fix: `If it is a customer-managed key, set ${setting(keyId.startsWith('arn:') ? keyId : `arn:aws:kms:${keyRegion}:<account>:key/${keyId}`)}; the publishers are denied GetObject without it.`,
      };
    }
    if (key.manager === 'AWS') return { status: 'ok', detail: `AWS-managed key ${key.arn} (no grant needed)` };
    if (configured === key.arn) return { status: 'ok', detail: `customer-managed key ${key.arn}, configured in bucketKmsKeyArns` };
    return {
      status: 'fail',
      detail: configured
        ? `customer-managed key ${key.arn}, but bucketKmsKeyArns names ${configured}: the publishers would be denied GetObject`
        : `customer-managed key ${key.arn} is not in bucketKmsKeyArns: the publishers would be denied GetObject`,
      fix: `Set ${setting(key.arn)} in the config (the key's policy must also let the account's IAM policies grant its use, as the default key policy does).`,
    };
  }
}
