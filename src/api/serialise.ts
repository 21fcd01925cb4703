/**
 * Serialisation of documents for `-o yaml`, `-o json`, RPC and disk, driven by the
 * field DSL so key order is the declaration (= spec table) order and omit-empty follows the
 * original's Go encoders:
 * - JSON: omit-empty never drops timestamps or non-pointer structs (zero time is written as
 *   `0001-01-01T00:00:00Z`, an empty `status.network` as `{}`); empty lists/maps without
 *   omit-empty are written as `null` (Go's nil slice/map — the model does not keep nil apart from
 *   empty, and nil is what documents built from manifests carry).
 * - YAML: omit-empty drops zero timestamps and all-zero structs; empty lists/maps without
 *   omit-empty are written as `[]` / `{}`.
 * - Transport-only fields (cell runtimeEnv, ignoreDiskPressure) exist only in JSON, and only when
 *   `transport` is set (never on disk).
 */
import { stringify } from 'yaml';
import type { z } from 'zod';
import { fieldMeta } from './v1beta1/fields.js';
import { stateLabel } from '../model/states.js';
import { zeroTime } from '../model/time.js';
import { goIntTags } from './yaml-tree.js';

export type Encoding = 'json' | 'yaml';

export interface EncodeOptions {
  /** Include JSON-only transport fields (RPC). Never for disk. */
  transport?: boolean;
}

const isEmpty = (v: unknown) =>
  v === undefined ||
  v === null ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === 'object' && Object.keys(v as object).length === 0);

/** True when `value` is the Go zero value of `schema` (used for YAML omit-empty of structs). */
function isZero(schema: z.ZodType, value: unknown): boolean {
  const m = fieldMeta(schema);
  switch (m.kind) {
    case 'string':
      return !value;
    case 'bool':
      return m.ptr ? value === undefined : !value;
    case 'int':
      return m.ptr ? value === undefined : !value;
    case 'time':
      return value === undefined || value === zeroTime;
    case 'state':
      return value === undefined || value === 'Pending';
    case 'list':
    case 'map':
      return isEmpty(value);
    case 'object':
      if (value === undefined || value === null) return true;
      if (!m.struct) return false;
      return Object.entries(m.shape).every(([k, s]) => isZero(s, (value as Record<string, unknown>)[k]));
    case 'jsonOnly':
      return isZero(m.inner, value);
    default:
      return value === undefined;
  }
}

/**
 * Encode `value` to plain JSON-able data for `schema`. Returns `undefined` when the field is to be
 * omitted.
 */
export function encodeValue(
  schema: z.ZodType,
  value: unknown,
  enc: Encoding,
  opts: EncodeOptions = {},
  omitCtx = false,
): unknown {
  const m = fieldMeta(schema);
  const omit = omitCtx;
  switch (m.kind) {
    case 'string':
      if ((m.omit || omit) && !value) return undefined;
      return (value as string | undefined) ?? '';
    case 'bool':
      if (m.ptr) return value === undefined || value === null ? undefined : Boolean(value);
      if ((m.omit || omit) && !value) return undefined;
      return Boolean(value);
    case 'int':
      if (m.ptr) return value === undefined || value === null ? undefined : value;
      if ((m.omit || omit) && !value) return undefined;
      return (value as number | undefined) ?? 0;
    case 'time': {
      const unset = value === undefined || value === null || value === zeroTime;
      if (unset && enc === 'yaml' && m.omit) return undefined;
      return unset ? zeroTime : value;
    }
    case 'state': {
      const s = (value as string | undefined) ?? 'Pending';
      return stateLabel(m.state, s);
    }
    case 'list': {
      const arr = (value as unknown[] | undefined) ?? [];
      if (arr.length === 0) {
        if (m.omit || omit) return undefined;
        return enc === 'json' ? null : [];
      }
      return arr.map((item) => encodeValue(m.item, item, enc, opts) ?? null);
    }
    case 'map': {
      const rec = (value as Record<string, unknown> | undefined) ?? {};
      const keys = Object.keys(rec);
      if (keys.length === 0) {
        if (m.omit || omit) return undefined;
        return enc === 'json' ? null : {};
      }
      // Go sorts map keys when encoding; sorting keeps output stable across reads.
      const out: Record<string, unknown> = {};
      for (const k of keys.sort()) define(out, k, encodeValue(m.value, rec[k], enc, opts) ?? null);
      return out;
    }
    case 'object': {
      if (value === undefined || value === null) {
        if (!m.struct) return undefined;
        if (enc === 'yaml' && m.omit) return undefined;
      }
      if (enc === 'yaml' && m.struct && m.omit && isZero(schema, value)) return undefined;
      const rec = (value as Record<string, unknown> | undefined) ?? {};
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(m.shape)) {
        const v = encodeValue(s, rec[k], enc, opts);
        if (v !== undefined) define(out, k, v);
      }
      return out;
    }
    case 'jsonOnly':
      if (enc !== 'json' || !opts.transport) return undefined;
      return encodeValue(m.inner, value, enc, opts);
    case 'ignored':
      return undefined;
    case 'any':
      if (m.omit && isEmpty(value)) return undefined;
      return value ?? null;
  }
}

function define(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** JSON text: 2-space indentation and a trailing newline (on-disk format). */
export function toJson(schema: z.ZodType, doc: unknown, opts: EncodeOptions = {}): string {
  return JSON.stringify(encodeValue(schema, doc, 'json', opts), null, 2) + '\n';
}

/** YAML text with 2-space indentation. Strings that would read back as numbers are quoted. */
export function toYaml(schema: z.ZodType, doc: unknown): string {
  return stringify(encodeValue(schema, doc, 'yaml'), { customTags: goIntTags, indent: 2, lineWidth: 0 });
}

/** Several documents as one YAML stream (`---` separated), e.g. for `kuke get -o yaml` of a list. */
export function toYamlList(schema: z.ZodType, docs: unknown[]): string {
  return stringify(
    docs.map((d) => encodeValue(schema, d, 'yaml')),
    { customTags: goIntTags, indent: 2, lineWidth: 0 },
  );
}
