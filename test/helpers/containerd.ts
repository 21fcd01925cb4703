import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const script = join(repoRoot, 'scripts', 'containerd-private.sh');

export interface PrivateContainerd {
  socket: string;
  dir: string;
  /** Stops it, unless it was shared from the environment (then the test run owns it). */
  stop(): void;
  /** Stops and starts it again on the same root/state/socket (for restart tests). */
  restart(): void;
}

/**
 * The private containerd for a test file. `npm test` starts one for the whole run and exports
 * KUKEON_TEST_CONTAINERD_DIR; a test file run on its own starts (and later stops) its own.
 * Either way the user's system containerd is never touched.
 */
export function privateContainerd(): PrivateContainerd {
  const shared = process.env.KUKEON_TEST_CONTAINERD_DIR;
  const dir = shared ?? mkdtempSync(join(tmpdir(), 'kukeon-ctd-'));
  const start = (): string => execFileSync('bash', [script, 'start', dir], { encoding: 'utf8' }).trim();
  const socket = shared ? join(dir, 'containerd.sock') : start();
  return {
    socket,
    dir,
    stop() {
      if (shared) return;
      execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
      rmSync(dir, { recursive: true, force: true });
    },
    restart() {
      execFileSync('bash', [script, 'stop', dir], { stdio: 'inherit' });
      start();
    },
  };
}

/** `ctr` against the private containerd, for tests that inspect what the product did. */
export function ctr(socket: string, args: string[], namespace?: string): string {
  const ns = namespace ? ['--namespace', namespace] : [];
  return execFileSync('ctr', ['--address', socket, ...ns, ...args], { encoding: 'utf8' });
}

/** A namespace name unique to this test process, so parallel test files never collide. */
export function testNamespace(label: string): string {
  return `t-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}
