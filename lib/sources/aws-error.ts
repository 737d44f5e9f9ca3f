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
  /** The raw response, on errors the SDK could not deserialize (body as text). */
  readonly $response?: { readonly statusCode?: number; readonly reason?: string; readonly body?: unknown };
}

/** The error's AWS name (`AccessDenied`, `NoSuchKey`, ...), else its XML Code, else `Error`. */
export function awsErrorName(err: unknown): string {
  const e = err as SdkErrorShape | undefined;
  return e?.name && e.name !== 'Error' ? e.name : (e?.Code ?? e?.name ?? 'Error');
}

/**
 * An AWS SDK error as one line: `AccessDenied (HTTP 403): message`. What the SDK says in ways a
 * user cannot act on is said plainly: a missing region names AWS_REGION and --region, an answer
 * that is not from AWS (an HTML error page of a proxy or load balancer) is summarized, not
 * echoed, and no line echoes more than a few hundred characters of a response.
 */
export function awsErrorText(err: unknown): string {
  const e = err as SdkErrorShape | undefined;
  const status = e?.$metadata?.httpStatusCode ?? e?.$response?.statusCode;
  const message = e?.message ?? String(err);
  if (/^Region is missing/.test(message)) return 'Region is missing: set AWS_REGION (or a region in your AWS profile), or pass --region';
  const body = typeof e?.$response?.body === 'string' ? e.$response.body : '';
  const unreadable = /Deserialization error/.test(message);
  if (status && (/<html|<!doctype html/i.test(body.slice(0, 500)) || (unreadable && /<html|<!doctype html/i.test(firstLine(message))))) {
    const title = /<title[^>]*>([^<]*)<\/title>/i.exec(body)?.[1]?.trim() || /<h1[^>]*>([^<]*)<\/h1>/i.exec(body)?.[1]?.trim();
    return (
      `HTTP ${status}${e?.$response?.reason ? ` ${e.$response.reason}` : ''}: the endpoint answered with an HTML page` +
      `${title ? ` ("${title.slice(0, 100)}")` : ''}, not an AWS response: a proxy, load balancer or wrong --endpoint answered`
    );
  }
  if (status && unreadable) {
    return `HTTP ${status}: the response is not one the AWS SDK could read (${cutText(firstLine(message), 200)})${body ? `; it began ${JSON.stringify(body.slice(0, 120))}` : ''}`;
  }
  return `${awsErrorName(err)}${status ? ` (HTTP ${status})` : ''}: ${cutText(firstLine(message), 500)}`;
}

/**
 * Errors that come from the caller's setup, not from the network or AWS: no region, no
 * credentials, an endpoint that is not a URL. Retrying them only delays the message.
 */
export function isConfigurationError(err: unknown): boolean {
  const e = err as SdkErrorShape & { code?: string } | undefined;
  const name = e?.name ?? '';
  const message = e?.message ?? '';
  return (
    name === 'CredentialsProviderError' ||
    name === 'TokenProviderError' ||
    e?.code === 'ERR_INVALID_URL' ||
    /^Region is missing|Could not load credentials|Invalid URL|Invalid region/i.test(message)
  );
}

function firstLine(text: string): string {
  const i = text.indexOf('\n');
  return i < 0 ? text : text.slice(0, i);
}

function cutText(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}... (${text.length} characters)` : text;
}
