import { ErrorCode } from '../../error-codes.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { egressChainName } from '../../model/naming/index.js';
import { egressContext } from './egress-context.js';
import { isSpaceEgressChain, spaceEgressChain } from './egress-names.js';

describe('egress names', () => {
  it('defaults are the spec names and the space chain is the naming helper', () => {
    const ctx = egressContext({ bridgePrefix: 'k-' });
    assert.equal(ctx.rootChain, 'KUKEON-EGRESS');
    assert.equal(ctx.forwardChain, 'KUKEON-FORWARD');
    assert.equal(ctx.bridgeWildcard, 'k-+');
    assert.equal(spaceEgressChain(ctx, 'main', 'blog'), egressChainName('main', 'blog'));
  });
  it('a configured prefix keeps the hash', () => {
    const ctx = egressContext({ bridgePrefix: 'kt1-', egressChainPrefix: 'KT1-EGR-' });
    const chain = spaceEgressChain(ctx, 'main', 'blog');
    assert.equal(chain, 'KT1-EGR-' + egressChainName('main', 'blog').slice('KUKE-EGR-'.length));
    assert.ok(isSpaceEgressChain(ctx, chain));
    assert.ok(!isSpaceEgressChain(ctx, egressChainName('main', 'blog')), 'other prefix is not ours');
    assert.ok(!isSpaceEgressChain(ctx, 'KT1-EGR-1234567'), 'exactly 8 hex digits');
    assert.ok(!isSpaceEgressChain(ctx, 'KT1-EGR-1234567G'));
  });
  it('unusable chain names are refused up front', () => {
    for (const cfg of [
      { egressChain: 'A'.repeat(29) },
      { egressChainPrefix: 'P'.repeat(21) },
      { forwardChain: 'has space' },
      { forwardChain: '-x' },
    ]) {
      assert.throws(
        () => egressContext({ bridgePrefix: 'k-', ...cfg }),
        (e) => hasCode(e, ErrorCode.EGRESS_INVALID_CHAIN_NAME),
      );
    }
  });
});

describe('default chain names follow the bridge prefix', () => {
  it('another bridge prefix gets chains of its own', () => {
    const ctx = egressContext({ bridgePrefix: 'kt42-' });
    assert.deepEqual(
      [ctx.rootChain, ctx.chainPrefix, ctx.forwardChain],
      ['KT42-EGRESS', 'KT42-EGR-', 'KT42-FORWARD'],
    );
    assert.equal(ctx.bridgeWildcard, 'kt42-+');
    assert.notEqual(spaceEgressChain(ctx, 'a', 'b'), egressChainName('a', 'b'));
  });
});
