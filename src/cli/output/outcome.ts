/** Creation-outcome word (spec 03 §3.6). */
export function outcome(created: unknown, existsPost: unknown): string {
  if (created === true) return 'created';
  if (existsPost === true) return 'already existed';
  return 'missing';
}

/** `  - <label>: <outcome>` */
export function outcomeLine(label: string, value: string): string {
  return `  - ${label}: ${value}\n`;
}
