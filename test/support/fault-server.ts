import http from 'node:http';

/**
 * A loopback HTTP server that misbehaves on purpose, standing in for an AWS endpoint: it can
 * accept and never answer, answer 5xx or HTML, reset the connection, or list forever. Every
 * request is recorded; `stop()` drops open connections (a server that never answers holds them).
 */
export interface FaultServer {
  readonly url: string;
  /** Requests received (method and URL), in order. */
  readonly requests: string[];
  stop(): Promise<void>;
}

export type FaultHandler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

export async function startFaultServer(handler: FaultHandler): Promise<FaultServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      handler(req, res, Buffer.concat(chunks).toString('utf8'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Accepts, reads the request, never answers. */
export const neverAnswers: FaultHandler = () => undefined;

/** Destroys the connection once the request is read (ECONNRESET / socket hang up on the client). */
export const resetsAfterAccepting: FaultHandler = (req) => void req.socket.destroy();

/** A load balancer's HTML error page. */
export const htmlBadGateway: FaultHandler = (_req, res) => {
  res.writeHead(502, { 'content-type': 'text/html' });
  res.end('<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
};

/** S3's XML 500 InternalError. */
export const internalError: FaultHandler = (_req, res) => {
  res.writeHead(500, { 'content-type': 'application/xml' });
  res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>');
};

/** 200 with a listing cut off mid-document. */
export const malformedListing: FaultHandler = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/xml' });
  res.end('<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lake</Name><Contents><Key>a.json</Key><Size>1</Size>');
};

/**
 * ListObjectsV2 that never ends: 1,000 ever-increasing keys under the request's prefix after
 * StartAfter / ContinuationToken, always truncated; GetObject of `objects` keys; 404 otherwise.
 */
export function endlessListing(objects: Record<string, string> = {}): FaultHandler {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.searchParams.has('list-type')) {
      const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
      const text = objects[key];
      if (text === undefined) {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>${key}</Key></Error>`);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), etag: '"e"' });
      res.end(text);
      return;
    }
    const prefix = url.searchParams.get('prefix') ?? '';
    const after = url.searchParams.get('continuation-token') ?? url.searchParams.get('start-after') ?? '';
    // The first key after `after`, whatever it is (the scanner starts ranges at guessed keys).
    const rest = after.startsWith(prefix) ? after.slice(prefix.length) : '';
    const digits = /^\d*/.exec(rest)![0];
    let next = Math.max(0, Number(`${digits}000000000000`.slice(0, 12)) - 1);
    while (`${prefix}${String(next).padStart(12, '0')}.json` <= after) next++;
    const keys: string[] = [];
    for (let i = 0; i < 1000; i++, next++) keys.push(`${prefix}${String(next).padStart(12, '0')}.json`);
    const contents = keys.map((k) => `<Contents><Key>${k}</Key><LastModified>2025-11-08T00:00:00.000Z</LastModified><ETag>"e"</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>`).join('');
    res.writeHead(200, { 'content-type': 'application/xml' });
    res.end(
      `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>lake</Name><Prefix>${prefix}</Prefix>` +
        `<KeyCount>1000</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>${contents}<NextContinuationToken>${keys.at(-1)}</NextContinuationToken></ListBucketResult>`,
    );
  };
}
