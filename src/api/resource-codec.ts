/**
 * One place to turn internal resources into text and back, for the store (on-disk JSON), the RPC
 * layer (JSON, optionally with transport-only fields) and `kuke get -o yaml|json`.
 */
import type { z } from 'zod';
import { KukeonError } from '../errors.js';
import { apiVersion } from './v1beta1/common.js';
import { realmDocSchema, type RealmDoc } from './v1beta1/realm.js';
import { spaceDocSchema, type SpaceDoc } from './v1beta1/space.js';
import { stackDocSchema, type StackDoc } from './v1beta1/stack.js';
import { cellDocSchema, type CellDoc } from './v1beta1/cell.js';
import { containerDocSchema, type ContainerDoc } from './v1beta1/container-doc.js';
import {
  cellFromDoc,
  cellToDoc,
  containerFromDoc,
  containerToDoc,
  realmFromDoc,
  realmToDoc,
  spaceFromDoc,
  spaceToDoc,
  stackFromDoc,
  stackToDoc,
} from './convert.js';
import { toJson, toYaml, type EncodeOptions, type Encoding } from './serialise.js';
import { stripUnknown } from './strip-unknown.js';
import { formatPath } from './schema-walk.js';
import type { Cell, Realm, Space, Stack } from '../model/resources.js';
import type { Container } from '../model/container.js';

export const DOCUMENT_INVALID = 'DOCUMENT_INVALID';

/** A stored or transported document could not be decoded. */
export class DocumentDecodeError extends KukeonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(DOCUMENT_INVALID, message, options);
  }
}

export interface DecodeOptions {
  /** Keep the transport-only cell fields (RPC input). */
  transport?: boolean;
  /** Enforce conversion-stage rules (client input); stored documents are read leniently. */
  validate?: boolean;
}

interface Codec<M, D> {
  schema: z.ZodType;
  toDoc: (m: M) => D;
  fromDoc: (d: D, opts: DecodeOptions) => M;
}

export interface ResourceModels {
  Realm: Realm;
  Space: Space;
  Stack: Stack;
  Cell: Cell;
  Container: Container;
}
export type ResourceKind = keyof ResourceModels;

const codecs: { [K in ResourceKind]: Codec<ResourceModels[K], unknown> } = {
  Realm: { schema: realmDocSchema, toDoc: realmToDoc, fromDoc: (d) => realmFromDoc(d as RealmDoc) },
  Space: { schema: spaceDocSchema, toDoc: spaceToDoc, fromDoc: (d) => spaceFromDoc(d as SpaceDoc) },
  Stack: { schema: stackDocSchema, toDoc: stackToDoc, fromDoc: (d) => stackFromDoc(d as StackDoc) },
  Cell: {
    schema: cellDocSchema,
    toDoc: cellToDoc,
    fromDoc: (d, o) => cellFromDoc(d as CellDoc, { transport: o.transport, validate: o.validate ?? false }),
  },
  Container: {
    schema: containerDocSchema,
    toDoc: containerToDoc,
    fromDoc: (d) => containerFromDoc(d as ContainerDoc),
  },
};

/** Encode a resource as JSON (disk: 2-space indent + newline) or YAML. */
export function encodeResource<K extends ResourceKind>(
  kind: K,
  model: ResourceModels[K],
  enc: Encoding,
  opts: EncodeOptions = {},
): string {
  const c = codecs[kind];
  const doc = c.toDoc(model);
  return enc === 'json' ? toJson(c.schema, doc, opts) : toYaml(c.schema, doc);
}

/** The plain JSON-able document (for RPC payloads and `-o json` lists). */
export function resourceToPlain<K extends ResourceKind>(
  kind: K,
  model: ResourceModels[K],
  opts: EncodeOptions = {},
): unknown {
  const c = codecs[kind];
  return JSON.parse(toJson(c.schema, c.toDoc(model), opts));
}

/**
 * Decode a JSON document we (or the original) wrote: empty apiVersion means v1beta1, another
 * version or kind is an error, unknown keys are dropped, null/missing/zero times mean unset.
 * Conversion-stage rules are enforced only with `validate` (RPC input from a client); a
 * stored cell must stay loadable even if it predates a rule.
 * `transport`: keep the transport-only cell fields (RPC input).
 */
export function decodeResource<K extends ResourceKind>(
  kind: K,
  input: string | unknown,
  opts: DecodeOptions = {},
): ResourceModels[K] {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      throw new DocumentDecodeError(`${kind} document is not valid JSON: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DocumentDecodeError(`${kind} document must be a JSON object`);
  }
  const rec = value as Record<string, unknown>;
  const version = rec.apiVersion ?? '';
  if (version !== '' && version !== apiVersion) {
    throw new DocumentDecodeError(`unsupported apiVersion: ${String(version)} (expected ${apiVersion})`);
  }
  if (rec.kind !== undefined && rec.kind !== '' && rec.kind !== kind) {
    throw new DocumentDecodeError(`document has kind "${String(rec.kind)}", want "${kind}"`);
  }
  const c = codecs[kind];
  const parsed = c.schema.safeParse(stripUnknown(c.schema, value));
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new DocumentDecodeError(`${kind} document is invalid: ${formatPath(first.path)}: ${first.message}`);
  }
  return c.fromDoc(parsed.data, opts) as ResourceModels[K];
}
