import type { RegistryReference } from '../../images/index.js';
import type { RegistryCredentials } from '../../model/resources.js';

/**
 * The realm credential a pull from `ref`'s registry uses (docs/images.md, "Credentials"): the
 * entry whose `serverAddress` is that registry exactly (as written in the reference, e.g.
 * `docker.io` or `127.0.0.1:5000`, or its API host, `registry-1.docker.io`), else the first entry
 * without a `serverAddress`, else none (anonymous). The password is read from its Secret by the caller.
 */
export function matchRegistryCredential(
  creds: RegistryCredentials[] | undefined,
  ref: Pick<RegistryReference, 'registry' | 'apiHost'>,
): RegistryCredentials | undefined {
  const list = creds ?? [];
  const hit =
    list.find(
      (c) => c.serverAddress && (c.serverAddress === ref.registry || c.serverAddress === ref.apiHost),
    ) ?? list.find((c) => !c.serverAddress);
  return hit;
}
