/**
 * Canonical internal form of a decoded document, following the field DSL: fields without
 * omit-empty always hold a value (strings '', bools false, ints 0, lists [], maps {}, structs
 * recursively); omit-empty fields holding their zero value become undefined (so nil ≡ empty and
 * a document reads back equal after being written); pointer fields keep 0/false and are undefined
 * only when unset. Legacy ignored keys and transport-only fields are dropped.
 */
import type { z } from 'zod';
import { fieldMeta } from './v1beta1/fields.js';

export function normalise(schema: z.ZodType, value: unknown, keepTransport = false): unknown {
  const m = fieldMeta(schema);
  switch (m.kind) {
    case 'string':
      if (m.omit) return value ? value : undefined;
      return value ?? '';
    case 'bool':
      if (m.ptr) return value ?? undefined;
      if (m.omit) return value ? value : undefined;
      return value ?? false;
    case 'int':
      if (m.ptr) return value ?? undefined;
      if (m.omit) return value ? value : undefined;
      return value ?? 0;
    case 'time':
      return value ?? undefined;
    case 'state':
      return value ?? 'Pending';
    case 'list': {
      const arr = value as unknown[] | undefined;
      if (arr === undefined || arr === null || (m.omit && arr.length === 0)) return m.omit ? undefined : [];
      return arr.map((v) => normalise(m.item, v, keepTransport));
    }
    case 'map': {
      const rec = value as Record<string, unknown> | undefined;
      if (rec === undefined || rec === null || (m.omit && Object.keys(rec).length === 0))
        return m.omit ? undefined : {};
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(rec)) {
        Object.defineProperty(out, k, {
          value: normalise(m.value, v, keepTransport),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
    case 'object': {
      if ((value === undefined || value === null) && !m.struct) return undefined;
      const rec = (value ?? {}) as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(m.shape)) {
        const v = normalise(s, rec[k], keepTransport);
        if (v !== undefined) out[k] = v;
      }
      return out;
    }
    case 'jsonOnly':
      return keepTransport ? normalise(m.inner, value, keepTransport) : undefined;
    case 'ignored':
      return undefined;
    case 'any':
      return value;
  }
}
