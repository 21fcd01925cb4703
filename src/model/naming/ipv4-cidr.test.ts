import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cidrContains, formatIpv4Cidr, parseIpv4Cidr } from './ipv4-cidr.js';

test('parse and format round-trip', () => {
  for (const c of ['10.88.0.0/16', '0.0.0.0/0', '255.255.255.255/32', '192.168.7.0/24']) {
    const parsed = parseIpv4Cidr(c);
    assert.ok(parsed, c);
    assert.equal(formatIpv4Cidr(parsed), c);
  }
  assert.equal(parseIpv4Cidr('10.88.0.0/16')?.network, 0x0a580000);
});

test('rejects malformed input and host bits', () => {
  for (const c of ['10.88.0.1/16', '10.88.0.0/33', '256.0.0.0/8', '10.88.0/16', 'x', '10.88.0.0/']) {
    assert.equal(parseIpv4Cidr(c), undefined, c);
  }
});

test('containment', () => {
  const pool = parseIpv4Cidr('10.88.0.0/16')!;
  assert.equal(cidrContains(pool, parseIpv4Cidr('10.88.255.0/24')!), true);
  assert.equal(cidrContains(pool, parseIpv4Cidr('10.89.0.0/24')!), false);
  assert.equal(cidrContains(pool, parseIpv4Cidr('10.0.0.0/8')!), false);
});
