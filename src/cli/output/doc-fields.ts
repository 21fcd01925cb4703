/** Read-only helpers over plain resource documents (as they arrive over RPC). */
export type PlainDoc = Record<string, unknown>;

/** The value at a dotted path, or undefined. */
export function field(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** A string field, `''` when absent or not a string. */
export function str(doc: unknown, path: string): string {
  const v = field(doc, path);
  return typeof v === 'string' ? v : '';
}

/** A string field or `-` when empty (scope columns of secrets, blueprints, …). */
export function dash(doc: unknown, path: string): string {
  return str(doc, path) || '-';
}

export function labelsOf(doc: unknown): Record<string, string> {
  const v = field(doc, 'metadata.labels');
  return v !== null && typeof v === 'object' ? (v as Record<string, string>) : {};
}
