import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatReport, runChaos } from '../chaos/chaos-harness.js';

/**
 * The small run of the fault-injection harness inside `npm test` (issue 8): 10 crashes — at
 * runner failpoints and by SIGKILL after a random delay — among random operations on 20 cells;
 * after each, recovery + sweep + reconcile must leave the host exactly as the metadata and the
 * user's completed requests say. `npm run chaos` runs the same harness with 100+ crashes.
 */
test(
  'chaos: 10 injected crashes leave 0 leaks, 0 lost, 0 resurrected and a clean host',
  { skip: process.getuid?.() !== 0 ? 'needs root (containerd, runc, CNI, cgroups)' : false },
  async (t) => {
    const seed = process.env.KUKEON_CHAOS_SEED ? Number(process.env.KUKEON_CHAOS_SEED) : undefined;
    const report = await runChaos({ crashes: 10, seed, log: (l) => t.diagnostic(l) });
    const summary = formatReport(report);
    t.diagnostic(summary);
    assert.equal(report.crashes, 10, summary);
    assert.ok(
      report.crashesAtFailpoint > 0 && report.crashesByTimer > 0,
      `both crash kinds injected\n${summary}`,
    );
    assert.ok(report.operations.ok > 20, `the workers did real work\n${summary}`);
    assert.deepEqual(report.leaks, [], summary);
    assert.deepEqual(report.lost, [], summary);
    assert.deepEqual(report.resurrected, [], summary);
    assert.deepEqual(report.inconsistent, [], summary);
    assert.deepEqual(report.cleanupLeaks, [], 'the final purge leaves nothing of ours');
  },
);
