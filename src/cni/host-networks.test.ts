import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpv4Cidr } from '../model/naming/index.js';
import { networkOf, networksOverlap, parseAddresses, parseRoutes } from './host-networks.js';

// Shapes of iproute2 6.x JSON output.
const ADDR = JSON.stringify([
  { ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] },
  { ifname: 'podman0', addr_info: [{ family: 'inet', local: '10.88.0.1', prefixlen: 16 }] },
  { ifname: 'eth0', addr_info: [{ family: 'inet6', local: 'fe80::1', prefixlen: 64 }] },
]);
const ROUTES = JSON.stringify([
  { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
  { dst: '192.0.2.0/24', dev: 'eth0' },
  { dst: '10.9.9.9', dev: 'tun0' },
  { dst: '10.7.0.0/16', type: 'blackhole' },
]);

describe('host networks', () => {
  it('reads address subnets and routes (not the default route)', () => {
    const show = (l: { network: Parameters<typeof formatIpv4Cidr>[0]; source: string }[]) =>
      l.map((h) => `${formatIpv4Cidr(h.network)} ${h.source}`);
    assert.deepEqual(show(parseAddresses(ADDR)), [
      '127.0.0.0/8 address 127.0.0.1/8 on lo',
      '10.88.0.0/16 address 10.88.0.1/16 on podman0',
    ]);
    assert.deepEqual(show(parseRoutes(ROUTES)), [
      '192.0.2.0/24 route 192.0.2.0/24 dev eth0',
      '10.9.9.9/32 route 10.9.9.9 dev tun0',
    ]);
  });
  it('overlap is containment either way', () => {
    const n = (a: string, p: number) => networkOf(a, p)!;
    assert.equal(networksOverlap(n('10.88.0.1', 16), n('10.88.5.0', 24)), true);
    assert.equal(networksOverlap(n('10.88.5.0', 24), n('10.88.0.0', 16)), true);
    assert.equal(networksOverlap(n('10.88.5.7', 32), n('10.88.5.0', 24)), true);
    assert.equal(networksOverlap(n('10.89.0.0', 16), n('10.88.5.0', 24)), false);
    assert.equal(networkOf('10.88.0.300', 16), undefined);
  });
});
