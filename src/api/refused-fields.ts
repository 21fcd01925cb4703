/**
 * The fields of one document that this build refuses (src/api/field-support.ts): found by walking
 * the document along its kind's schema, so each refusal names the field's path, and the container
 * it belongs to when it is a container's.
 */
import type { z } from 'zod';
import { KukeonError } from '../errors.js';
import { fieldMeta } from './v1beta1/fields.js';
import { childKey, keyRoot } from './schema-fields.js';
import { fieldSupport, isSetValue } from './field-support.js';
import { formatPath } from './schema-walk.js';
import { kindSchemas } from './v1beta1/kinds.js';
import { resourceToPlain, type ResourceKind, type ResourceModels } from './resource-codec.js';
import type { ParsedDocument } from './parse-manifest.js';

export const FIELD_NOT_SUPPORTED = 'FIELD_NOT_SUPPORTED';

export interface Refusal {
  /** `spec.containers[1].networks` */
  path: string;
  /** The support-table key, e.g. `ContainerSpec.networks`. */
  key: string;
  /** The container's id when the field is a container's. */
  container?: string;
  /** `container "app": spec.containers[1].networks is not supported by this build: …` */
  message: string;
}

/** Refused fields of a document of `kind` (a plain object shaped like the kind's schema). */
export function refusedFields(kind: string, schema: z.ZodType, doc: unknown): Refusal[] {
  const out: Refusal[] = [];
  const visit = (s: z.ZodType, value: unknown, key: string, path: PropertyKey[], container?: string) => {
    if (value === undefined || value === null) return;
    const root = keyRoot(s);
    if (root) {
      key = root;
      // A Container document's spec.id defaults to its metadata.name.
      const id = (value as { id?: unknown }).id || (path.length === 1 ? containerDocName(doc) : undefined);
      if (typeof id === 'string' && id) container = id;
    }
    const support = fieldSupport[key];
    const refuse = (hint: string | undefined) => {
      const where = `${container !== undefined ? `container "${container}": ` : ''}${formatPath(path)}`;
      out.push({
        path: formatPath(path),
        key,
        ...(container !== undefined && { container }),
        message: `${where} is not supported by this build${hint ? `: ${hint}` : ''}`,
      });
    };
    if (support?.status === 'stamped') return;
    if (support?.status === 'refused') {
      if (support.when ? support.when(value) : isSetValue(value)) refuse(support.hint);
      return;
    }
    if (support?.status === 'applied' && support.except?.when(value)) return refuse(support.except.hint);
    const m = fieldMeta(s);
    if (m.kind === 'object' && typeof value === 'object' && !Array.isArray(value)) {
      for (const [name, child] of Object.entries(m.shape)) {
        if (fieldMeta(child).kind === 'ignored') continue;
        visit(
          child,
          (value as Record<string, unknown>)[name],
          childKey(key, name),
          [...path, name],
          container,
        );
      }
    } else if (m.kind === 'list' && Array.isArray(value)) {
      value.forEach((item, i) => visit(m.item, item, `${key}[]`, [...path, i], container));
    } else if (m.kind === 'jsonOnly') {
      visit(m.inner, value, key, path, container);
    }
  };
  visit(schema, doc, kind, []);
  return out;
}

function containerDocName(doc: unknown): unknown {
  return (doc as { metadata?: { name?: unknown } } | undefined)?.metadata?.name;
}

/** Thrown when a document sets a refused field; nothing was changed. */
export class UnsupportedFieldsError extends KukeonError {
  readonly refusals: { document: string; refusal: Refusal }[];

  constructor(refusals: { document: string; refusal: Refusal }[]) {
    const lines = refusals.map((r) => `${r.document}: ${r.refusal.message}`);
    super(
      FIELD_NOT_SUPPORTED,
      lines.length === 1
        ? `${lines[0]} (nothing was changed)`
        : `fields not supported by this build (nothing was changed):\n${lines.map((l) => `  ${l}`).join('\n')}`,
    );
    this.refusals = refusals;
  }
}

/** `document 0 (Cell "web")`, as validation errors name a document. */
export const documentLabel = (index: number, kind: string, name: string): string =>
  `document ${index} (${kind}${name ? ` "${name}"` : ''})`;

/**
 * Refused fields of parsed manifest documents. Kinds refused as a whole (Secret, Volume, …) are
 * left to their apply handler, which fails that document alone.
 */
export function refusedInDocuments(
  docs: readonly ParsedDocument[],
): { document: string; refusal: Refusal }[] {
  return docs
    .filter((d) => fieldSupport[d.kind]?.status !== 'refused')
    .flatMap((d) =>
      refusedFields(d.kind, kindSchemas[d.kind], d.doc).map((refusal) => ({
        document: documentLabel(d.index, d.kind, d.name),
        refusal,
      })),
    );
}

/** Throws UnsupportedFieldsError when a resource (an RPC's input) sets a refused field. */
export function refuseUnsupportedFields<K extends ResourceKind>(kind: K, model: ResourceModels[K]): void {
  const plain = resourceToPlain(kind, model, { transport: true });
  const refusals = refusedFields(kind, kindSchemas[kind], plain);
  if (refusals.length === 0) return;
  const name = (plain as { metadata?: { name?: string } }).metadata?.name ?? '';
  const document = `${kind}${name ? ` "${name}"` : ''}`;
  throw new UnsupportedFieldsError(refusals.map((refusal) => ({ document, refusal })));
}
