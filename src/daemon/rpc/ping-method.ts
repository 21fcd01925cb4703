import type { MethodRegistry } from './method-registry.js';

/**
 * `KukeonV1.Ping` → `{OK: true, Version}`. It has no business logic and the
 * transport relies on it: a starting daemon pings a socket it finds to tell a live peer from a
 * stale file, and `kuke init` waits for a successful Ping.
 */
export function registerPing(registry: MethodRegistry, version: string): MethodRegistry {
  return registry.register('Ping', () => ({ OK: true, Version: version }));
}
