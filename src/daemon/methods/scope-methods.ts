import type { Controller, ScopeOps } from '../../controller/index.js';
import type { CellMethodName, MethodHandlers } from '../../protocol/method-types.js';
import { parentArg, scopeKinds, type ScopeKind } from '../../protocol/scope-kinds.js';
import { argBool, argDoc, argRemoveFlags, argString, wireDoc } from './wire-args.js';

type ScopeKindOf<K extends 'realm' | 'space' | 'stack'> = ScopeKind<K> & { docKind: Capitalize<K> };
type ScopeMethod = Exclude<ScopeKind['methods'][keyof ScopeKind['methods']], CellMethodName>;

/**
 * Create, Get, List, Delete and Purge of one scope kind (realm, space, stack: docs/daemon-rpc.md),
 * built from the kind's wire descriptor and the controller's operations of that kind. A reply is
 * the resource under the kind's result key plus the controller's facts, as the method table says.
 */
function scopeKindHandlers<K extends 'realm' | 'space' | 'stack'>(
  kind: ScopeKindOf<K>,
  ops: ScopeOps<never>,
): Record<string, (args: unknown) => Promise<object>> {
  const model = (args: unknown) => argDoc(args, kind.docKind) as never;
  const doc = (m: unknown) => wireDoc(kind.docKind, m as never);
  const reply = (r: { resource: unknown; facts: object }) => ({
    Result: { [kind.resultKey]: doc(r.resource), ...r.facts },
  });
  const flags = (args: unknown) => ({ force: argBool(args, 'Force'), cascade: argBool(args, 'Cascade') });
  return {
    [kind.methods.create]: async (args) => reply(await ops.create(model(args))),
    [kind.methods.get]: async (args) => reply(await ops.get(model(args))),
    [kind.methods.list]: async (args) => ({
      [kind.listKey]: (await ops.list(kind.parents.map((p) => argString(args, parentArg[p])))).map(doc),
    }),
    [kind.methods.delete]: async (args) => reply(await ops.delete(model(args), argRemoveFlags(args))),
    [kind.methods.purge]: async (args) => reply(await ops.purge(model(args), flags(args))),
  };
}

/** The scope methods of every realm, space and stack (cells have their own: cell-methods.ts). */
export function scopeHandlers(c: Controller): Pick<MethodHandlers, ScopeMethod> {
  return {
    ...scopeKindHandlers(scopeKinds.realm as ScopeKindOf<'realm'>, c.scopeOps.realm as ScopeOps<never>),
    ...scopeKindHandlers(scopeKinds.space as ScopeKindOf<'space'>, c.scopeOps.space as ScopeOps<never>),
    ...scopeKindHandlers(scopeKinds.stack as ScopeKindOf<'stack'>, c.scopeOps.stack as ScopeOps<never>),
  } as unknown as Pick<MethodHandlers, ScopeMethod>;
}
