import type { BudgetsClient } from '@aws-sdk/client-budgets';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CostExplorerClient } from '@aws-sdk/client-cost-explorer';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';

/** `ok`: fine; `warn`: could not be confirmed or worth knowing, the deploy still works; `fail`: fix it first; `skip`: not checked (see detail). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

/** What a check area is about, for the table's first column and for grouping. */
export type CheckArea = 'account' | 'template' | 'bootstrap' | 'alerting' | 'cost' | 'bucket' | 'object' | 'sms';

export interface PreflightCheck {
  readonly area: CheckArea;
  /** What was checked, e.g. the bucket name or `SMS sandbox`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was found. */
  readonly detail: string;
  /** What to do (every `fail`, and a `warn` worth acting on). */
  readonly fix?: string;
}

/** The read-only AWS clients preflight uses; tests mock the client classes (aws-sdk-client-mock). */
export interface PreflightClients {
  sts(): STSClient;
  cloudformation(): CloudFormationClient;
  ssm(): SSMClient;
  s3(): S3Client;
  /** KMS in a region (a bucket's key lives in the bucket's region). */
  kms(region: string): KMSClient;
  sns(): SNSClient;
  /** Cost Explorer (Cost Anomaly Detection): its API is in us-east-1 whatever the stack's region. */
  costExplorer(): CostExplorerClient;
  /** AWS Budgets: account-wide, API in us-east-1. */
  budgets(): BudgetsClient;
}

/** A synthesized CloudFormation template, as much as preflight reads of it. */
export interface PreflightTemplate {
  readonly Resources?: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
  readonly Rules?: Record<string, unknown>;
}

/** Where the stack is going: known once credentials and region resolve. */
export interface Target {
  readonly account: string;
  readonly region: string;
}
