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
  try {
    for (const r of await runner.listRealms()) await runner.purgeRealm(r.metadata.name, { cascade: true });
    for (const name of also) await runner.purgeRealm(name, { cascade: true });
    await runner.recoverIntents();
    await runner.ctx.cgroups.remove(`/${env.config.cgroupRoot}`, { force: true });
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
