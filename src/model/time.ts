/**
 * Timestamps. Kept as canonical RFC 3339 UTC strings with nanosecond precision
 * (trailing zero digits trimmed, as Go's RFC3339Nano does) because a JS Date only holds
 * milliseconds and on-disk documents written by the original carry nanoseconds.
 * `undefined` is the zero time.
 */

export type Timestamp = string;

export const zeroTime = '0001-01-01T00:00:00Z';

const rfc3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/;

/**
 * Normalise an RFC 3339 timestamp to UTC. Returns undefined for the zero time, and null when the
 * text is not a valid timestamp.
 */
export function parseTimestamp(text: string): Timestamp | undefined | null {
  const m = rfc3339.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s);
  // Date.UTC maps years 0..99 to 1900..1999.
  if (+y < 100) {
    const dt = new Date(ms);
    dt.setUTCFullYear(+y);
    ms = dt.getTime();
  }
  const check = new Date(ms);
  if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 60) {
    return null;
  }
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '+' ? 1 : -1;
    const [zh, zm] = zone.slice(1).split(':').map(Number);
    if (zh > 23 || zm > 59) return null;
    ms -= sign * (zh * 60 + zm) * 60_000;
  }
  return formatTimestamp(ms, (frac ?? '').padEnd(9, '0'));
}

/** Format whole-second epoch milliseconds plus a 9-digit nanosecond fraction. */
function formatTimestamp(ms: number, nanos9: string): Timestamp | undefined {
  const dt = new Date(ms);
  const year = dt.getUTCFullYear();
  if (year < 1 || year > 9999) return formatOutOfRange(dt, nanos9);
  const base = dt.toISOString().slice(0, 19);
  const frac = nanos9.replace(/0+$/, '');
  const out = `${base}${frac ? '.' + frac : ''}Z`;
  return out === zeroTime ? undefined : out;
}

function formatOutOfRange(dt: Date, nanos9: string): Timestamp {
  const frac = nanos9.replace(/0+$/, '');
  return `${dt.toISOString().replace(/\.\d{3}Z$/, '')}${frac ? '.' + frac : ''}Z`;
}

/** A timestamp for `date` (millisecond precision), e.g. for `now`. */
export function timestampFromDate(date: Date): Timestamp {
  const ms = date.getTime();
  const whole = Math.floor(ms / 1000) * 1000;
  const nanos = String((ms - whole) * 1_000_000).padStart(9, '0');
  return formatTimestamp(whole, nanos) ?? zeroTime;
}

/** Milliseconds since the epoch (sub-millisecond digits dropped); 0-time gives NaN-free -62135596800000. */
export function timestampToDate(ts: Timestamp | undefined): Date {
  return new Date(Date.parse(ts ?? zeroTime));
}

/** Injectable clock (tests need determinism). */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
