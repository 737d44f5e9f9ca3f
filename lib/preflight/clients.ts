import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { COST_EXPLORER_API_REGION } from '../cost-anomaly/alert-subscription';
import { type ClientOptions, type NetworkLimits, clientConfig } from '../sources/aws-clients';
import type { PreflightClients } from './types';

/** Connection and request timeouts of every preflight client; each call also has a deadline (`deadline()`). */
export const PREFLIGHT_NETWORK: NetworkLimits = { connectTimeoutMs: 3_000, requestTimeoutMs: 10_000 };
/** One call, its retries included, never takes longer than this. */
export const CALL_DEADLINE_MS = 25_000;
/** Budgets' API endpoint region (account-wide service). */
const BUDGETS_API_REGION = 'us-east-1';

/** The abort signal of one AWS call. */
export function deadline(): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(CALL_DEADLINE_MS) };
}

/** Clients created on first use, all with timeouts and 2 retries; region from `--region` or the SDK's chain. */
export function preflightClients(region?: string): PreflightClients {
  const cache = new Map<string, unknown>();
  const options = (clientRegion?: string): ClientOptions => ({ network: PREFLIGHT_NETWORK, maxAttempts: 3, ...(clientRegion ? { region: clientRegion } : {}) });
  const lazy = <T>(key: string, make: () => T) => (): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  return {
    sts: lazy('sts', () => new STSClient(clientConfig(options(region)))),
    cloudformation: lazy('cfn', () => new CloudFormationClient(clientConfig(options(region)))),
    ssm: lazy('ssm', () => new SSMClient(clientConfig(options(region)))),
    // A bucket in another region answers with a redirect: follow it, to report its region.
    s3: lazy('s3', () => new S3Client({ ...clientConfig(options(region)), followRegionRedirects: true })),
    kms: (keyRegion: string) => lazy(`kms:${keyRegion}`, () => new KMSClient(clientConfig(options(keyRegion))))(),
    sns: lazy('sns', () => new SNSClient(clientConfig(options(region)))),
    costExplorer: lazy('ce', () => new CostExplorerClient(clientConfig(options(COST_EXPLORER_API_REGION)))),
    budgets: lazy('budgets', () => new BudgetsClient(clientConfig(options(BUDGETS_API_REGION)))),
  };
}
