import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import type { PlainDoc } from '../output/doc-fields.js';
import {
  describeCoordinates,
  levelArg,
  scopedIdentityDoc,
  type ScopedCoordinates,
  type ScopedKind,
} from '../../protocol/scoped-kinds.js';

/**
 * get / delete / create of the scoped kinds (docs/volumes.md): resources that live at a realm,
 * optionally a space and a stack, without being levels of the hierarchy. Everything here reads
 * the kind's wire descriptor (protocol/scoped-kinds.ts); a new scoped kind adds no code here.
 */

/** Scope flags as given; `--realm` defaults to `default` when `defaultRealm`, deeper ones stay unset. */
export function scopedCoordinates(
  kind: ScopedKind,
  flags: Partial<Record<string, string | undefined>>,
  defaultRealm: boolean,
): ScopedCoordinates {
  const out: ScopedCoordinates = {};
  for (const l of kind.levels) {
    const v = flags[l]?.trim();
    if (v) out[l] = v;
  }
  if (defaultRealm && !out.realm) out.realm = 'default';
  for (const [i, l] of kind.levels.entries()) {
    const shallower = kind.levels[i - 1];
    if (out[l] && shallower && !out[shallower])
      throw new CliError(cliErrorCodes.usage, `--${l} requires --${shallower}`);
  }
  return out;
}

/** `volume "v" not found in realm "r", space "s"`. */
export const scopedMissing = (kind: ScopedKind, name: string, scope: ScopedCoordinates): string =>
  `${kind.name} ${q(name)} not found in ${describeCoordinates(scope)}`;

/** Every resource of the kind at or below the coordinates given. */
export async function listScoped(
  api: KukeonApi,
  kind: ScopedKind,
  filter: ScopedCoordinates,
): Promise<PlainDoc[]> {
  const args: Record<string, string> = {};
  for (const l of kind.levels) if (filter[l]) args[levelArg[l]] = filter[l];
  const reply = (await api.call(kind.methods.list, args)) as Record<string, PlainDoc[] | null>;
  return reply[kind.listKey] ?? [];
}

/** One resource at exactly these coordinates; CLI_NOT_FOUND with the kind's message. */
export async function getScopedOne(
  api: KukeonApi,
  kind: ScopedKind,
  name: string,
  scope: ScopedCoordinates,
): Promise<PlainDoc> {
  const reply = await api.call(kind.methods.get, { Doc: scopedIdentityDoc(kind, name, scope) });
  const result: Record<string, unknown> = { ...reply.Result };
  if (result.Exists !== true) throw new CliError(cliErrorCodes.notFound, scopedMissing(kind, name, scope));
  return result[kind.resultKey] as PlainDoc;
}

/** `kuke delete <kind> NAME`: `Deleted <kind> "<n>"`. */
export async function deleteScoped(
  api: KukeonApi,
  kind: ScopedKind,
  name: string,
  scope: ScopedCoordinates,
): Promise<string> {
  await getScopedOne(api, kind, name, scope);
  await api.call(kind.methods.delete, { Doc: scopedIdentityDoc(kind, name, scope) });
  return `Deleted ${kind.name} ${q(name)}\n`;
}

/** `kuke create <kind> NAME`: the document's identity plus `spec`; the reply's Result. */
export async function createScoped(
  api: KukeonApi,
  kind: ScopedKind,
  name: string,
  scope: ScopedCoordinates,
  spec: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const doc = { ...scopedIdentityDoc(kind, name, scope), ...(Object.keys(spec).length > 0 && { spec }) };
  const reply = await api.call(kind.methods.create, { Doc: doc });
  return { ...reply.Result };
}
