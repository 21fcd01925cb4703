import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DaemonSettings } from './daemon-settings.js';

/** The commented ServerConfiguration a first run writes, holding the values it resolved. */
export function defaultConfigurationText(s: DaemonSettings): string {
  const interval = s.reconcileIntervalMs === 0 ? '0' : `${s.reconcileIntervalMs / 1000}s`;
  return [
    '# kukeond server configuration (written on first start with the values then in effect).',
    '# Precedence: command-line flag > environment variable > this file > built-in default.',
    'apiVersion: v1beta1',
    'kind: ServerConfiguration',
    'metadata:',
    '  name: default',
    'spec:',
    `  socket: ${s.socket}`,
    `  socketGID: ${s.socketGid} # >0: socket group, mode 0660; 0: mode 0600`,
    `  runPath: ${s.runPath}`,
    `  containerdSocket: ${s.containerdSocket}`,
    `  logLevel: ${s.logLevel}`,
    `  reconcileInterval: ${interval} # Go duration; 0 disables the loop`,
    `  containerdNamespaceSuffix: ${s.namespaceSuffix} # realm "x" → containerd namespace "x.<suffix>"`,
    `  cgroupRoot: ${s.cgroupRoot}`,
    `  podSubnetCIDR: ${s.podSubnetCidr} # split into one /24 per space`,
    `  defaultMemoryLimitBytes: ${s.defaultMemoryLimitBytes} # memory limit of containers that set none; 0: none`,
    `  metricsAddress: "${s.metricsAddress ?? ''}" # host:port of GET /metrics (Prometheus); empty: off`,
    `  httpAddress: "${s.httpAddress ?? ''}" # host:port of the read-only web view; empty: off`,
    `  httpToken: "" # bearer token of the web view; required unless httpAddress is loopback`,
    `  registryCertsDir: ${s.registryCertsDir} # a registry's CA: <dir>/<host[:port]>/ca.crt`,
    `  insecureRegistries: [${s.insecureRegistries.map((h) => JSON.stringify(h)).join(', ')}] # host[:port] reached over plain HTTP or unverified TLS`,
    '',
  ].join('\n');
}

/**
 * First run: when the daemon runs with the default configuration path and no file is
 * there, write one (mode 0600, parent 0750). Never overwrites: `wx` fails on an existing file.
 * Returns true when it wrote the file.
 */
export async function writeDefaultConfiguration(path: string, s: DaemonSettings): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true, mode: 0o750 });
  try {
    await writeFile(path, defaultConfigurationText(s), { mode: 0o600, flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}
