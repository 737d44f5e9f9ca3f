import { ListObjectsV2Command, type ListObjectsV2CommandInput, type S3Client } from '@aws-sdk/client-s3';

/**
 * One ListObjectsV2 page, read lean. The SDK's generic XML deserializer spends about 15 ms of
 * CPU on a 1,000-key page (more on a small Lambda, whose CPU share scales with memory); reading
 * only Key, Size and LastModified from the raw XML costs well under 1 ms. The SDK still
 * signs, retries and turns error responses into exceptions: a middleware just inside its
 * deserializer takes a successful page's body, parses it here and hands the SDK an empty
 * result to parse instead. Where that middleware never runs (a mocked client), the SDK's own
 * output is used, so behaviour is the same either way.
 */

export interface ListPage {
  readonly keys: string[];
  readonly sizes: number[];
  /** LastModified as epoch ms. */
  readonly modified: number[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  readonly nextContinuationToken?: string;
}

const EMPTY_RESULT = new TextEncoder().encode('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></ListBucketResult>');

interface RawResponse {
  statusCode: number;
  body?: unknown;
}

/** One page; `abortSignal` stops the request in flight (the run's deadline). */
export async function listPage(s3: S3Client, input: ListObjectsV2CommandInput, abortSignal?: AbortSignal): Promise<ListPage> {
  const command = new ListObjectsV2Command(input);
  let lean: ListPage | undefined;
  command.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      const response = out.response as RawResponse;
      if (response.statusCode === 200 && response.body !== undefined && input.EncodingType === undefined) {
        const xml = await bodyText(response.body);
        lean = parseListPage(xml);
        response.body = EMPTY_RESULT;
      }
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'leanListObjectsV2Page' },
  );
  const output = await s3.send(command, abortSignal ? { abortSignal } : {});
  if (lean) return lean;
  const contents = output.Contents ?? [];
  return {
    keys: contents.map((c) => c.Key ?? ''),
    sizes: contents.map((c) => c.Size ?? 0),
    modified: contents.map((c) => c.LastModified?.getTime() ?? Number.NaN),
    commonPrefixes: (output.CommonPrefixes ?? []).map((c) => c.Prefix ?? ''),
    isTruncated: output.IsTruncated === true,
    ...(output.NextContinuationToken ? { nextContinuationToken: output.NextContinuationToken } : {}),
  };
}

/** The body as text, decoded once and without copying the bytes first (a page is ~250 KB). */
async function bodyText(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return decodeUtf8(body);
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return decodeUtf8(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
}

function decodeUtf8(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

/** Parses a ListBucketResult document (ListObjectsV2). Throws on anything it does not recognise. */
export function parseListPage(xml: string): ListPage {
  if (xml.indexOf('<ListBucketResult') < 0) throw new Error(`not a ListBucketResult document: ${xml.slice(0, 120)}`);
  const keys: string[] = [];
  const sizes: number[] = [];
  const modified: number[] = [];
  const commonPrefixes: string[] = [];
  for (const [start, end] of blocks(xml, 'Contents')) {
    const key = element(xml, 'Key', start, end);
    const size = element(xml, 'Size', start, end);
    const lastModified = element(xml, 'LastModified', start, end);
    if (key === undefined || size === undefined) throw new Error('a <Contents> element without Key or Size');
    keys.push(decodeXml(key));
    sizes.push(Number(size));
    modified.push(lastModified === undefined ? Number.NaN : Date.parse(lastModified));
  }
  for (const [start, end] of blocks(xml, 'CommonPrefixes')) {
    const prefix = element(xml, 'Prefix', start, end);
    if (prefix !== undefined) commonPrefixes.push(decodeXml(prefix));
  }
  const truncated = element(xml, 'IsTruncated', 0, xml.length);
  const token = element(xml, 'NextContinuationToken', 0, xml.length);
  return {
    keys,
    sizes,
    modified,
    commonPrefixes,
    isTruncated: truncated === 'true',
    ...(token ? { nextContinuationToken: decodeXml(token) } : {}),
  };
}

/** `[start, end)` of each `<tag>...</tag>` block in turn (end is where its closing tag starts). */
function* blocks(xml: string, tag: string): Generator<[number, number]> {
  const open = `<${tag}>`;
  const close = `</${tag}>`;
  for (let start = xml.indexOf(open); start >= 0; ) {
    const end = xml.indexOf(close, start);
    if (end < 0) throw new Error(`unterminated <${tag}> element`);
    yield [start, end];
    start = xml.indexOf(open, end + close.length);
  }
}

/** Text of the first `<name>` element within [from, to): '' for `<name/>`, undefined when absent. */
function element(xml: string, name: string, from: number, to: number): string | undefined {
  const open = `<${name}>`;
  const i = xml.indexOf(open, from);
  if (i < 0 || i >= to) {
    const empty = xml.indexOf(`<${name}/>`, from);
    return empty >= 0 && empty < to ? '' : undefined;
  }
  const j = xml.indexOf(`</${name}>`, i);
  if (j < 0 || j > to) throw new Error(`unterminated <${name}> element`);
  return xml.slice(i + open.length, j);
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeXml(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);/g, (_, e: string) =>
    e[0] === '#' ? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)) : ENTITIES[e]!,
  );
}
