/** Creation-outcome word. */
export function outcome(created: unknown, existsPost: unknown): string {
  if (created === true) return 'created';
  if (existsPost === true) return 'already existed';
  return 'missing';
}

/** `  - <label>: <outcome>` */
export function outcomeLine(label: string, value: string): string {
  return `  - ${label}: ${value}\n`;
}
