/**
 * Wire shapes shared by several services. Field names are the proto's snake_case names (we load
 * with keepCase); int64 values arrive as JS numbers (all are sizes/offsets far below 2^53).
 */
export type Labels = Record<string, string>;

export interface Timestamp {
  seconds: number;
  nanos: number;
}

export interface Any {
  type_url: string;
  value: Buffer | Uint8Array;
}

export interface Mount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export interface Descriptor {
  media_type: string;
  digest: string;
  size: number;
  annotations?: Labels;
}

/** Namespace and (optionally) lease that a namespaced call runs under. A bare string is a namespace. */
export type Scope = string | { namespace: string; lease?: string };

export function scopeNamespace(scope: Scope): string {
  return typeof scope === 'string' ? scope : scope.namespace;
}

export function timestampToDate(ts: Timestamp | null | undefined): Date | undefined {
  if (!ts) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6));
}

/** A label update: a string sets the label, null removes it. */
export type LabelChanges = Record<string, string | null>;

/** Splits label changes into the value map and the `labels.<key>` field-mask paths containerd wants. */
export function labelUpdate(changes: LabelChanges): { labels: Labels; paths: string[] } {
  const labels: Labels = {};
  const paths: string[] = [];
  for (const [k, v] of Object.entries(changes)) {
    paths.push(`labels.${k}`);
    if (v !== null) labels[k] = v;
  }
  return { labels, paths };
}
