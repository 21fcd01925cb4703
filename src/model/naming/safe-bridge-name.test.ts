import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../../errors.js';
import { egressChainName, egressCommentTag } from './egress-chain-name.js';
import { fnv1a32, fnv1a32Hex } from './fnv1a32.js';
import { networkName } from './network-name.js';
import { safeBridgeName } from './safe-bridge-name.js';

test('FNV-1a-32 reference values', () => {
  // Published FNV test vectors.
  assert.equal(fnv1a32(''), 0x811c9dc5);
  assert.equal(fnv1a32('a'), 0xe40c292c);
  assert.equal(fnv1a32('foobar'), 0xbf9cf968);
  assert.equal(fnv1a32Hex(''), '811c9dc5');
});

test('SafeBridgeName spec vectors', () => {
  assert.equal(safeBridgeName('default-default'), 'k-703e8b3a');
  assert.equal(safeBridgeName('kuke-system-kukeon'), 'k-082023b5');
  assert.equal(safeBridgeName('main-blog'), 'k-da500047');
  assert.equal(safeBridgeName(networkName('default', 'default')), 'k-703e8b3a');
});

test('SafeBridgeName: empty in, empty out; always 10 chars with the default prefix', () => {
  assert.equal(safeBridgeName(''), '');
  for (const n of ['a', 'x'.repeat(300), 'ünïcode-spaceé']) {
    assert.match(safeBridgeName(n), /^k-[0-9a-f]{8}$/);
  }
});

test('prefix comes from configuration and must keep names within 15 chars', () => {
  assert.equal(safeBridgeName('default-default', 'kt-'), 'kt-703e8b3a');
  assert.equal(safeBridgeName('main-blog', 'kuktest'), 'kuktestda500047');
  assert.throws(
    () => safeBridgeName('main-blog', 'kuktest1'),
    (e) => hasCode(e, 'INVALID_BRIDGE_PREFIX'),
  );
  assert.throws(
    () => safeBridgeName('main-blog', 'a/'),
    (e) => hasCode(e, 'INVALID_BRIDGE_PREFIX'),
  );
});

test('egress chain and comment tag', () => {
  assert.equal(egressChainName('default', 'default'), 'KUKE-EGR-af3172d4');
  assert.equal(egressCommentTag('default', 'default'), 'kukeon:default:default');
});
