/** Navigate the field DSL by path (for "did you mean" hints on unknown fields). */
import type { z } from 'zod';
import { fieldMeta } from './v1beta1/fields.js';

/** The known keys of the object schema found at `path` under `root`, or [] if none. */
export function knownKeysAt(root: z.ZodType, path: readonly PropertyKey[]): string[] {
  let schema: z.ZodType | undefined = root;
  for (const seg of path) {
    if (!schema) return [];
    const m = fieldMeta(schema);
    if (m.kind === 'object') schema = m.shape[String(seg)];
    else if (m.kind === 'list') schema = m.item;
    else if (m.kind === 'map') schema = m.value;
    else if (m.kind === 'jsonOnly') schema = m.inner;
    else return [];
  }
  if (!schema) return [];
  const m = fieldMeta(schema);
  return m.kind === 'object'
    ? Object.keys(m.shape).filter((k) => fieldMeta(m.shape[k]).kind !== 'ignored')
    : [];
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

/** Closest known key: same letters ignoring case, else within edit distance 2. */
export function suggestKey(unknown: string, known: string[]): string | undefined {
  const lower = unknown.toLowerCase();
  const ci = known.find((k) => k.toLowerCase() === lower);
  if (ci) return ci;
  let best: string | undefined;
  let bestD = 3;
  for (const k of known) {
    const d = distance(lower, k.toLowerCase());
    if (d < bestD) {
      best = k;
      bestD = d;
    }
  }
  return best;
}

/** `spec.containers[1].image` */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const s = String(seg);
      out += /^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? (out ? '.' : '') + s : `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}
