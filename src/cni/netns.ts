import { stat } from 'node:fs/promises';

/**
 * The netns path to hand to a DEL: empty when the namespace is gone (the plugins then release
 * IPAM from the cached result only) and empty when it is our own namespace — a DEL there would
 * delete the host's own `eth0`.
 */
export async function sanitizeNetnsForDel(
  netns: string,
): Promise<{ netns: string; reason?: 'missing' | 'own-netns' }> {
  if (!netns) return { netns: '', reason: 'missing' };
  let target;
  try {
    target = await stat(netns);
  } catch {
    return { netns: '', reason: 'missing' };
  }
  const self = await stat('/proc/self/ns/net');
  if (target.dev === self.dev && target.ino === self.ino) return { netns: '', reason: 'own-netns' };
  return { netns };
}

/** Whether `netns` is the caller's own network namespace (never attach that). */
export async function isOwnNetns(netns: string): Promise<boolean> {
  try {
    const [a, b] = await Promise.all([stat(netns), stat('/proc/self/ns/net')]);
    return a.dev === b.dev && a.ino === b.ino;
  } catch {
    return false;
  }
}
