import { KUKEOND_NODE_FLAGS } from './daemon-process.js';
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';

export const unitPath = '/etc/systemd/system/kukeond.service';

/** systemd is PID 1 and its tools are on PATH. */
export function systemdUsable(): boolean {
  if (!existsSync('/run/systemd/system')) return false;
  try {
    execFileSync('systemctl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function quoteArg(a: string): string {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `"${a.replace(/(["\\])/g, '\\$1')}"`;
}

/** The unit text for `kukeond serve` with the given arguments. */
export function unitText(node: string, kukeond: string, args: string[]): string {
  return `[Unit]
Description=kukeond — the kukeon daemon
After=containerd.service
Wants=containerd.service

[Service]
ExecStart=${[node, ...KUKEOND_NODE_FLAGS, kukeond, ...args].map(quoteArg).join(' ')}
Restart=on-failure
KillMode=process

[Install]
WantedBy=multi-user.target
`;
}

/** Writes the unit, reloads systemd and enables + starts it. */
export function installUnit(kukeond: string, args: string[]): string {
  writeFileSync(unitPath, unitText(process.execPath, kukeond, args), { mode: 0o644 });
  execFileSync('systemctl', ['daemon-reload'], { stdio: 'ignore' });
  execFileSync('systemctl', ['enable', '--now', 'kukeond.service'], { stdio: 'ignore' });
  return unitPath;
}

/** Stops, disables and removes the unit; undefined when there is none. */
export function removeUnit(): string | undefined {
  if (!existsSync(unitPath)) return undefined;
  const problems: string[] = [];
  for (const args of [
    ['stop', 'kukeond.service'],
    ['disable', 'kukeond.service'],
  ]) {
    try {
      execFileSync('systemctl', args, { stdio: 'ignore' });
    } catch (err) {
      problems.push(`${args[0]}: ${(err as Error).message}`);
    }
  }
  rmSync(unitPath, { force: true });
  try {
    execFileSync('systemctl', ['daemon-reload'], { stdio: 'ignore' });
  } catch {
    // The unit is gone either way.
  }
  return problems.length === 0 ? 'stopped, disabled, removed' : `partial (${problems.join('; ')})`;
}
