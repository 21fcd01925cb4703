/**
 * A small field DSL over zod. Every field of every kind is declared once, and the declaration
 * yields both the zod schema (validation with field paths) and the facts the serialiser needs
 * (key order, omit-empty, pointer vs struct, enum kind). Declaring those facts
 * separately from the schema would let them drift.
 *
 * All fields are optional at the schema level: "required" is a structural rule with its own
 * message, checked after the shape is known to be right.
 */
import { z } from 'zod';
import { RawScalar } from '../raw-scalar.js';
import { parseTimestamp, type Timestamp } from '../../model/time.js';
import { stateLabels, type StateKind } from '../../model/states.js';

export type FieldMeta =
  | { kind: 'string' | 'time' | 'any'; omit: boolean }
  /** `ptr`: Go `*bool` (unset differs from false): omitted only when unset. */
  | { kind: 'bool'; omit: boolean; ptr: boolean }
  /** `ptr`: an optional number where 0 is meaningful (Go pointer): omitted only when unset. */
  | { kind: 'int'; omit: boolean; ptr: boolean }
  | { kind: 'state'; state: StateKind }
  | { kind: 'list'; omit: boolean; item: z.ZodType }
  | { kind: 'map'; omit: boolean; value: z.ZodType }
  /** `struct`: Go non-pointer struct — always written in JSON, dropped when all-zero in YAML if omit. */
  | { kind: 'object'; omit: boolean; struct: boolean; shape: Shape }
  /** Accepted on input and dropped (legacy keys such as tty.profile). */
  | { kind: 'ignored' }
  /** Transport-only: read from and written to JSON only, never YAML (cell runtimeEnv). */
  | { kind: 'jsonOnly'; inner: z.ZodType };

export type Shape = Record<string, z.ZodType>;

const registry = new WeakMap<z.ZodType, FieldMeta>();

export function fieldMeta(schema: z.ZodType): FieldMeta {
  const m = registry.get(schema);
  if (!m) throw new Error('schema was not built by the v1beta1 field DSL');
  return m;
}

function reg<T extends z.ZodType>(schema: T, meta: FieldMeta): T {
  registry.set(schema, meta);
  return schema;
}

/** Describe a value for "expected X, got Y" messages. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof RawScalar) return typeof v.value === 'boolean' ? 'bool' : 'number';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

type Ctx = z.core.$RefinementCtx;

function fail(ctx: Ctx, message: string): never {
  ctx.addIssue({ code: 'custom', message });
  return z.NEVER as never;
}

type Omit = 'omit' | undefined;

export function str(omit?: Omit) {
  return reg(
    z.unknown().transform((v, ctx): string => {
      if (typeof v === 'string') return v;
      if (v instanceof RawScalar) return v.source;
      return fail(ctx, `expected string, got ${describe(v)}`);
    }),
    { kind: 'string', omit: omit === 'omit' },
  );
}

export function bool(omit?: Omit) {
  return reg(
    z.unknown().transform((v, ctx): boolean => {
      const b = v instanceof RawScalar ? v.value : v;
      if (typeof b === 'boolean') return b;
      return fail(ctx, `expected bool (true or false), got ${describe(v)}${scalarText(v)}`);
    }),
    { kind: 'bool', omit: omit === 'omit', ptr: false },
  );
}

/** Go `*bool`: unset and false differ (space default readOnlyRootFilesystem). */
export function boolPtr() {
  const b = bool('omit');
  registry.set(b, { kind: 'bool', omit: true, ptr: true });
  return b;
}

function scalarText(v: unknown): string {
  if (typeof v === 'string') return ` "${v}"`;
  if (v instanceof RawScalar) return ` ${v.source}`;
  return '';
}

interface IntOpts {
  omit?: boolean;
  ptr?: boolean;
  min?: number;
  max?: number;
}

