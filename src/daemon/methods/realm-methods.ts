import type { Controller } from '../../controller/index.js';
import type { RealmDoc } from '../../api/index.js';
import { argBool, argDoc, argRemoveFlags, wireDoc } from './wire-args.js';
import type { MethodHandlers } from '../../protocol/method-types.js';

const doc = (m: Parameters<Controller['createRealm']>[0]) => wireDoc<'Realm', RealmDoc>('Realm', m);

/** CreateRealm, GetRealm, ListRealms, DeleteRealm, PurgeRealm (spec 03 §7.3). */
export function realmHandlers(
  c: Controller,
): Pick<MethodHandlers, 'CreateRealm' | 'GetRealm' | 'ListRealms' | 'DeleteRealm' | 'PurgeRealm'> {
  return {
    CreateRealm: async (args) => {
      const r = await c.createRealm(argDoc(args, 'Realm'));
      return { Result: { Realm: doc(r.resource), ...r.facts } };
    },
    GetRealm: async (args) => {
      const r = await c.getRealm(argDoc(args, 'Realm'));
      return { Result: { Realm: doc(r.resource), ...r.facts } };
    },
    ListRealms: async () => ({ Realms: (await c.listRealms()).map(doc) }),
    DeleteRealm: async (args) => {
      const name = argDoc(args, 'Realm').metadata.name;
      const r = await c.deleteRealm(name, argRemoveFlags(args));
      return { Result: { Realm: doc(r.resource), ...r.facts } };
    },
    PurgeRealm: async (args) => {
      const name = argDoc(args, 'Realm').metadata.name;
      const r = await c.purgeRealm(name, {
        force: argBool(args, 'Force'),
        cascade: argBool(args, 'Cascade'),
      });
      return { Result: { Realm: doc(r.resource), ...r.facts } };
    },
  };
}
