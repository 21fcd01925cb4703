import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GC_EXPIRE_LABEL, gcExpireValue } from '../containerd/leases.js';
import { PULL_LEASE_LABEL } from '../images/pull-resume.js';
import {
  LEASE_OWNER_LABEL,
  leaseAbandoned,
  ownedLeaseLabels,
  pullLeaseAwaitingRetry,
} from './lease-owner.js';

test('leaseAbandoned: our own lease is not, a dead or reused pid is, an unmarked lease is not ours', () => {
  assert.equal(leaseAbandoned(ownedLeaseLabels()), false);
  assert.equal(leaseAbandoned({ [LEASE_OWNER_LABEL]: `${process.pid}@1` }), true, 'pid reused');
  assert.equal(leaseAbandoned({ [LEASE_OWNER_LABEL]: '0@0' }), true);
  assert.equal(leaseAbandoned({}), false);
});

test('pullLeaseAwaitingRetry: a pull lease before its expiry waits; after it, or without one, it does not', () => {
  const now = Date.parse('2026-12-07T20:00:00Z');
  const pull = (at: string): Record<string, string> => ({
    [PULL_LEASE_LABEL]: 'r/x:1',
    [GC_EXPIRE_LABEL]: at,
  });
  assert.equal(pullLeaseAwaitingRetry(pull(gcExpireValue(new Date(now + 1000))), now), true);
  assert.equal(pullLeaseAwaitingRetry(pull(gcExpireValue(new Date(now - 1000))), now), false);
  assert.equal(pullLeaseAwaitingRetry({ [PULL_LEASE_LABEL]: 'r/x:1' }, now), false, 'no expiry: not kept');
  assert.equal(
    pullLeaseAwaitingRetry({ [GC_EXPIRE_LABEL]: gcExpireValue(new Date(now + 1000)) }, now),
    false,
    'not a pull',
  );
});
