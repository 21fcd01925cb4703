import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostConfigEnv } from '../../src/cli/host-config-from-settings.js';
import { kukeClientEnv, type RunnerEnv } from './runner-env.js';

/** The built `kuke` entry point the CLI tests run as a child process. */
export const kukeEntry = fileURLToPath(new URL('../../src/cli/kuke.js', import.meta.url));

/** `kuke args…` as a child: exit code, stdout and stderr. */
export function runKuke(args: string[], env: NodeJS.ProcessEnv, input?: string) {
  const r = spawnSync(process.execPath, [kukeEntry, ...args], {
    env,
    input,
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The environment of the admin verbs (`init`, `daemon …`, `uninstall`) for a hermetic instance:
 * every knob of its HostConfig, its own socket, ServerConfiguration path and group, the daemon
 * run as a process, plus `extra`.
 */
export function kukeAdminEnv(
  env: RunnerEnv,
  o: { socket: string; group: string; extra?: NodeJS.ProcessEnv },
): NodeJS.ProcessEnv {
  const cniBin = ['/usr/lib/cni', '/opt/cni/bin'].filter((d) => existsSync(d));
  return kukeClientEnv(env, {
    ...hostConfigEnv(env.config),
    KUKEON_CNI_BIN_DIR: (cniBin.length ? cniBin : [join(env.dir, 'cni-bin')]).join(':'),
    KUKEOND_SOCKET: o.socket,
    KUKEOND_CONFIGURATION: join(env.dir, 'kukeond.yaml'),
    KUKEON_GROUP: o.group,
    KUKEON_INIT_DAEMON: 'process',
    KUKEON_HOST: `unix://${o.socket}`,
    ...o.extra,
  });
}
