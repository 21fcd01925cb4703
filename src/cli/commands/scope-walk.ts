import { CliError, cliErrorCodes } from '../cli-error.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { missing, type CliKind } from '../kinds.js';
import { str, type PlainDoc } from '../output/doc-fields.js';
import {
  identityDoc,
  parentArg,
  parentField,
  scopeKinds,
  type ScopeCoordinates,
  type ScopeKind,
} from '../../protocol/scope-kinds.js';

/** Filters of a list: a coordinate filters only when it was given (docs/cli.md, `kuke get`). */
export interface ScopeFilter {
  realm?: string;
  space?: string;
  stack?: string;
}

/** The parent coordinates to list a kind under: the given ones, or every parent that matches. */
async function parentTuples(api: KukeonApi, kind: ScopeKind, f: ScopeFilter): Promise<string[][]> {
  const parents = kind.parents;
  if (parents.length === 0) return [[]];
  if (parents.every((p) => f[p])) return [parents.map((p) => f[p] as string)];
  const direct = parents[parents.length - 1];
  const docs = await listScope(api, scopeKinds[direct], f);
  return docs
    .map((d) => [
      ...scopeKinds[direct].parents.map((p) => str(d, `spec.${parentField[p]}`)),
      str(d, 'metadata.name'),
    ])
    .filter((t) => !f[direct] || t[t.length - 1] === f[direct]);
}

/**
 * The documents of one hierarchy kind under the filter, walking down from the realms.
 * `fields`: only these document paths are needed (a table of cells); the daemon may send just
 * those (ListCells `Fields`) or, not knowing the hint, whole documents.
 */
export async function listScope(
  api: KukeonApi,
  kind: ScopeKind,
  f: ScopeFilter,
  fields?: readonly string[],
): Promise<PlainDoc[]> {
  const out: PlainDoc[] = [];
  for (const tuple of await parentTuples(api, kind, f)) {
    const args: Record<string, unknown> = {};
    kind.parents.forEach((p, i) => (args[parentArg[p]] = tuple[i]));
    if (fields) args.Fields = fields;
    const reply = (await api.call(kind.methods.list, args as never)) as Record<string, PlainDoc[] | null>;
    out.push(...(reply[kind.listKey] ?? []));
  }
  return out;
}

export const listRealms = (api: KukeonApi): Promise<PlainDoc[]> => listScope(api, scopeKinds.realm, {});
export const listCells = (api: KukeonApi, f: ScopeFilter, fields?: readonly string[]): Promise<PlainDoc[]> =>
  listScope(api, scopeKinds.cell, f, fields);
export const listSpaces = (api: KukeonApi, f: ScopeFilter): Promise<PlainDoc[]> =>
  listScope(api, scopeKinds.space, f);

/**
 * One resource of a hierarchy kind by name (get, export); CLI_NOT_FOUND with the kind's message.
 * `fields` as in listScope (GetCell `Fields`: a cell's table needs no live container states).
 */
export async function getOne(
  api: KukeonApi,
  kind: CliKind & { scope: ScopeKind },
  name: string,
  scope: ScopeCoordinates,
  fields?: readonly string[],
): Promise<PlainDoc> {
  const args = { Doc: identityDoc(kind.scope, name, scope), ...(fields ? { Fields: fields } : {}) };
  const reply = await api.call(kind.scope.methods.get, args);
  const result: Record<string, unknown> = { ...reply.Result };
  if (result.MetadataExists !== true)
    throw new CliError(
      cliErrorCodes.notFound,
      (kind.getMissing ?? ((n, s) => missing(kind.scope, n, s)))(name, scope),
    );
  return result[kind.scope.resultKey] as PlainDoc;
}
