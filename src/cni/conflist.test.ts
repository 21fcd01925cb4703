import { ErrorCode } from '../error-codes.js';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  buildSpaceConflist,
  describeConflist,
  parseConflist,
  readConflist,
  serializeConflist,
  writeConflistAtomic,
} from './conflist.js';
import { ensureSpaceConflist } from './ensure-conflist.js';
import { hasPerCellMasquerade } from './conflist.js';

const dir = mkdtempSync(join(tmpdir(), `kukeon-cni-conf-${process.pid}-`));
after(() => rmSync(dir, { recursive: true, force: true }));
const params = {
  networkName: 'default-default',
  bridgeName: 'k-703e8b3a',
  subnet: '10.88.0.0/24',
  ipamDataDir: '/x/ipam',
};

describe('space conflist', () => {
  it('has the shape of docs/cni.md plus an explicit host-local dataDir, without the per-cell ipMasq', () => {
    assert.deepEqual(buildSpaceConflist(params), {
      cniVersion: '0.4.0',
      name: 'default-default',
      plugins: [
        {
          type: 'bridge',
          bridge: 'k-703e8b3a',
          isGateway: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: '10.88.0.0/24' }]],
            routes: [{ dst: '0.0.0.0/0' }],
            dataDir: '/x/ipam',
          },
        },
        { type: 'portmap', capabilities: { portMappings: true }, snat: true },
        { type: 'loopback' },
      ],
    });
    assert.ok(
      serializeConflist(buildSpaceConflist(params)).startsWith('{\n  "cniVersion": "0.4.0",\n  "name"'),
    );
  });

  it('rejects bad inputs', () => {
    assert.throws(() => buildSpaceConflist({ ...params, bridgeName: 'a-bridge-name-too-long' }), {
      code: ErrorCode.CNI_INVALID_ARGUMENT,
    });
    assert.throws(() => buildSpaceConflist({ ...params, subnet: '10.88.0.0/33' }), {
      code: ErrorCode.CNI_INVALID_ARGUMENT,
    });
    assert.throws(() => buildSpaceConflist({ ...params, networkName: '-bad' }), {
      code: ErrorCode.CNI_INVALID_ARGUMENT,
    });
  });

  it('parses and describes, rejecting malformed lists', () => {
    const list = parseConflist(serializeConflist(buildSpaceConflist(params)));
    assert.deepEqual(describeConflist(list), {
      bridge: 'k-703e8b3a',
      subnet: '10.88.0.0/24',
      ipamDataDir: '/x/ipam',
    });
    for (const bad of [
      '{',
      '[]',
      '{"name":"a","cniVersion":"0.4.0"}',
      '{"name":"a","cniVersion":"0.4.0","plugins":[{}]}',
    ]) {
      assert.throws(() => parseConflist(bad), { code: ErrorCode.CNI_INVALID_CONFIG }, bad);
    }
  });

  it('is written atomically, 0600 in a 0750 directory, leaving no temp file', async () => {
    const path = join(dir, 'atomic', 'r', 's', 'network.conflist');
    await writeConflistAtomic(path, buildSpaceConflist(params));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir, 'atomic', 'r', 's')).mode & 0o777, 0o750);
    assert.deepEqual(readdirSync(join(dir, 'atomic', 'r', 's')), ['network.conflist']);
    assert.equal((await readConflist(path)).list.name, 'default-default');
    await assert.rejects(readConflist(join(dir, 'nope.conflist')), { code: ErrorCode.CNI_NETWORK_NOT_FOUND });
  });
});

