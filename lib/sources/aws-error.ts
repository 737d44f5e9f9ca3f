/**
 * AWS SDK errors as text, for every message that names a failed AWS call (sources, jobs,
 * publisher, CLI). Free of aws-cdk-lib and the CLI so Lambda bundles can import it.
 */

interface SdkErrorShape {
  readonly name?: string;
  /** Some S3 errors carry only the XML `Code` (name is the generic `Error`). */
  readonly Code?: string;
  readonly message?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The error's AWS name (`AccessDenied`, `NoSuchKey`, ...), else its XML Code, else `Error`. */
export function awsErrorName(err: unknown): string {
  const e = err as SdkErrorShape | undefined;
  return e?.name && e.name !== 'Error' ? e.name : (e?.Code ?? e?.name ?? 'Error');
}

/** An AWS SDK error as one line: `AccessDenied (HTTP 403): message`. */
export function awsErrorText(err: unknown): string {
  const e = err as SdkErrorShape | undefined;
  const status = e?.$metadata?.httpStatusCode;
  return `${awsErrorName(err)}${status ? ` (HTTP ${status})` : ''}: ${e?.message ?? String(err)}`;
}
