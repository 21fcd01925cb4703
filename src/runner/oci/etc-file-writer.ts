import { closeSync, fchmodSync, ftruncateSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a cell etc file in place (same inode, mode 0644 whatever the umask). Containers
 * bind-mount the single file, so a rename-based (atomic) write would leave them looking at the
 * old inode forever. An existing file is overwritten from offset 0 and then cut to the new
 * length, not opened with O_TRUNC: ext4 flushes a file truncated to zero and rewritten when it is
 * closed (auto_da_alloc), which made each rewrite ≈ 5× slower and blocked the daemon's loop
 * (docs/bench.md, "Issue 17, fourth round").
 */
export function writeEtcFileInPlace(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  const data = Buffer.from(content);
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch {
    fd = openSync(path, 'w', 0o644);
  }
  try {
    writeSync(fd, data, 0, data.length, 0);
    ftruncateSync(fd, data.length);
    fchmodSync(fd, 0o644);
  } finally {
    closeSync(fd);
  }
}
