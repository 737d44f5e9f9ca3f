import type { JobLogger } from './job';

/**
 * CloudWatch Logs refuses events over 256 KB (the Lambda runtime then splits or drops them), and
 * a message that echoes input (a value, a key, a response) can be any size. Every job log line
 * goes through {@link boundedLogger}: the message is cut to MAX_LOG_MESSAGE_CHARS, and fields
 * are shortened, largest first, until the line is under MAX_LOG_EVENT_BYTES, well under the
 * limit with room for the Lambda's own keys (request id, timestamp, level, service).
 */
export const MAX_LOG_MESSAGE_CHARS = 4000;
export const MAX_LOG_EVENT_BYTES = 64 * 1024;
/** Characters of a shortened field kept as a preview. */
const PREVIEW_CHARS = 1000;

export function boundedEntry(message: string, extra?: Record<string, unknown>): { message: string; extra?: Record<string, unknown> } {
  const cutMessage = message.length > MAX_LOG_MESSAGE_CHARS ? `${message.slice(0, MAX_LOG_MESSAGE_CHARS)}... (${message.length} characters)` : message;
  if (!extra) return { message: cutMessage };
  const budget = MAX_LOG_EVENT_BYTES - Buffer.byteLength(cutMessage);
  const sizes = Object.entries(extra).map(([key, value]) => [key, byteSize(value)] as const);
  let total = sizes.reduce((n, [, b]) => n + b, 0);
  if (total <= budget) return { message: cutMessage, extra };
  const out: Record<string, unknown> = { ...extra };
  for (const [key, bytes] of [...sizes].sort((a, b) => b[1] - a[1])) {
    if (total <= budget) break;
    const text = safeJson(extra[key]);
    out[key] = { truncated: true, bytes, preview: text.slice(0, PREVIEW_CHARS) };
    total -= bytes - PREVIEW_CHARS - 60;
  }
  return { message: cutMessage, extra: out };
}

/** The same logger, every line bounded. */
export function boundedLogger(logger: JobLogger): JobLogger {
  const wrap =
    (level: keyof JobLogger) =>
    (message: string, extra?: Record<string, unknown>): void => {
      const entry = boundedEntry(message, extra);
      if (entry.extra) logger[level](entry.message, entry.extra);
      else logger[level](entry.message);
    };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn'), error: wrap('error') };
}

function byteSize(value: unknown): number {
  return Buffer.byteLength(safeJson(value));
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
