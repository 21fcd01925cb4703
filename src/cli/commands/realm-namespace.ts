import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { str } from '../output/doc-fields.js';
import { identityDoc, scopeKinds } from '../../protocol/scope-kinds.js';

/** A realm's containerd namespace, from GetRealm (`realm "r" not found` when it has no metadata). */
export async function realmNamespace(api: KukeonApi, realm: string): Promise<string> {
  const got = await api.call('GetRealm', { Doc: identityDoc(scopeKinds.realm, realm, {}) });
  if (!got.Result.MetadataExists) throw new CliError(cliErrorCodes.notFound, `realm ${q(realm)} not found`);
  return str(got.Result.Realm, 'spec.namespace');
}
