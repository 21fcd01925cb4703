import { CliError, cliErrorCodes } from '../cli-error.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { str, type PlainDoc } from '../output/doc-fields.js';

/** Filters of a list: a coordinate filters only when it was given (spec 03 §4.6). */
export interface ScopeFilter {
  realm?: string;
  space?: string;
  stack?: string;
}

const names = (docs: PlainDoc[]): string[] => docs.map((d) => str(d, 'metadata.name'));

export async function listRealms(api: KukeonApi): Promise<PlainDoc[]> {
  return (await api.call<{ Realms?: PlainDoc[] | null }>('ListRealms', {})).Realms ?? [];
}

async function realmNames(api: KukeonApi, f: ScopeFilter): Promise<string[]> {
  return f.realm ? [f.realm] : names(await listRealms(api));
}

export async function listSpaces(api: KukeonApi, f: ScopeFilter): Promise<PlainDoc[]> {
  const out: PlainDoc[] = [];
  for (const realm of await realmNames(api, f)) {
    const reply = await api.call<{ Spaces?: PlainDoc[] | null }>('ListSpaces', { RealmName: realm });
    out.push(...(reply.Spaces ?? []));
  }
  return out;
}

/** Realm/space pairs to look at: the given ones, or every space of the filtered realms. */
async function spacePairs(api: KukeonApi, f: ScopeFilter): Promise<[string, string][]> {
  if (f.realm && f.space) return [[f.realm, f.space]];
  const spaces = await listSpaces(api, f);
  return spaces
    .map((s): [string, string] => [str(s, 'spec.realmId'), str(s, 'metadata.name')])
    .filter(([, s]) => !f.space || s === f.space);
}

export async function listStacks(api: KukeonApi, f: ScopeFilter): Promise<PlainDoc[]> {
  const out: PlainDoc[] = [];
  for (const [realm, space] of await spacePairs(api, f)) {
    const reply = await api.call<{ Stacks?: PlainDoc[] | null }>('ListStacks', {
      RealmName: realm,
      SpaceName: space,
    });
    out.push(...(reply.Stacks ?? []));
  }
  return out;
}

/**
 * The cells of the filtered stacks. `fields`: only these document paths are needed (a table);
 * the daemon may send just those (ListCells `Fields`) or, not knowing the hint, whole documents.
 */
export async function listCells(
  api: KukeonApi,
  f: ScopeFilter,
  fields?: readonly string[],
): Promise<PlainDoc[]> {
  let triples: [string, string, string][];
  if (f.realm && f.space && f.stack) triples = [[f.realm, f.space, f.stack]];
  else {
    const stacks = await listStacks(api, f);
    triples = stacks
      .map((s): [string, string, string] => [
        str(s, 'spec.realmId'),
        str(s, 'spec.spaceId'),
        str(s, 'metadata.name'),
      ])
      .filter(([, , t]) => !f.stack || t === f.stack);
  }
  const out: PlainDoc[] = [];
  for (const [realm, space, stack] of triples) {
    const reply = await api.call<{ Cells?: PlainDoc[] | null }>('ListCells', {
      RealmName: realm,
      SpaceName: space,
      StackName: stack,
      ...(fields ? { Fields: fields } : {}),
    });
    out.push(...(reply.Cells ?? []));
  }
  return out;
}

/** One resource by a Get method (`GetCell` → `Cell`); CLI_NOT_FOUND with `missing` when absent. */
export async function getOne(
  api: KukeonApi,
  method: string,
  key: string,
  doc: PlainDoc,
  missing: string,
): Promise<PlainDoc> {
  const reply = await api.call<{ Result?: Record<string, unknown> }>(method, { Doc: doc });
  const result = reply.Result ?? {};
  if (result.MetadataExists !== true) throw new CliError(cliErrorCodes.notFound, missing);
  return result[key] as PlainDoc;
}
