import { packageVersion } from '../../version.js';
import type { MethodHandler } from '../../protocol/method-types.js';

/** `Ping`: liveness and version (used by `kuke init` and the daemon's live-peer probe). */
export function pingHandler(): MethodHandler<'Ping'> {
  const version = packageVersion();
  return () => Promise.resolve({ OK: true, Version: version });
}
