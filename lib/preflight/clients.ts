import { BudgetsClient } from '@aws-sdk/client-budgets';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { BUDGETS_REGION, COST_EXPLORER_REGION, type ClientOptions, clientConfig, onFirstUse } from '../sources/aws-clients';
import type { PreflightClients } from './types';

/** One call, its retries included, never takes longer than this. */
export const CALL_DEADLINE_MS = 25_000;

/** The abort signal of one AWS call. */
export function deadline(): { abortSignal: AbortSignal } {
  return { abortSignal: AbortSignal.timeout(CALL_DEADLINE_MS) };
}

/** Clients created on first use, all with timeouts and 2 retries; region from `--region` or the SDK's chain. */
export function preflightClients(region?: string): PreflightClients {
  const kmsByRegion = new Map<string, KMSClient>();
  const options = (clientRegion?: string): ClientOptions => ({ maxAttempts: 3, ...(clientRegion ? { region: clientRegion } : {}) });
  return {
    sts: onFirstUse(() => new STSClient(clientConfig(options(region)))),
    cloudformation: onFirstUse(() => new CloudFormationClient(clientConfig(options(region)))),
    ssm: onFirstUse(() => new SSMClient(clientConfig(options(region)))),
    // A bucket in another region answers with a redirect: follow it, to report its region.
    s3: onFirstUse(() => new S3Client({ ...clientConfig(options(region)), followRegionRedirects: true })),
    kms: (keyRegion: string) => {
      if (!kmsByRegion.has(keyRegion)) kmsByRegion.set(keyRegion, new KMSClient(clientConfig(options(keyRegion))));
      return kmsByRegion.get(keyRegion)!;
    },
    sns: onFirstUse(() => new SNSClient(clientConfig(options(region)))),
    costExplorer: onFirstUse(() => new CostExplorerClient(clientConfig(options(COST_EXPLORER_REGION)))),
    budgets: onFirstUse(() => new BudgetsClient(clientConfig(options(BUDGETS_REGION)))),
  };
}
