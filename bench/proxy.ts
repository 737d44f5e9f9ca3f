import http from 'node:http';

/**
 * A record/replay HTTP proxy with a fixed delay per request, in front of the local S3 emulator.
 *
 * Why: the emulator lists on one CPU core (5-40k keys/s), so against it directly a parallel
 * listing is no faster than a sequential one. Real S3 is the other way round: each LIST page
 * costs tens to hundreds of milliseconds of round trip and many run side by side. The proxy
 * answers a GET it has seen before from its recording after `delayMs`, so once a tool's requests
 * are recorded (warm-up run) its timed runs measure round trips, like real S3. Requests it has not
 * seen are forwarded (after the same delay) and recorded; `misses` counts them.
 *
 * It also counts requests and the longest chain of requests that ran one after another (each
 * started after the previous one had been answered): for a sequential tool that is every
 * request; for a parallel one it is the number of round trips its wall time is made of.
 */

export interface ProxyOptions {
  /** The emulator, e.g. `http://127.0.0.1:4566`. */
  readonly target: string;
  /** Added to every request. @default 50 */
  readonly delayMs?: number;
}

export interface ProxyStats {
  readonly requests: number;
  /** Requests answered by forwarding (not in the recording yet). */
  readonly misses: number;
  readonly longestChain: number;
  readonly maxConcurrent: number;
}

interface Recorded {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

const KEPT_HEADERS = ['content-type', 'etag', 'last-modified', 'x-amz-request-id'];

export class ReplayProxy {
  private readonly recording = new Map<string, Recorded>();
  private readonly server: http.Server;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  private readonly target: URL;
  private readonly delayMs: number;
  private intervals: Array<[number, number]> = [];
  private misses = 0;
  private current = 0;
  private maxConcurrent = 0;

  constructor(options: ProxyOptions) {
    this.target = new URL(options.target);
    this.delayMs = options.delayMs ?? 50;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
    return `http://127.0.0.1:${address.port}`;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Starts a new measurement (the recording is kept). */
  resetStats(): void {
    this.intervals = [];
    this.misses = 0;
    this.maxConcurrent = 0;
  }

  stats(): ProxyStats {
    return { requests: this.intervals.length, misses: this.misses, longestChain: longestChain(this.intervals), maxConcurrent: this.maxConcurrent };
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    this.current++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.current);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const key = `${req.method} ${req.url}`;
    await new Promise((resolve) => setTimeout(resolve, this.delayMs));
    let answer = req.method === 'GET' ? this.recording.get(key) : undefined;
    if (!answer) {
      this.misses++;
      try {
        answer = await this.forward(req, body);
        if (req.method === 'GET' && answer.status === 200) this.recording.set(key, answer);
      } catch (err) {
        answer = { status: 502, headers: { 'content-type': 'text/plain' }, body: Buffer.from(`proxy: ${(err as Error).message}`) };
      }
    }
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(answer.body.length) });
    res.end(answer.body, () => {
      this.current--;
      this.intervals.push([started, performance.now()]);
    });
  }

  private forward(req: http.IncomingMessage, body: Buffer): Promise<Recorded> {
    return new Promise((resolve, reject) => {
      const headers = { ...req.headers, host: this.target.host };
      const up = http.request(
        { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers, agent: this.agent },
        (upRes) => {
          const parts: Buffer[] = [];
          upRes.on('data', (c: Buffer) => parts.push(c));
          upRes.on('end', () => {
            const kept: Record<string, string> = {};
            for (const h of KEPT_HEADERS) {
              const v = upRes.headers[h];
              if (typeof v === 'string') kept[h] = v;
            }
            resolve({ status: upRes.statusCode ?? 502, headers: kept, body: Buffer.concat(parts) });
          });
          upRes.on('error', reject);
        },
      );
      up.on('error', reject);
      up.end(body);
    });
  }
}

/** Longest sequence of intervals each starting after the previous one ended. */
export function longestChain(intervals: ReadonlyArray<readonly [number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const chain: number[] = [];
  let best = 0;
  for (let i = 0; i < sorted.length; i++) {
    let c = 1;
    for (let j = 0; j < i; j++) if (sorted[j]![1] <= sorted[i]![0] && chain[j]! + 1 > c) c = chain[j]! + 1;
    chain.push(c);
    best = Math.max(best, c);
  }
  return best;
}
