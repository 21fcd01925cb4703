import { ErrorCode } from '../error-codes.js';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  IPAM_MARKER,
  listLeases,
  networkIpamDir,
  readIpamMarker,
  releaseLeases,
  writeIpamMarker,
} from './ipam-leases.js';

const root = mkdtempSync(join(tmpdir(), `kukeon-cni-ipam-${process.pid}-`));
after(() => rmSync(root, { recursive: true, force: true }));

describe('host-local leases', () => {
  const net = join(root, 'r-s');
  mkdirSync(net);
  writeFileSync(join(net, '10.0.0.2'), 'ctr1\r\neth0');
  writeFileSync(join(net, '10.0.0.3'), 'ctr12\r\neth0');
  writeFileSync(join(net, '10.0.0.4'), 'ctr1'); // old host-local format: no interface line
  writeFileSync(join(net, '10.0.0.5'), 'ctr1\r\neth1');
  writeFileSync(join(net, 'last_reserved_ip.0'), '10.0.0.5');
  writeFileSync(join(net, 'lock'), '');

  it('lists leases, skipping bookkeeping files', async () => {
    assert.deepEqual(
      (await listLeases(root, 'r-s')).map((l) => [l.ip, l.containerId, l.ifName]),
      [
        ['10.0.0.2', 'ctr1', 'eth0'],
        ['10.0.0.3', 'ctr12', 'eth0'],
        ['10.0.0.4', 'ctr1', ''],
        ['10.0.0.5', 'ctr1', 'eth1'],
      ],
    );
  });

  it('releases exactly the container/interface leases (not a container whose ID extends it)', async () => {
    assert.deepEqual(await releaseLeases(root, 'r-s', 'ctr1', 'eth0'), ['10.0.0.2', '10.0.0.4']);
    assert.deepEqual(readdirSync(net).sort(), ['10.0.0.3', '10.0.0.5', 'last_reserved_ip.0', 'lock']);
    assert.deepEqual(await releaseLeases(root, 'r-s', 'ctr1', 'eth0'), []);
    assert.deepEqual(await releaseLeases(root, 'missing-net', 'ctr1'), []);
  });

  it('writes a marker host-local ignores, and reads it back', async () => {
    await writeIpamMarker(root, { network: 'r-s', bridge: 'k-1', subnet: '10.0.0.0/24' });
    assert.deepEqual(await readIpamMarker(net), { network: 'r-s', bridge: 'k-1', subnet: '10.0.0.0/24' });
    assert.ok(existsSync(join(net, IPAM_MARKER)));
    assert.ok(!(await listLeases(root, 'r-s')).some((l) => l.ip === IPAM_MARKER));
    assert.equal(await readIpamMarker(join(root, 'nope')), undefined);
  });

  it('never builds a path outside the IPAM dir', () => {
    for (const bad of ['..', '../etc', 'a/b', '']) {
      assert.throws(() => networkIpamDir(root, bad), { code: ErrorCode.CNI_INVALID_ARGUMENT }, bad);
    }
  });
});
