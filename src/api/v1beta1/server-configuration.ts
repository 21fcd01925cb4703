/** ServerConfiguration: the kukeond config file. Not accepted by apply. */
import { z } from 'zod';
import { int, list, map, str, struct } from './fields.js';

export const serverConfigurationDocSchema = struct({
  apiVersion: str(),
  kind: str(),
  metadata: struct({ name: str(), labels: map(str(), 'omit') }),
  spec: struct({
    socket: str('omit'),
    socketGID: int('omit'),
    runPath: str('omit'),
    containerdSocket: str('omit'),
    logLevel: str('omit'),
    kukettyLogLevel: str('omit'),
    reconcileInterval: str('omit'),
    kukeondImage: str('omit'),
    containerdNamespaceSuffix: str('omit'),
    cgroupRoot: str('omit'),
    podSubnetCIDR: str('omit'),
    defaultMemoryLimitBytes: int('omit'),
    // Ours (docs/metrics.md): where GET /metrics is served; empty = off.
    metricsAddress: str('omit'),
    // Ours (docs/web-view.md): where the read-only web view is served; empty = off. Any address
    // but loopback needs httpToken, the bearer token a browser or client must present.
    httpAddress: str('omit'),
    httpToken: str('omit'),
    // Ours (docs/images.md, "Pulling"): per-registry CAs (`<dir>/<host[:port]>/ca.crt`) and the
    // registries that may be reached over plain HTTP or unverified TLS.
    registryCertsDir: str('omit'),
    insecureRegistries: list(str(), 'omit'),
  }),
});
export type ServerConfigurationDoc = z.output<typeof serverConfigurationDocSchema>;

export const serverConfigurationDefaults = {
  socket: '/run/kukeon/kukeond.sock',
  socketGID: 0,
  runPath: '/opt/kukeon',
  containerdSocket: '/run/containerd/containerd.sock',
  logLevel: 'info',
  kukettyLogLevel: 'info',
  reconcileInterval: '30s',
  kukeondImage: '',
  containerdNamespaceSuffix: 'kukeon.io',
  cgroupRoot: '/kukeon',
  podSubnetCIDR: '10.88.0.0/16',
  defaultMemoryLimitBytes: 0,
  metricsAddress: '',
  httpAddress: '',
  httpToken: '',
  registryCertsDir: '/etc/kukeon/certs.d',
  insecureRegistries: [] as string[],
} as const;
