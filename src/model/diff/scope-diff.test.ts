import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { diffRealm, diffSpace, diffStack } from './scope-diff.js';
import { diffStandaloneContainer } from './standalone-container-diff.js';
import { rejectMessage } from './change.js';
import type { Realm, Space, Stack } from '../resources.js';
import { spec } from './testdata.js';

const realm = (over: Partial<Realm['spec']> = {}, labels: Record<string, string> = {}): Realm => ({
  metadata: { name: 'lab', labels },
  spec: { namespace: 'lab.kukeon.io', ...over },
  status: { state: 'Ready', cgroupPath: '' },
});
const space = (over: Partial<Space['spec']> = {}, labels: Record<string, string> = {}): Space => ({
  metadata: { name: 'agents', labels },
  spec: { realmId: 'lab', cniConfigPath: '/opt/kukeon/data/lab/agents/network.conflist', ...over },
  status: { state: 'Ready', cgroupPath: '' },
});
const stack = (over: Partial<Stack['spec']> = {}): Stack => ({
  metadata: { name: 'web', labels: {} },
  spec: { id: 'web', realmId: 'lab', spaceId: 'agents', ...over },
  status: { state: 'Ready', cgroupPath: '' },
});

describe('realm diff', () => {
  it('unchanged; empty desired namespace is not a change', () => {
    assert.equal(diffRealm(realm(), realm()).class, 'unchanged');
    assert.equal(diffRealm(realm({ namespace: '' }), realm()).class, 'unchanged');
  });
  it('namespace change is rejected', () => {
    const d = diffRealm(realm({ namespace: 'x' }), realm());
    assert.equal(d.class, 'rejected');
    assert.equal(
      rejectMessage('Realm', 'lab', d),
      'realm "lab" has breaking changes: [spec.namespace]. Delete the realm and recreate it with the new spec',
    );
  });
  it('labels and registry credentials are compatible', () => {
    assert.equal(diffRealm(realm({}, { a: 'b' }), realm()).class, 'compatible');
    const d = diffRealm(realm({ registryCredentials: [{ username: 'u', password: 'p' }] }), realm());
    assert.deepEqual([d.class, d.changes[0].path], ['compatible', 'spec.registryCredentials']);
  });
  it('a manifest omitting managed labels is unchanged (they are preserved on update)', () => {
    assert.equal(diffRealm(realm(), realm({}, { 'realm.kukeon.io': 'lab.kukeon.io' })).class, 'unchanged');
  });
});

describe('space diff', () => {
  it('realm change and a different non-empty cniConfigPath are rejected', () => {
    assert.equal(diffSpace(space({ realmId: 'x' }), space()).class, 'rejected');
    assert.equal(diffSpace(space({ cniConfigPath: '/etc/cni/x.conflist' }), space()).class, 'rejected');
    assert.equal(diffSpace(space({ cniConfigPath: undefined }), space()).class, 'unchanged');
  });
  it('defaults and labels are compatible', () => {
    const d = diffSpace(space({ defaults: { container: { user: '1' } } }), space());
    assert.deepEqual(
      [d.class, d.changes[0].path, d.changes[0].action],
      ['compatible', 'spec.defaults.container', 'persist'],
    );
    assert.equal(diffSpace(space({}, { a: 'b' }), space()).changes[0].action, 'merge-labels');
  });
  it('egress changes are detected as compatible (the original ignored them)', () => {
    const d = diffSpace(space({ network: { egress: { default: 'deny' } } }), space());
    assert.deepEqual([d.class, d.changes[0].path], ['compatible', 'spec.network.egress']);
  });
  it('a changed cell isolation is compatible; unset and none are the same setting', () => {
    const d = diffSpace(space({ network: { isolation: 'cells' } }), space());
    assert.deepEqual([d.class, d.changes[0].path], ['compatible', 'spec.network.isolation']);
    assert.equal(diffSpace(space({ network: { isolation: 'None' } }), space()).class, 'unchanged');
  });
});

describe('stack diff', () => {
  it('realm/space changes are rejected; id change compatible; empty id ignored', () => {
    assert.equal(diffStack(stack({ realmId: 'x' }), stack()).class, 'rejected');
    assert.equal(diffStack(stack({ spaceId: 'x' }), stack()).class, 'rejected');
    assert.equal(diffStack(stack({ id: '' }), stack()).class, 'unchanged');
    assert.equal(diffStack(stack({ id: 'web2' }), stack()).class, 'compatible');
  });
});

describe('standalone Container diff', () => {
  it('breaking changes are rejected, never a cell recreate', () => {
    const d = diffStandaloneContainer(spec('a', { root: true, image: 'v2' }), spec('a', { root: true }));
    assert.equal(d.class, 'rejected');
    assert.equal(d.changes[0].action, 'reject');
    assert.equal(diffStandaloneContainer(spec('a', { hostNetwork: true }), spec('a')).class, 'rejected');
  });
  it('workload image change is compatible (recreate the container); parent refs are breaking', () => {
    const d = diffStandaloneContainer(spec('a', { image: 'v2' }), spec('a'));
    assert.deepEqual([d.class, d.changes[0].action], ['compatible', 'recreate-container']);
    assert.equal(diffStandaloneContainer(spec('a', { cellId: 'y' }), spec('a')).class, 'rejected');
    assert.equal(diffStandaloneContainer(spec('a'), spec('a')).class, 'unchanged');
  });
});
