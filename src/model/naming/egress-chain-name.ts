import { fnv1a32Hex } from './fnv1a32.js';
import { namePart } from './name-part.js';

/** Per-space iptables egress chain: `KUKE-EGR-` + FNV-1a-32 of `<realm>/<space>` (28-char limit safe). */
export function egressChainName(realm: string, space: string): string {
  return `KUKE-EGR-${fnv1a32Hex(`${namePart('realm', realm)}/${namePart('space', space)}`)}`;
}

/** Comment tag put on every egress rule of a space. */
export function egressCommentTag(realm: string, space: string): string {
  return `kukeon:${namePart('realm', realm)}:${namePart('space', space)}`;
}
