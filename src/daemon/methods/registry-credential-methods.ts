import type { Controller } from '../../controller/index.js';
import type { MethodHandlers, RealmDoc } from '../../protocol/method-types.js';
import { argString, wireDoc } from './wire-args.js';

/**
 * CreateRegistryCredential, DeleteRegistryCredential (our extension; docs/images.md,
 * "Credentials"). The password arrives in the request and goes to the Secret store; the realm
 * document of the reply names the Secret, never the password.
 */
export function registryCredentialHandlers(
  c: Controller,
): Pick<MethodHandlers, 'CreateRegistryCredential' | 'DeleteRegistryCredential'> {
  return {
    CreateRegistryCredential: async (args) => {
      const r = await c.createRegistryCredential(argString(args, 'RealmName'), {
        username: argString(args, 'Username'),
        password: argString(args, 'Password'),
        serverAddress: argString(args, 'ServerAddress'),
      });
      return { Result: { Realm: wireDoc<'Realm', RealmDoc>('Realm', r.resource), Action: r.action } };
    },
    DeleteRegistryCredential: async (args) => {
      const realm = await c.deleteRegistryCredential(
        argString(args, 'RealmName'),
        argString(args, 'ServerAddress'),
      );
      return { Result: { Realm: wireDoc<'Realm', RealmDoc>('Realm', realm), Deleted: true } };
    },
  };
}
