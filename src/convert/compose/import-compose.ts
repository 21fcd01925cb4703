/**
 * `kuke import compose`: a Compose file as v1beta1 manifests (docs/convert.md). Pure: reads
 * files only through the caller's `readFile`, creates nothing. By default the project is one
 * Cell (services share a network namespace, as containers of a cell do); `cellPerService` makes
 * one Cell per service. Every key that is not translated is a note with its reason.
 */
import { basename, dirname, join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { parseManifestStream } from '../../api/index.js';
import { KukeonError } from '../../errors.js';
import type { ConversionNote } from '../conversion-note.js';
import { checkComposeSchema } from './compose-schema.js';
import { parseEnvFile } from './compose-values.js';
import { interpolate, InterpolationError } from './interpolate.js';
import { serviceToContainer, type SecretDocuments } from './service-to-container.js';

export interface ComposeImportOptions {
  /** Path of the Compose file: relative paths in it resolve against its directory. */
  file: string;
  readFile: (path: string) => string;
  realm?: string;
  space?: string;
  stack?: string;
  /** Name of the project's cell (default: the project name). */
  cell?: string;
  cellPerService?: boolean;
  /** The caller's environment: interpolation takes variables from it, then from the project's `.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface ComposeImport {
  documents: Record<string, unknown>[];
  yaml: string;
  notes: ConversionNote[];
}

export const composeErrorCodes = { invalid: 'COMPOSE_INVALID' } as const;

const invalid = (file: string, lines: string[]) =>
  new KukeonError(composeErrorCodes.invalid, `${file} is not a valid Compose file:\n  ${lines.join('\n  ')}`);

/** A kukeon name for a Compose name (service and project names may hold `_`, kukeon's separator). */
function kukeonName(name: string, where: string, notes: ConversionNote[]): string {
  const out =
    name
      .replace(/[_]+/g, '-')
      .replace(/^[.-]+|[.-]+$/g, '')
      .replace(/([.-])[.-]+/g, '$1') || 'x';
  if (out !== name) notes.push({ where, reason: `"${name}" is not a kukeon name; named "${out}"` });
  return out;
}

/** The `.env` file beside the Compose file, as Compose reads it for interpolation (none: {}). */
function dotEnv(o: ComposeImportOptions): Record<string, string> {
  let text: string;
  try {
    text = o.readFile(join(dirname(o.file), '.env'));
  } catch {
    return {};
  }
  return Object.fromEntries(
    parseEnvFile(text).flatMap((e) => (e.value === undefined ? [] : [[e.key, e.value]])),
  );
}

export function importCompose(text: string, o: ComposeImportOptions): ComposeImport {
  const parsed = parseDocument(text, { merge: true });
  if (parsed.errors.length)
    throw invalid(
      o.file,
      parsed.errors.map((e) => e.message),
    );
  const raw = parsed.toJS() as Record<string, unknown> | null;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw))
    throw invalid(o.file, ['the file is not a mapping']);
  const notes: ConversionNote[] = [];
  let doc: Record<string, unknown>;
  const projectEnv = { ...dotEnv(o), ...(o.env ?? {}) };
  try {
    doc = interpolate(raw, projectEnv, notes) as Record<string, unknown>;
  } catch (err) {
    if (err instanceof InterpolationError) throw invalid(o.file, [err.message]);
    throw err;
  }
  const schema = checkComposeSchema(doc);
  if (schema.errors.length) throw invalid(o.file, schema.errors);
  for (const k of schema.unknownKeys)
    notes.push({ where: k, reason: 'not in the Compose specification this build knows' });
  const unknown = new Set(schema.unknownKeys);
  // Unknown keys are noted once, above, and not translated.
  const known = <T extends Record<string, unknown>>(obj: T, at: string): T =>
    Object.fromEntries(Object.entries(obj).filter(([k]) => !unknown.has(at ? `${at}.${k}` : k))) as T;

  for (const k of Object.keys(doc)) {
    if (['services', 'volumes', 'secrets', 'name'].includes(k) || unknown.has(k)) continue;
    notes.push({
      where: k,
      reason:
        k === 'version'
          ? 'obsolete in the Compose specification, ignored'
          : k === 'networks'
            ? 'kukeon cells join their space network (one bridge per space)'
            : k.startsWith('x-')
              ? 'extension field, ignored'
              : 'not supported by kuke import',
    });
  }

  const realm = o.realm ?? 'default';
  const space = o.space ?? 'default';
  const stack = o.stack ?? 'default';
  const project = kukeonName(
    typeof doc.name === 'string' ? doc.name : basename(dirname(o.file)),
    'name',
    notes,
  ).toLowerCase();
  const services = (doc.services ?? {}) as Record<string, Record<string, unknown>>;
  if (Object.keys(services).length === 0) throw invalid(o.file, ['no services']);
  const secrets = (doc.secrets ?? {}) as Record<string, Record<string, unknown>>;
  for (const [n, s] of Object.entries(secrets))
    for (const k of Object.keys(s))
      if (k !== 'file' && k !== 'environment')
        notes.push({
          where: `secrets.${n}.${k}`,
          reason: "kukeon secrets come from a host file or the daemon's environment",
        });

  const documents: Record<string, unknown>[] = [];
  if (realm !== 'default')
    documents.push({ apiVersion: 'v1beta1', kind: 'Realm', metadata: { name: realm }, spec: {} });
  if (space !== 'default')
    documents.push({
      apiVersion: 'v1beta1',
      kind: 'Space',
      metadata: { name: space },
      spec: { realmId: realm },
    });
  if (stack !== 'default')
    documents.push({
      apiVersion: 'v1beta1',
      kind: 'Stack',
      metadata: { name: stack },
      spec: { realmId: realm, spaceId: space },
    });

  const secretStore: SecretDocuments = {
    scope: { realm, space, stack },
    env: projectEnv,
    documents: new Map(),
  };
  const usedVolumes = new Set<string>();
  const cells: { name: string; containers: Record<string, unknown>[] }[] = [];
  const portsUsed = new Map<number, string>();
  for (const [svcName, svc] of Object.entries(services)) {
    const id = kukeonName(svcName, `services.${svcName}`, notes);
    const r = serviceToContainer(svcName, id, known(svc, `services.${svcName}`), {
      baseDir: dirname(o.file),
      readFile: o.readFile,
      secrets,
      secretStore,
      notes,
    });
    r.volumes.forEach((v) => usedVolumes.add(v));
    if (o.cellPerService) cells.push({ name: id, containers: [r.container] });
    else {
      for (const p of new Set(r.containerPorts)) {
        const other = portsUsed.get(p);
        if (other)
          notes.push({
            where: `services.${svcName}.ports`,
            reason: `port ${p} is used by "${other}" too: services of one cell share a network namespace (use --cell-per-service)`,
          });
        else portsUsed.set(p, svcName);
      }
      if (cells.length === 0) cells.push({ name: o.cell ?? project, containers: [] });
      cells[0].containers.push(r.container);
    }
  }

  const topVolumes = (doc.volumes ?? {}) as Record<string, Record<string, unknown> | null>;
  for (const [v, def] of Object.entries(topVolumes)) {
    for (const k of Object.keys(def ?? {}))
      notes.push({
        where: `volumes.${v}.${k}`,
        reason: 'a kukeon Volume is a directory kukeon manages; no drivers, names or labels',
      });
    if (!usedVolumes.has(v))
      notes.push({ where: `volumes.${v}`, reason: 'not mounted by any service; a Volume is emitted anyway' });
  }
  for (const v of new Set([...Object.keys(topVolumes), ...usedVolumes])) {
    if (!(v in topVolumes))
      notes.push({
        where: `volumes.${v}`,
        reason: 'mounted but not declared at the top level; a Volume is emitted',
      });
    documents.push({ apiVersion: 'v1beta1', kind: 'Volume', metadata: { name: v, realm, space } });
  }
  documents.push(...secretStore.documents.values());
  if (secretStore.documents.size)
    notes.push({
      where: 'secrets',
      reason: `the values of ${[...secretStore.documents.keys()].join(', ')} are printed in Secret documents (taken from kuke's environment, as Compose takes them from its own): keep the output private`,
    });
  for (const c of cells)
    documents.push({
      apiVersion: 'v1beta1',
      kind: 'Cell',
      metadata: { name: c.name, labels: { 'compose.project': project } },
      spec: { realmId: realm, spaceId: space, stackId: stack, containers: c.containers },
    });

  const yaml = documents.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
  // What we print must be a valid manifest stream: a failure here is a bug of the importer.
  parseManifestStream(yaml);
  return { documents, yaml, notes };
}
