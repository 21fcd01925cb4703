import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a cell etc file by truncating and rewriting it in place (same inode, mode 0644 whatever
 * the umask). Containers bind-mount the single file, so a rename-based (atomic) write would leave
 * them looking at the old inode forever.
 */
export function writeEtcFileInPlace(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  writeFileSync(path, content, { flag: 'w', mode: 0o644 });
  chmodSync(path, 0o644);
}
