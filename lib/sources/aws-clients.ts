import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { MonitoringConfig } from '../config/schema';

/**
 * The one place AWS SDK clients get their network limits: every client of the publishers and
 * of the CLI is built from {@link clientConfig}, so none can wait forever on an endpoint that
 * accepts a connection and never answers. The handler is this package's own pinned
 * NodeHttpHandler (bundled into each Lambda), so the limits do not depend on the SDK version of
 * the Lambda runtime: `requestTimeout` only warns there unless `throwOnRequestTimeout` is set.
 */

export type NetworkLimits = MonitoringConfig['network'];

/** Cost Explorer and Budgets are account-wide: their API endpoints are in us-east-1, whatever the stack's region. */
export const COST_EXPLORER_REGION = 'us-east-1';
export const BUDGETS_REGION = 'us-east-1';

/** The schema's defaults, for callers without a config (kept equal by a test). */
export const DEFAULT_NETWORK: NetworkLimits = { connectTimeoutMs: 3000, requestTimeoutMs: 8000 };

export interface ClientOptions {
  readonly network?: NetworkLimits;
  readonly region?: string;
  /** A custom endpoint (S3-compatible store, loopback test server). */
  readonly endpoint?: string;
  /**
   * HTTP requests per call, the first included (the SDK's own retries). Callers that retry
   * themselves (the metric publisher) pass 1 so every HTTP request is counted once.
   * @default the SDK's (3)
   */
  readonly maxAttempts?: number;
}

export interface ClientConfig {
  readonly requestHandler: NodeHttpHandler;
  readonly region?: string;
  readonly endpoint?: string;
  readonly maxAttempts?: number;
}

/** A client made on its first use, so a command that needs none (`--dry-run`, `--help`) needs no credentials. */
export function onFirstUse<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

/** Longest one HTTP request can take before it fails: connect, then wait for the answer. */
export function attemptTimeoutMs(network: NetworkLimits = DEFAULT_NETWORK): number {
  return network.connectTimeoutMs + network.requestTimeoutMs;
}

/** Attempts whose worst case an unobtrusive send waits for (the first and one retry). */
export const UNOBTRUSIVE_PUBLISH_ATTEMPTS = 2;

/**
 * How long a caller that must not be delayed by its metric (`monitor time` after the command
 * exited, the pipeline's Python module) waits for CloudWatch: its attempts' worst case
 * (connectTimeoutMs + requestTimeoutMs each) and a backoff. Past it the datum is given up with a
 * warning, whatever CloudWatch (or the credential chain) does.
 */
export function unobtrusivePublishMs(network: NetworkLimits = DEFAULT_NETWORK): number {
  return UNOBTRUSIVE_PUBLISH_ATTEMPTS * attemptTimeoutMs(network) + 1000;
}

/** Constructor options for any AWS SDK v3 client: `new S3Client({ ...clientConfig(o), forcePathStyle: true })`. */
export function clientConfig(options: ClientOptions = {}): ClientConfig {
  const network = options.network ?? DEFAULT_NETWORK;
  return {
    requestHandler: new NodeHttpHandler({
      connectionTimeout: network.connectTimeoutMs,
      // Until the response headers arrive...
      requestTimeout: network.requestTimeoutMs,
      throwOnRequestTimeout: true,
      // ...and any silence after that (a body that stops half way).
      socketTimeout: network.requestTimeoutMs,
    }),
    ...(options.region !== undefined ? { region: options.region } : {}),
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
  };
}
