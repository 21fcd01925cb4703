import type { Controller, ScopedOps } from '../../controller/index.js';
import type { MethodHandlers } from '../../protocol/method-types.js';
import { levelArg, scopedKinds, type ScopedKind } from '../../protocol/scoped-kinds.js';
import { argString } from './wire-args.js';

type ScopedMethod = ScopedKind['methods'][keyof ScopedKind['methods']];

/**
 * Create, Get, List and Delete of one scoped kind (a Volume; later a Secret …), built from the
 * kind's wire descriptor and the controller's operations of that kind (docs/daemon-rpc.md). The
 * `Doc` argument is validated as `kuke apply` validates the kind's documents; the list takes the
 * kind's level filters (`RealmName`, `SpaceName`, …), each one narrowing when given.
 */
function scopedKindHandlers(
  c: Controller,
  kind: ScopedKind,
): Record<string, (args: unknown) => Promise<object>> {
  const ops = c.scopedOps[kind.docKind] as unknown as ScopedOps;
  const doc = (args: unknown) => c.scopedDoc(kind.docKind, (args as { Doc?: unknown } | undefined)?.Doc);
  // Get and Delete name a resource: only its identity is validated (a Secret's is sent without data).
  const identity = (args: unknown) =>
    c.scopedIdentity(kind.docKind, (args as { Doc?: unknown } | undefined)?.Doc);
  const reply = (r: { resource: unknown; facts: object }) => ({
    Result: { [kind.resultKey]: r.resource, ...r.facts },
  });
  return {
    [kind.methods.create]: async (args) => reply(await ops.create(doc(args))),
    [kind.methods.get]: async (args) => reply(await ops.get(identity(args))),
    [kind.methods.list]: async (args) => {
      const filter = Object.fromEntries(
        kind.levels.map((l) => [l, argString(args, levelArg[l])]).filter(([, v]) => v !== ''),
      );
      return { [kind.listKey]: await ops.list(filter) };
    },
    [kind.methods.delete]: async (args) => reply(await ops.delete(identity(args))),
  };
}

/** The methods of every scoped kind of the wire table. */
export function scopedHandlers(c: Controller): Pick<MethodHandlers, ScopedMethod> {
  const handlers = Object.values(scopedKinds).map((k) => scopedKindHandlers(c, k));
  return Object.assign({}, ...handlers) as Pick<MethodHandlers, ScopedMethod>;
}
