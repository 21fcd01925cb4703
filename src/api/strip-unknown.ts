/**
 * Drop keys the schema does not know, recursively. Used for documents *we* read back (disk, RPC),
 * where tolerating a newer or older writer beats refusing to load; manifests stay strict.
 */
import type { z } from 'zod';
import { fieldMeta } from './v1beta1/fields.js';

export function stripUnknown(schema: z.ZodType, value: unknown): unknown {
  const m = fieldMeta(schema);
  if (value === null || typeof value !== 'object') return value;
  switch (m.kind) {
    case 'object': {
      if (Array.isArray(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        // null means unset; dropping it lets the optional field take its zero value.
        if (Object.hasOwn(m.shape, k) && v !== null) out[k] = stripUnknown(m.shape[k], v);
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v) => stripUnknown(m.item, v)) : value;
    case 'map': {
      if (Array.isArray(value)) return value;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        Object.defineProperty(out, k, {
          value: stripUnknown(m.value, v),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'jsonOnly':
      return stripUnknown(m.inner, value);
    default:
      return value;
  }
}