describe('ensureSpaceConflist regeneration rules', () => {
  const path = join(dir, 'ensure', 'network.conflist');
  const seen: (string | undefined)[] = [];
  const base = {
    path,
    networkName: 'r1-s1',
    bridgeName: 'k-aaaaaaaa',
    ipamDataDir: '/x/ipam',
    subnetFor: (prev: string | undefined) => {
      seen.push(prev);
      return prev ?? '10.88.5.0/24';
    },
  };

  it('creates a missing file, then leaves a good one alone', async () => {
    const a = await ensureSpaceConflist(base);
    assert.equal(a.action, 'created');
    assert.equal(a.reason, 'missing');
    assert.equal(a.subnet, '10.88.5.0/24');
    const before = statSync(path).mtimeMs;
    const b = await ensureSpaceConflist(base);
    assert.equal(b.action, 'unchanged');
    assert.equal(b.subnet, '10.88.5.0/24');
    assert.equal(statSync(path).mtimeMs, before);
  });

  it('regenerates on force, keeping the old subnet on offer', async () => {
    seen.length = 0;
    const r = await ensureSpaceConflist({ ...base, force: true });
    assert.equal(r.action, 'regenerated');
    assert.equal(r.reason, 'forced');
    assert.deepEqual(seen, ['10.88.5.0/24']);
  });

  it('regenerates when the bridge differs, and the new file names the new bridge', async () => {
    const r = await ensureSpaceConflist({ ...base, bridgeName: 'k-bbbbbbbb' });
    assert.equal(r.reason, 'bridge-mismatch');
    assert.equal(describeConflist((await readConflist(path)).list).bridge, 'k-bbbbbbbb');
  });

  it('regenerates when the bridge plugin is missing', async () => {
    writeFileSync(
      path,
      JSON.stringify({ cniVersion: '0.4.0', name: 'r1-s1', plugins: [{ type: 'loopback' }] }),
    );
    const r = await ensureSpaceConflist(base);
    assert.equal(r.reason, 'bridge-plugin-missing');
    assert.equal(describeConflist((await readConflist(path)).list).bridge, 'k-aaaaaaaa');
  });

  it('regenerates a JSON object with our name but no usable plugin list', async () => {
    writeFileSync(path, JSON.stringify({ name: 'r1-s1', plugins: 'nope' }));
    const r = await ensureSpaceConflist(base);
    assert.equal(r.reason, 'bridge-plugin-missing');
    assert.equal((await readConflist(path)).list.plugins.length, 3);
  });

  it('rewrites a conflist written before ports were published, keeping its subnet', async () => {
    const old = buildSpaceConflist({
      ...params,
      networkName: 'r1-s1',
      bridgeName: 'k-aaaaaaaa',
      subnet: '10.88.7.0/24',
    });
    writeFileSync(path, JSON.stringify({ ...old, plugins: old.plugins.filter((p) => p.type !== 'portmap') }));
    seen.length = 0;
    const r = await ensureSpaceConflist(base);
    assert.equal(r.reason, 'portmap-missing');
    assert.equal(r.subnet, '10.88.7.0/24');
    assert.ok((await readConflist(path)).list.plugins.some((p) => p.type === 'portmap'));
    assert.equal((await ensureSpaceConflist(base)).action, 'unchanged');
  });

  it('rewrites a conflist written with the per-cell masquerade (ipMasq), keeping its subnet', async () => {
    const old = buildSpaceConflist({
      ...params,
      networkName: 'r1-s1',
      bridgeName: 'k-aaaaaaaa',
      subnet: '10.88.8.0/24',
    });
    const legacy = {
      ...old,
      plugins: old.plugins.map((p) => (p.type === 'bridge' ? { ...p, ipMasq: true } : p)),
    };
    assert.equal(hasPerCellMasquerade(legacy), true);
    writeFileSync(path, JSON.stringify(legacy));
    const r = await ensureSpaceConflist(base);
    assert.equal(r.reason, 'per-cell-masquerade');
    assert.equal(r.subnet, '10.88.8.0/24');
    assert.equal(hasPerCellMasquerade((await readConflist(path)).list), false);
    assert.equal((await ensureSpaceConflist(base)).action, 'unchanged');
  });

  it("overwrites another network's file without inheriting its subnet", async () => {
    await writeConflistAtomic(
      path,
      buildSpaceConflist({ ...params, networkName: 'other-net', subnet: '10.99.0.0/24' }),
    );
    seen.length = 0;
    const r = await ensureSpaceConflist(base);
    assert.equal(r.reason, 'name-mismatch');
    assert.deepEqual(seen, [undefined]);
    assert.equal((await readConflist(path)).list.name, 'r1-s1');
  });

  it('refuses to overwrite unparsable JSON', async () => {
    writeFileSync(path, '{ not json');
    await assert.rejects(ensureSpaceConflist(base), { code: ErrorCode.CNI_INVALID_CONFIG });
    assert.equal(readFileSync(path, 'utf8'), '{ not json');
  });
});
