import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerSpecInput } from './container-spec-input.js';
import {
  SPEC_HASH_LABEL,
  SPEC_HASH_VERSION,
  SPEC_HASH_VERSION_LABEL,
  decideSpecHash,
  diffSpecHashDomain,
  specHash,
  specHashDomain,
  specHashLabels,
} from './spec-hash.js';

const input: ContainerSpecInput = {
  role: 'workload',
  containerdId: 's_st_c_web',
  namespace: 'r.kukeon.io',
  image: 'docker.io/library/busybox:latest',
  imageConfig: { Cmd: ['sh'] },
  command: 'sleep',
  args: ['1000'],
  env: ['A=1'],
};

describe('spec hash', () => {
  it('is a stable sha256 hex and labelled with our domain version', () => {
    assert.match(specHash(input), /^[0-9a-f]{64}$/);
    assert.equal(specHash(input), specHash(structuredClone(input)));
    assert.deepEqual(specHashLabels(input), {
      [SPEC_HASH_LABEL]: specHash(input),
      [SPEC_HASH_VERSION_LABEL]: SPEC_HASH_VERSION,
    });
  });
  it('changes with every user-intent field that reaches the spec', () => {
    const h = specHash(input);
    const changes: Partial<ContainerSpecInput>[] = [
      { image: 'other' },
      { command: 'sh' },
      { args: ['2'] },
      { workingDir: '/w' },
      { env: ['A=2'] },
      { defaultEnv: ['KUKEON_SPACE=s'] },
      { secretEnv: ['TOKEN=x'] },
      { user: '1000' },
      { privileged: true },
      { readOnlyRootFilesystem: true },
      { capabilities: { add: ['NET_ADMIN'] } },
      { capabilities: { drop: ['ALL'] } },
      { securityOpts: ['no-new-privileges=false'] },
      { tmpfs: [{ path: '/t' }] },
      { volumes: [{ source: '/a', target: '/a' }] },
      { devices: ['/dev/kvm'] },
      { resources: { memoryLimitBytes: 1 } },
      { resources: { cpuShares: 2 } },
      { resources: { pidsLimit: 3 } },
      { hostNetwork: true },
      { hostPID: true },
      { hostCgroup: true },
      { nestedCgroupRuntime: true },
      { annotations: { a: 'b' } },
      { role: 'root' },
      { terminal: true },
      { supplementaryGids: [4242] },
    ];
    const seen = new Set([h]);
    for (const c of changes) {
      const other = specHash({ ...input, ...c });
      assert.notEqual(other, h, JSON.stringify(c));
      seen.add(other);
    }
    assert.equal(seen.size, changes.length + 1);
  });
  it('ignores what kukeon derives or the host decides (no drift we cause)', () => {
    const h = specHash(input);
    const same: Partial<ContainerSpecInput>[] = [
      { imageConfig: { Cmd: ['other'], Env: ['X=1'] } },
      { namespace: 'elsewhere' },
      { cellCgroupPath: '/kukeon/r/s/st/c' },
      { etcHostsPath: '/a', etcHostnamePath: '/b', etcResolvConfPath: '/c' },
      { joinNamespaces: { network: '/proc/1/ns/net', uts: '/proc/1/ns/uts' } },
      { cniConfigPath: '/x.conflist' },
      { kukeonGroupGid: 990 },
      { identityEnv: ['KUKEON_CELL_NAME=c', 'KUKEON_CGROUP_PATH=/elsewhere/c'] },
      { defaultMemoryLimitBytes: 1 << 30 },
      { runtimeEnv: ['RUN=1'] },
      { hostname: 'ignored-for-workloads' },
    ];
    for (const c of same) assert.equal(specHash({ ...input, ...c }), h, JSON.stringify(c));
  });
  it('secret values never enter the domain, only their keys', () => {
    assert.equal(
      specHash({ ...input, secretEnv: ['TOKEN=a'] }),
      specHash({ ...input, secretEnv: ['TOKEN=b'] }),
    );
    assert.ok(
      !JSON.stringify(specHashDomain({ ...input, secretEnv: ['TOKEN=hunter2'] })).includes('hunter2'),
    );
  });
  it('normalises equivalent inputs', () => {
    const h = specHash(input);
    assert.equal(specHash({ ...input, capabilities: {} }), h);
    assert.equal(specHash({ ...input, resources: { memoryLimitBytes: 0 } }), h);
    assert.equal(specHash({ ...input, env: ['A=0', 'A=1'] }), specHash({ ...input, env: ['A=1'] }));
    assert.equal(
      specHash({ ...input, capabilities: { add: ['net_admin', 'sys_time'] } }),
      specHash({ ...input, capabilities: { add: ['CAP_SYS_TIME', 'CAP_NET_ADMIN'] } }),
    );
    assert.equal(
      specHash({ ...input, nestedCgroupRuntime: true, hostCgroup: true }),
      specHash({ ...input, hostCgroup: true }),
    );
    assert.equal(
      specHash({ ...input, volumes: [{ kind: 'volume', source: '/a', target: '/a' }] }),
      specHash({ ...input, volumes: [{ source: '/a', target: '/a' }] }),
    );
    assert.equal(
      specHash({ ...input, role: 'root' }),
      specHash({ ...input, role: 'root', hostname: input.containerdId }),
    );
  });
  it('reuse decision (with our version)', () => {
    const h = specHash(input);
    assert.deepEqual(decideSpecHash(undefined, h), { action: 'reuse' });
    assert.deepEqual(decideSpecHash({}, h), { action: 'restamp' });
    assert.deepEqual(decideSpecHash({ [SPEC_HASH_VERSION_LABEL]: '4', [SPEC_HASH_LABEL]: 'old' }, h), {
      action: 'restamp',
    });
    assert.deepEqual(decideSpecHash(specHashLabels(input), h), { action: 'reuse' });
    assert.deepEqual(decideSpecHash({ [SPEC_HASH_VERSION_LABEL]: SPEC_HASH_VERSION }, h), {
      action: 'reuse',
    });
    assert.deepEqual(
      decideSpecHash({ [SPEC_HASH_VERSION_LABEL]: SPEC_HASH_VERSION, [SPEC_HASH_LABEL]: 'x' }, h),
      {
        action: 'drift',
        stored: 'x',
        desired: h,
      },
    );
  });
  it('names the fields that changed', () => {
    assert.deepEqual(diffSpecHashDomain(input, { ...input, runtimeEnv: ['X=1'] }), []);
    assert.deepEqual(diffSpecHashDomain(input, { ...input, resources: { memoryLimitBytes: 5 } }), [
      'resources',
    ]);
    assert.deepEqual(diffSpecHashDomain(input, { ...input, user: '1', env: ['A=2'] }), ['env', 'user']);
  });
});
