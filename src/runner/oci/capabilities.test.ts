import { ErrorCode } from '../../error-codes.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '../../errors.js';
import {
  ALL_CAPABILITIES,
  DEFAULT_CAPABILITIES,
  REDUCED_CAPABILITIES,
  applyCapabilityChanges,
  capabilitiesFromMask,
  capabilityMask,
  knownCapabilities,
  normalizeCapability,
} from './capabilities.js';

const opts = { allCapabilities: ALL_CAPABILITIES, known: ALL_CAPABILITIES };

describe('capabilities', () => {
  it('normalises case and the CAP_ prefix; ALL and CAP_ALL', () => {
    assert.equal(normalizeCapability('net_admin'), 'CAP_NET_ADMIN');
    assert.equal(normalizeCapability(' Cap_Sys_Admin '), 'CAP_SYS_ADMIN');
    assert.equal(normalizeCapability('all'), 'ALL');
    assert.equal(normalizeCapability('CAP_ALL'), 'ALL');
  });
  it('drops listed caps, keeps order, appends added ones once', () => {
    const out = applyCapabilityChanges(
      DEFAULT_CAPABILITIES,
      { drop: ['mknod', 'net_raw'], add: ['sys_ptrace', 'SYS_PTRACE', 'chown'] },
      opts,
    );
    assert.equal(out.length, 13);
    assert.ok(!out.includes('CAP_MKNOD') && !out.includes('CAP_NET_RAW'));
    assert.equal(out.at(-1), 'CAP_SYS_PTRACE');
    assert.equal(out[0], 'CAP_CHOWN');
  });
  it('drop ALL clears the set before adds', () => {
    assert.deepEqual(applyCapabilityChanges(DEFAULT_CAPABILITIES, { drop: ['all'], add: ['kill'] }, opts), [
      'CAP_KILL',
    ]);
    assert.deepEqual(applyCapabilityChanges(DEFAULT_CAPABILITIES, { drop: ['CAP_ALL'] }, opts), []);
  });
  it('add ALL adds the daemon set (not more)', () => {
    const out = applyCapabilityChanges(
      ['CAP_KILL'],
      { add: ['ALL'] },
      { allCapabilities: ['CAP_CHOWN', 'CAP_KILL'], known: ALL_CAPABILITIES },
    );
    assert.deepEqual(out, ['CAP_KILL', 'CAP_CHOWN']);
  });
  it('unknown names are typed errors, also beyond cap_last_cap', () => {
    assert.throws(
      () => applyCapabilityChanges([], { add: ['fly'] }, opts),
      (e) => hasCode(e, ErrorCode.OCI_UNKNOWN_CAPABILITY),
    );
    const known = knownCapabilities(38);
    assert.throws(
      () => applyCapabilityChanges([], { add: ['bpf'] }, { allCapabilities: known, known }),
      (e) => hasCode(e, ErrorCode.OCI_UNKNOWN_CAPABILITY),
    );
    assert.equal(known.at(-1), 'CAP_PERFMON');
  });
  it('the default set is containerd 1.6 "ctr oci spec"; the reduced set is the original\'s nine', () => {
    assert.equal(REDUCED_CAPABILITIES.length, 9);
    assert.ok(REDUCED_CAPABILITIES.every((c) => DEFAULT_CAPABILITIES.includes(c)));
    // CapEff of a container with the default set, as /proc/self/status prints it.
    assert.equal(capabilityMask(DEFAULT_CAPABILITIES).toString(16).padStart(16, '0'), '00000000a80425fb');
  });
  it('mask and names round-trip', () => {
    assert.deepEqual(capabilitiesFromMask(capabilityMask(['CAP_KILL', 'CAP_BPF'])), ['CAP_KILL', 'CAP_BPF']);
    assert.equal(capabilitiesFromMask(0x1fffeffffffn).length, 40);
    assert.ok(!capabilitiesFromMask(0x1fffeffffffn).includes('CAP_SYS_RESOURCE'));
  });
});
