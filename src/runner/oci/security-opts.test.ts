import { ErrorCode } from '../../error-codes.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '../../errors.js';
import { parseSecurityOpt, parseSecurityOpts } from './security-opts.js';

const invalid = (e: unknown) => hasCode(e, ErrorCode.OCI_INVALID_SECURITY_OPT);

describe('security opts', () => {
  it('no-new-privileges: bare is true; Go booleans with = or :; key is case-insensitive', () => {
    assert.deepEqual(parseSecurityOpt('no-new-privileges'), { kind: 'no-new-privileges', value: true });
    assert.deepEqual(parseSecurityOpt('No-New-Privileges=false'), {
      kind: 'no-new-privileges',
      value: false,
    });
    assert.deepEqual(parseSecurityOpt('no-new-privileges:1'), { kind: 'no-new-privileges', value: true });
    assert.deepEqual(parseSecurityOpt('no-new-privileges=F'), { kind: 'no-new-privileges', value: false });
  });
  it('seccomp unconfined or a profile path (first separator splits)', () => {
    assert.deepEqual(parseSecurityOpt('seccomp=unconfined'), { kind: 'seccomp-unconfined' });
    assert.deepEqual(parseSecurityOpt('SECCOMP:Unconfined'), { kind: 'seccomp-unconfined' });
    assert.deepEqual(parseSecurityOpt('seccomp=/etc/p:1.json'), {
      kind: 'seccomp-profile',
      path: '/etc/p:1.json',
    });
  });
  it('invalid entries are typed errors', () => {
    assert.throws(() => parseSecurityOpt('seccomp'), invalid);
    assert.throws(() => parseSecurityOpt('seccomp='), invalid);
    assert.throws(() => parseSecurityOpt('no-new-privileges=yes'), invalid);
    assert.throws(() => parseSecurityOpt('label=disable'), invalid);
    assert.throws(() => parseSecurityOpt(''), invalid);
  });
  it('parses a list in order; undefined is empty', () => {
    assert.deepEqual(parseSecurityOpts(undefined), []);
    assert.equal(parseSecurityOpts(['seccomp=unconfined', 'no-new-privileges']).length, 2);
  });
});
