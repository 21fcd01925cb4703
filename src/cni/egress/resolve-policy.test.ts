import { ErrorCode } from '../../error-codes.js';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { canonicalCidr, resolveEgressPolicy } from './resolve-policy.js';

const table: Record<string, string[]> = {
  'two.test': ['192.0.2.9', '192.0.2.1', '192.0.2.9', '2001:db8::1'],
  'v6only.test': ['2001:db8::2'],
};
const resolver = async (h: string): Promise<string[]> => {
  if (h in table) return table[h];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${h}`), { code: 'ENOTFOUND' });
};

describe('resolveEgressPolicy', () => {
  it('no policy is admit-all', async () => {
    assert.deepEqual(await resolveEgressPolicy(undefined, resolver), { default: 'allow', rules: [] });
  });

  it('normalises default and ports, resolves hosts to sorted unique IPv4 /32s', async () => {
    const p = await resolveEgressPolicy(
      { default: ' DENY ', allow: [{ cidr: '10.0.0.0/8' }, { host: 'two.test', ports: [443, 80, 443] }] },
      resolver,
    );
    assert.equal(p.default, 'deny');
    assert.deepEqual(p.rules, [
      { index: 0, label: 'cidr=10.0.0.0/8', destinations: ['10.0.0.0/8'], ports: [] },
      { index: 1, label: 'host=two.test', destinations: ['192.0.2.1/32', '192.0.2.9/32'], ports: [80, 443] },
    ]);
  });

  it('a lookup failure or no IPv4 result is EGRESS_RESOLVE_FAILED naming the rule', async () => {
    await assert.rejects(
      resolveEgressPolicy(
        { default: 'deny', allow: [{ cidr: '10.0.0.0/8' }, { host: 'nope.test' }] },
        resolver,
      ),
      (e) =>
        hasCode(e, ErrorCode.EGRESS_RESOLVE_FAILED) &&
        /rule 1: cannot resolve host "nope.test"/.test((e as Error).message),
    );
    await assert.rejects(
      resolveEgressPolicy({ allow: [{ host: 'v6only.test' }] }, resolver),
      (e) => hasCode(e, ErrorCode.EGRESS_RESOLVE_FAILED) && /no IPv4/.test((e as Error).message),
    );
  });

  it('an invalid policy is EGRESS_INVALID_POLICY and the resolver is never asked', async () => {
    let asked = 0;
    const counting = async (h: string): Promise<string[]> => {
      asked++;
      return resolver(h);
    };
    for (const bad of [
      { default: 'maybe' },
      { allow: [{ host: 'two.test', cidr: '10.0.0.0/8' }] },
      { allow: [{ cidr: '10.0.0.0/33' }] },
      { allow: [{ host: 'two.test' }, { host: 'a..b' }] },
      { allow: [{ cidr: '10.0.0.0/8', ports: [0] }] },
    ]) {
      await assert.rejects(resolveEgressPolicy(bad, counting), (e) =>
        hasCode(e, ErrorCode.EGRESS_INVALID_POLICY),
      );
    }
    assert.equal(asked, 0);
  });
});

describe('canonicalCidr', () => {
  it('clears host bits the way iptables stores the destination', () => {
    assert.equal(canonicalCidr('10.0.0.5/24'), '10.0.0.0/24');
    assert.equal(canonicalCidr('192.168.1.77/32'), '192.168.1.77/32');
    assert.equal(canonicalCidr('255.255.255.255/1'), '128.0.0.0/1');
    assert.equal(canonicalCidr('8.8.8.8/0'), '0.0.0.0/0');
    assert.equal(canonicalCidr('172.16.5.4/12'), '172.16.0.0/12');
  });
  it('the comment keeps what the user wrote', async () => {
    const p = await resolveEgressPolicy({ allow: [{ cidr: '10.1.2.3/16' }] }, async () => []);
    assert.deepEqual(p.rules[0], {
      index: 0,
      label: 'cidr=10.1.2.3/16',
      destinations: ['10.1.0.0/16'],
      ports: [],
    });
  });
});
