import type { Controller } from '../../controller/index.js';
import type { StackDoc } from '../../api/index.js';
import { argBool, argDoc, argRemoveFlags, argString, wireDoc } from './wire-args.js';
import type { MethodHandlers } from '../../protocol/method-types.js';

const doc = (m: Parameters<Controller['createStack']>[0]) => wireDoc<'Stack', StackDoc>('Stack', m);

/** CreateStack, GetStack, ListStacks, DeleteStack, PurgeStack (spec 03 §7.3). */
export function stackHandlers(
  c: Controller,
): Pick<MethodHandlers, 'CreateStack' | 'GetStack' | 'ListStacks' | 'DeleteStack' | 'PurgeStack'> {
  const flags = (args: unknown) => ({ force: argBool(args, 'Force'), cascade: argBool(args, 'Cascade') });
  return {
    CreateStack: async (args) => {
      const r = await c.createStack(argDoc(args, 'Stack'));
      return { Result: { Stack: doc(r.resource), ...r.facts } };
    },
    GetStack: async (args) => {
      const r = await c.getStack(argDoc(args, 'Stack'));
      return { Result: { Stack: doc(r.resource), ...r.facts } };
    },
    ListStacks: async (args) => ({
      Stacks: (await c.listStacks(argString(args, 'RealmName'), argString(args, 'SpaceName'))).map(doc),
    }),
    DeleteStack: async (args) => {
      const s = argDoc(args, 'Stack');
      const r = await c.deleteStack(s.spec.realmId, s.spec.spaceId, s.metadata.name, argRemoveFlags(args));
      return { Result: { Stack: doc(r.resource), ...r.facts } };
    },
    PurgeStack: async (args) => {
      const s = argDoc(args, 'Stack');
      const r = await c.purgeStack(s.spec.realmId, s.spec.spaceId, s.metadata.name, flags(args));
      return { Result: { Stack: doc(r.resource), ...r.facts } };
    },
  };
}
