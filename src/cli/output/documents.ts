import type { PlainDoc } from './doc-fields.js';

/** Kinds whose YAML is re-encoded through the api codec (key order and omit-empty rules). */
const codecKinds = new Set(['Realm', 'Space', 'Stack', 'Cell', 'Container']);

/** JSON text: two-space indent, trailing newline. Lists are plain arrays. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value ?? null, null, 2) + '\n';
}

/**
 * YAML of one document. Hierarchy documents go through the api layer's codec, so `-o yaml` is
 * the canonical form (YAML omit-empty, zero times dropped); anything else, or a document the
 * codec refuses, is written as it came. Loaded lazily: the table path never pays for zod.
 */
async function docYaml(kind: string, doc: unknown): Promise<string> {
  const { stringify } = await import('yaml');
  if (codecKinds.has(kind)) {
    const api = await import('../../api/index.js');
    try {
      const k = kind as 'Realm';
      return api.encodeResource(k, api.decodeResource(k, doc), 'yaml');
    } catch {
      // Fall through to the plain form: printing must not fail on a document we can show.
    }
  }
  return stringify(doc, { indent: 2, lineWidth: 0 });
}

/** One document or a sequence of documents as YAML; an empty list is `[]`. */
export async function toYamlText(kind: string, value: PlainDoc | unknown[]): Promise<string> {
  if (!Array.isArray(value)) return docYaml(kind, value);
  if (value.length === 0) return '[]\n';
  const parts: string[] = [];
  for (const item of value) {
    const y = await docYaml(kind, item);
    parts.push('- ' + y.replace(/\n(?=.)/g, '\n  '));
  }
  return parts.join('');
}

export async function renderDocuments(
  kind: string,
  value: PlainDoc | unknown[],
  format: 'json' | 'yaml',
): Promise<string> {
  return format === 'json' ? toJsonText(value) : toYamlText(kind, value);
}
