import assert from 'node:assert/strict';
import { Runner } from '../../src/runner/runner.js';
import { snapshotHost, type HostSnapshot } from './host-snapshot.js';
import type { RunnerEnv } from './runner-env.js';

/**
 * The after-hook of a test whose kukeond or runner made realms: purge every realm (and `also`,
 * realms whose metadata the test itself removed), finish what intents are left, remove the cgroup
 * root, then assert the host is back to `baseline` (empty journal directories and named netns
 * aside) and release the environment.
 */
export async function purgeAndCheckHost(
  env: RunnerEnv,
  baseline: HostSnapshot,
  also: readonly string[] = [],
): Promise<void> {
  const runner = await Runner.open(env.config);
  // A shim closing under load (`ttrpc: closed`) can fail one purge; a second one finishes it.
  const purge = (name: string) =>
    runner.purgeRealm(name, { cascade: true }).catch(() => runner.purgeRealm(name, { cascade: true }));
  try {
    try {
      for (const r of await runner.listRealms()) await purge(r.metadata.name);
      for (const name of also) await purge(name);
      await runner.recoverIntents();
    } finally {
      // Even when a purge failed for good, the cgroup tree goes (no empty groups left behind).
      await runner.ctx.cgroups.remove(`/${env.config.cgroupRoot}`, { force: true });
    }
    const mine = (s: HostSnapshot) => ({
      ...s,
      journal: s.journal.filter((j) => !j.endsWith('/')),
      netns: [],
    });
    assert.deepEqual(
      mine(snapshotHost(env.config)),
      mine(baseline),
      'host back to its state before the test',
    );
  } finally {
    runner.close();
    env.cleanup();
  }
}
