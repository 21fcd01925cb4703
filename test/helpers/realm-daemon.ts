/**
 * A kukeond child with one realm (spaces `web`, stack `api`) and the busybox test image loaded,
 * for e2e tests that drive a real daemon over its socket and with the `kuke` CLI; `stop` purges
 * the realm and checks the host is as it was.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DaemonClient } from '../../src/client/daemon-client.js';
import { hostConfigEnv } from '../../src/cli/host-config-from-settings.js';
import type { AnyMethodName, MethodArgs, MethodReply } from '../../src/protocol/method-types.js';
import { testImages } from '../../scripts/make-test-images.js';
import { b64, scopeYaml } from './fault-docs.js';
import { snapshotHost } from './host-snapshot.js';
import { startKukeond, type KukeondChild } from './kukeond-child.js';
import { purgeAndCheckHost } from './purge-and-check.js';
import { kukeClientEnv, runnerEnv, type RunnerEnv } from './runner-env.js';

const kuke = fileURLToPath(new URL('../../src/cli/kuke.js', import.meta.url));

export interface RealmDaemon {
  env: RunnerEnv;
  daemon: KukeondChild;
  call<M extends AnyMethodName>(m: M, a: MethodArgs<M>): Promise<MethodReply<M> & { Err: null }>;
  /** Runs `kuke` against the daemon; waits for it to exit. */
  kuke(args: string[]): { code: number | null; out: string; err: string };
  /** The environment a `kuke` child needs to reach the daemon (for spawned, long-running ones). */
  kukeEnv(): NodeJS.ProcessEnv;
  kukePath: string;
  /** Stops the daemon, purges the realm, removes the cgroup root, checks nothing is left. */
  stop(): Promise<void>;
}

export async function startRealmDaemon(
  name: string,
  realm: string,
  interval: string,
  extraFlags: string[] = [],
  /** Environment of kukeond besides this process's (e.g. NODE_EXTRA_CA_CERTS). */
  extraEnv: Record<string, string> = {},
): Promise<RealmDaemon> {
  const env = runnerEnv(name);
  const baseline = snapshotHost(env.config);
  const daemon = await startKukeond(env.config, env.dir, interval, extraFlags, extraEnv);
  const client = new DaemonClient({ socketPath: env.config.daemonSocket });
  const call = <M extends AnyMethodName>(m: M, a: MethodArgs<M>) =>
    client.call<MethodReply<M> & { Err: null }>(m, a);
  const kukeEnv = () =>
    kukeClientEnv(env, { KUKEON_HOST: `unix://${env.config.daemonSocket}`, ...hostConfigEnv(env.config) });
  await call('ApplyDocuments', { RawYAML: b64(scopeYaml(realm)), Team: '' });
  await call('LoadImage', { RealmName: realm, Path: testImages().images.busybox.file });
  return {
    env,
    daemon,
    call,
    kukeEnv,
    kukePath: kuke,
    kuke: (args) => {
      const r = spawnSync(process.execPath, [kuke, ...args], {
        env: kukeEnv(),
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    },
    stop: async () => {
      client.close();
      if (daemon.alive()) await daemon.stop();
      await purgeAndCheckHost(env, baseline);
    },
  };
}
