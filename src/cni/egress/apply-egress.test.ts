import { ErrorCode } from '../../error-codes.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { applyEgress, removeEgress } from './apply-egress.js';
import { egressContext } from './egress-context.js';

/**
 * Paths that never reach iptables: bad input and a host without iptables (PATH emptied for the
 * duration, so nothing on this machine is touched). The iptables paths are in
 * test/e2e/egress-policy.test.ts.
 */
describe('applyEgress without touching iptables', () => {
  const ctx = egressContext(
    {
      bridgePrefix: `ku${process.pid}-`,
      egressChain: 'UNIT-EGRESS',
      egressChainPrefix: 'UNIT-EGR-',
      forwardChain: 'UNIT-FWD',
    },
    { resolve: async () => [] },
  );
  const params = { realm: 'r', space: 's', bridge: 'ku-00000000' };

  async function withoutIptables<T>(fn: () => Promise<T>): Promise<T> {
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent-kukeon-egress-test';
    try {
      return await fn();
    } finally {
      process.env.PATH = saved;
    }
  }

  it('an invalid policy or an unresolvable host fails before any command runs', async () => {
    await withoutIptables(async () => {
      await assert.rejects(applyEgress(ctx, { ...params, policy: { default: 'nope' } }), (e) =>
        hasCode(e, ErrorCode.EGRESS_INVALID_POLICY),
      );
      await assert.rejects(applyEgress(ctx, { ...params, policy: { allow: [{ host: 'x.test' }] } }), (e) =>
        hasCode(e, ErrorCode.EGRESS_RESOLVE_FAILED),
      );
    });
  });

  it('no iptables: an admit-all policy is skipped, a restrictive one is an error (never silently unenforced)', async () => {
    await withoutIptables(async () => {
      const out = await applyEgress(ctx, { ...params, policy: undefined });
      assert.equal(out.skipped, true);
      assert.match(out.chain, /^UNIT-EGR-[0-9a-f]{8}$/);
      await assert.rejects(applyEgress(ctx, { ...params, policy: { default: 'deny' } }), (e) =>
        hasCode(e, ErrorCode.EGRESS_APPLY_FAILED),
      );
      const allowWithRules = await applyEgress(ctx, {
        ...params,
        policy: { default: 'allow', allow: [{ cidr: '10.0.0.0/8' }] },
      });
      assert.equal(allowWithRules.skipped, true, 'allow default admits everything anyway');
      assert.deepEqual(await removeEgress(ctx, { realm: 'r', space: 's' }), {
        chain: out.chain,
        existed: false,
      });
    });
  });
});
