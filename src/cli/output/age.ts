/** Go's zero time, which documents carry for "never set". */
const zeroTimes = new Set(['', '0001-01-01T00:00:00Z']);

/**
 * AGE: `-` when unset, else the largest whole unit of now − createdAt
 * (`<n>d`, `<n>h`, `<n>m`, `<n>s`); negative durations count as 0.
 */
export function formatAge(createdAt: unknown, now: Date): string {
  if (typeof createdAt !== 'string' || zeroTimes.has(createdAt)) return '-';
  const t = Date.parse(createdAt);
  if (Number.isNaN(t)) return '-';
  const seconds = Math.max(0, Math.floor((now.getTime() - t) / 1000));
  if (seconds >= 86_400) return `${Math.floor(seconds / 86_400)}d`;
  if (seconds >= 3_600) return `${Math.floor(seconds / 3_600)}h`;
  if (seconds >= 60) return `${Math.floor(seconds / 60)}m`;
  return `${seconds}s`;
}