function intLeaf(opts: IntOpts, what: string) {
  return reg(
    z.unknown().transform((v, ctx): number => {
      const n = v instanceof RawScalar ? v.value : v;
      if (typeof n === 'bigint') return fail(ctx, `integer ${String(n)} out of range`);
      if (typeof n !== 'number' || !Number.isInteger(n)) {
        return fail(ctx, `expected ${what}, got ${describe(v)}${scalarText(v)}`);
      }
      if (!Number.isSafeInteger(n)) return fail(ctx, `integer ${n} out of range`);
      if (opts.min !== undefined && n < opts.min)
        return fail(ctx, `integer ${n} out of range (min ${opts.min})`);
      if (opts.max !== undefined && n > opts.max)
        return fail(ctx, `integer ${n} out of range (max ${opts.max})`);
      return n;
    }),
    { kind: 'int', omit: opts.omit ?? false, ptr: opts.ptr ?? false },
  );
}

/** int64 (kept within JS safe integers). */
export const int = (omit?: Omit) => intLeaf({ omit: omit === 'omit' }, 'integer');
/** Go `*int64`: unset and 0 differ. */
export const intPtr = () => intLeaf({ omit: true, ptr: true }, 'integer');
/** uint32 (file modes). */
export const uint32 = (omit?: Omit) =>
  intLeaf({ omit: omit === 'omit', min: 0, max: 0xffff_ffff }, 'unsigned integer');

/** RFC 3339 timestamp; null, missing and the zero time all mean unset. */
export function time(omit?: Omit) {
  return reg(
    z.unknown().transform((v, ctx): Timestamp | undefined => {
      if (v === null || v === undefined) return undefined;
      if (typeof v !== 'string') return fail(ctx, `expected RFC 3339 timestamp, got ${describe(v)}`);
      const t = parseTimestamp(v);
      if (t === null) return fail(ctx, `expected RFC 3339 timestamp, got "${v}"`);
      return t;
    }),
    { kind: 'time', omit: omit === 'omit' },
  );
}

/** State enum: string label (case-sensitive) or, for backward compatibility, integer ordinal. */
export function state(kind: StateKind) {
  const labels = stateLabels[kind];
  return reg(
    z.unknown().transform((v, ctx): string => {
      if (typeof v === 'string') {
        if (labels.includes(v)) return v;
        return fail(ctx, `${kind} state: unknown label "${v}"`);
      }
      const n = v instanceof RawScalar ? v.value : v;
      if (typeof n === 'number' && Number.isInteger(n)) {
        if (n >= 0 && n < labels.length) return labels[n];
        return fail(ctx, `${kind} state: int ${n} out of range`);
      }
      if (typeof v === 'object' && v !== null && !(v instanceof RawScalar)) {
        return fail(ctx, `${kind} state: expected scalar, got ${describe(v)}`);
      }
      return fail(
        ctx,
        `${kind} state: expected string or int, got ${v instanceof RawScalar ? v.source : JSON.stringify(v)}`,
      );
    }),
    { kind: 'state', state: kind },
  );
}

/** Free-form value (kept as is). */
export function any(omit?: Omit) {
  return reg(z.unknown(), { kind: 'any', omit: omit === 'omit' });
}

export function ignored() {
  return reg(z.unknown(), { kind: 'ignored' });
}

export function list<T extends z.ZodType>(item: T, omit?: Omit) {
  return reg(z.array(item), { kind: 'list', omit: omit === 'omit', item });
}

export function map<T extends z.ZodType>(value: T, omit?: Omit) {
  return reg(z.record(z.string(), value), { kind: 'map', omit: omit === 'omit', value });
}

type Optionalised<S extends Shape> = { [K in keyof S]: z.ZodOptional<S[K]> };

function objectSchema<S extends Shape>(shape: S) {
  const opt = {} as Optionalised<S>;
  for (const k of Object.keys(shape) as (keyof S)[]) opt[k] = shape[k].optional();
  return z.strictObject(opt);
}

/** A Go pointer-to-struct field: absent when unset. */
export function obj<S extends Shape>(shape: S, omit?: Omit) {
  return reg(objectSchema(shape), { kind: 'object', omit: omit === 'omit', struct: false, shape });
}

/** A Go non-pointer struct field (metadata, spec, status, status.network). */
export function struct<S extends Shape>(shape: S, omit?: Omit) {
  return reg(objectSchema(shape), { kind: 'object', omit: omit === 'omit', struct: true, shape });
}

export function jsonOnly<T extends z.ZodType>(inner: T) {
  return reg(z.unknown().pipe(inner), { kind: 'jsonOnly', inner }) as unknown as T;
}
