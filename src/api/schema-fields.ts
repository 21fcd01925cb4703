/**
 * Every field a v1beta1 kind declares, by its support-table key (docs/manifests.md, "Field
 * support"): `<Kind>.<path>`, list items as `[]`, and a container's fields under `ContainerSpec.`
 * wherever a container is embedded (Cell, Container), so each container field has one entry.
 */
import type { z } from 'zod';
import { fieldMeta } from './v1beta1/fields.js';
import { containerSpecSchema } from './v1beta1/container.js';

/** The schema of an embedded ContainerSpec: its fields are keyed `ContainerSpec.<field>`. */
export const CONTAINER_SPEC = 'ContainerSpec';

/** One node of a schema: its table key, and whether it has fields below it. */
export interface SchemaField {
  key: string;
  leaf: boolean;
}

/** The key prefix a schema node switches to (a ContainerSpec restarts the key), if any. */
export function keyRoot(schema: z.ZodType): string | undefined {
  return schema === containerSpecSchema ? CONTAINER_SPEC : undefined;
}

/** Child of a key: `a.b` + `c` → `a.b.c`; list items append `[]`. */
export const childKey = (key: string, field: string): string => (key ? `${key}.${field}` : field);

/**
 * Every node under `schema` (depth first, declaration order), keyed from `key`. Lists and maps
 * are looked through (`volumes[]` items are objects with their own fields); the fields removed
 * by the original and dropped on input (`ignored`) are not fields.
 */
export function schemaFields(schema: z.ZodType, key: string): SchemaField[] {
  const out: SchemaField[] = [];
  const visit = (s: z.ZodType, k: string): void => {
    const root = keyRoot(s);
    if (root && k !== root) {
      out.push({ key: k, leaf: false });
      return; // walked once, under its own key
    }
    const m = fieldMeta(s);
    if (m.kind === 'object') {
      if (k !== '' && k !== root) out.push({ key: k, leaf: false });
      for (const [name, child] of Object.entries(m.shape)) {
        if (fieldMeta(child).kind === 'ignored') continue;
        visit(child, childKey(k, name));
      }
    } else if (m.kind === 'list' && isObject(m.item)) {
      out.push({ key: k, leaf: false });
      visit(m.item, `${k}[]`);
    } else if (m.kind === 'jsonOnly') {
      visit(m.inner, k);
    } else {
      out.push({ key: k, leaf: true });
    }
  };
  visit(schema, key);
  return out;
}

function isObject(s: z.ZodType): boolean {
  const m = fieldMeta(s);
  return m.kind === 'object' || keyRoot(s) !== undefined;
}
