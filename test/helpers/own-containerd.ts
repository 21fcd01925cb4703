/**
 * A private containerd owned by one test file even under `npm test` (which otherwise shares one
 * for the whole run), for tests that stop or restart containerd and must not disturb others.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PrivateContainerd } from './containerd.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const script = join(repoRoot, 'scripts', 'containerd-private.sh');

export interface OwnContainerd extends PrivateContainerd {
  /** SIGTERM containerd only (its shims, hence running tasks, survive) and wait for it to exit. */
  kill(): Promise<void>;
  /** Start it again on the same root/state/socket. */
  start(): void;
}

export function ownContainerd(): OwnContainerd {
  const dir = mkdtempSync(join(tmpdir(), 'kukeon-ctd-own-'));
  const start = (): string => execFileSync('bash', [script, 'start', dir], { encoding: 'utf8' }).trim();
  const socket = start();
  const pidFile = join(dir, 'containerd.pid');
  const kill = async (): Promise<void> => {
    if (!existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      return;
    }
    for (let i = 0; i < 100; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        return;
      }
      await sleep(100);
    }
    process.kill(pid, 'SIGKILL');
  };
  return {
    socket,
    dir,
    kill,
    start() {
      start();
    },
    stop() {
      execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
      rmSync(dir, { recursive: true, force: true });
    },
    restart() {
      execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
      start();
    },
  };
}
