import { ErrorCode } from '../../error-codes.js';
import { assertContainerdIdentifier } from './containerd-identifier.js';
import { namePart } from './name-part.js';
import { NamingError } from './naming-error.js';

/** The containerd namespace of a realm: `<realm>.<suffix>` (e.g. `default.kukeon.io`). */
export function realmNamespace(realm: string, suffix: string): string {
  return assertContainerdIdentifier('realm namespace', `${namePart('realm', realm)}.${suffix}`);
}

/** A namespace is kukeon-owned when it ends with `.<suffix>` and has a non-empty prefix. */
export function isKukeonNamespace(namespace: string, suffix: string): boolean {
  const tail = `.${suffix}`;
  return namespace.length > tail.length && namespace.endsWith(tail);
}

/** Recovers the realm name from a kukeon-owned namespace; throws NOT_KUKEON_NAMESPACE otherwise. */
export function realmFromNamespace(namespace: string, suffix: string): string {
  if (!isKukeonNamespace(namespace, suffix)) {
    throw new NamingError(
      ErrorCode.NOT_KUKEON_NAMESPACE,
      `namespace "${namespace}" is not a kukeon realm namespace (expected "<realm>.${suffix}")`,
    );
  }
  return namespace.slice(0, namespace.length - suffix.length - 1);
}
