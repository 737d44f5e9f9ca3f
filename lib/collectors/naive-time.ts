/**
 * ADCE writes Python `datetime.now().isoformat()` (or `str(datetime)`) timestamps: local wall
 * time with no zone, e.g. `2025-11-07 23:59:40.007713`. These helpers read such a timestamp as
 * wall time in an IANA zone and return the instant, using only Intl (no tz database package).
 */

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when Intl knows the zone (e.g. `UTC`, `America/New_York`). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Offset of the zone from UTC at an instant, in ms (New York in winter: -5 h). */
export function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(new Date(instantMs)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant of a naive timestamp read as wall time in `timeZone`. An explicit `Z` or offset
 * in the text wins over the zone. Returns undefined when the text is not a timestamp.
 * Wall times that a DST change skips or repeats resolve to the offset in force just before.
 */
export function parseNaiveTimestamp(text: string, timeZone = 'UTC'): Date | undefined {
  const m = NAIVE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = frac ? Number(frac.padEnd(3, '0').slice(0, 3)) : 0;
  const wall = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? 0), ms);
  const check = new Date(wall);
  // Reject impossible dates like 2025-02-30 (Date.UTC would roll them over).
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) {
    return undefined;
  }
  if (zone) {
    if (zone === 'Z') return check;
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    return new Date(wall - sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000);
  }
  if (timeZone === 'UTC') return check;
  const first = zoneOffsetMs(wall, timeZone);
  let instant = wall - first;
  const second = zoneOffsetMs(instant, timeZone);
  if (second !== first) instant = wall - second;
  return new Date(instant);
}

/**
 * An instant as ADCE writes it: the wall time in `timeZone` with microseconds and no zone, with
 * `T` (`datetime.isoformat()`) or a space (`str(datetime)`) between date and time.
 */
export function formatNaiveTimestamp(instantMs: number, timeZone: string, separator: 'T' | ' ' = 'T'): string {
  const wall = new Date(instantMs + zoneOffsetMs(instantMs, timeZone)).toISOString();
  return `${wall.slice(0, 10)}${separator}${wall.slice(11, 23)}000`;
}
