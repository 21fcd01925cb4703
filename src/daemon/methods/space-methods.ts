import type { Controller } from '../../controller/index.js';
import type { SpaceDoc } from '../../api/index.js';
import { argBool, argDoc, argRemoveFlags, argString, wireDoc } from './wire-args.js';
import type { MethodHandlers } from '../../protocol/method-types.js';

const doc = (m: Parameters<Controller['createSpace']>[0]) => wireDoc<'Space', SpaceDoc>('Space', m);

/** CreateSpace, GetSpace, ListSpaces, DeleteSpace, PurgeSpace (spec 03 §7.3). */
export function spaceHandlers(
  c: Controller,
): Pick<MethodHandlers, 'CreateSpace' | 'GetSpace' | 'ListSpaces' | 'DeleteSpace' | 'PurgeSpace'> {
  const flags = (args: unknown) => ({ force: argBool(args, 'Force'), cascade: argBool(args, 'Cascade') });
  return {
    CreateSpace: async (args) => {
      const r = await c.createSpace(argDoc(args, 'Space'));
      return { Result: { Space: doc(r.resource), ...r.facts } };
    },
    GetSpace: async (args) => {
      const r = await c.getSpace(argDoc(args, 'Space'));
      return { Result: { Space: doc(r.resource), ...r.facts } };
    },
    ListSpaces: async (args) => ({ Spaces: (await c.listSpaces(argString(args, 'RealmName'))).map(doc) }),
    DeleteSpace: async (args) => {
      const s = argDoc(args, 'Space');
      const r = await c.deleteSpace(s.spec.realmId, s.metadata.name, argRemoveFlags(args));
      return { Result: { Space: doc(r.resource), ...r.facts } };
    },
    PurgeSpace: async (args) => {
      const s = argDoc(args, 'Space');
      const r = await c.purgeSpace(s.spec.realmId, s.metadata.name, flags(args));
      return { Result: { Space: doc(r.resource), ...r.facts } };
    },
  };
}
