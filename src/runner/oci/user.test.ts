import { ErrorCode } from '../../error-codes.js';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hasCode } from '../../errors.js';
import { parseGroup, parsePasswd, resolveUser } from './user.js';

const files: Record<string, string> = {
  '/etc/passwd':
    '# comment\nroot:x:0:0:root:/root:/bin/sh\nbroken line\nnobody:x:65534:65534::/:/bin/false\napp:x:1000:1001::/home/app:/bin/sh\n',
  '/etc/group': 'root:x:0:\nwheel:x:10:root,app\napp:x:1001:\ndocker:x:999:app\nbad:x:zz:app\n',
};
const read = (p: string) => files[p];

describe('user resolution', () => {
  it('parses passwd and group, skipping comments and malformed lines', () => {
    assert.deepEqual(
      parsePasswd(files['/etc/passwd']).map((p) => p.name),
      ['root', 'nobody', 'app'],
    );
    assert.deepEqual(
      parseGroup(files['/etc/group']).map((g) => g.gid),
      [0, 10, 1001, 999],
    );
  });
  it('empty is root (with root supplementary groups)', () => {
    assert.deepEqual(resolveUser(undefined, read), { uid: 0, gid: 0, additionalGids: [10] });
    assert.deepEqual(resolveUser('', undefined), { uid: 0, gid: 0 });
  });
  it('uid: gid from passwd, else 0 (no passwd entry needed)', () => {
    assert.deepEqual(resolveUser('1000', read), { uid: 1000, gid: 1001, additionalGids: [10, 999] });
    assert.deepEqual(resolveUser('4242', read), { uid: 4242, gid: 0 });
    assert.deepEqual(
      resolveUser('4242', () => undefined),
      { uid: 4242, gid: 0 },
    );
  });
  it('uid:gid needs no lookup', () => {
    assert.deepEqual(
      resolveUser('5:6', () => undefined),
      { uid: 5, gid: 6 },
    );
  });
  it('name and name:group', () => {
    assert.deepEqual(resolveUser('app', read), { uid: 1000, gid: 1001, additionalGids: [10, 999] });
    assert.deepEqual(resolveUser('app:docker', read), { uid: 1000, gid: 999, additionalGids: [10] });
    assert.deepEqual(resolveUser('nobody:0', read), { uid: 65534, gid: 0 });
    assert.deepEqual(resolveUser('1000:wheel', read), { uid: 1000, gid: 10, additionalGids: [999] });
  });
  it('unknown user or group, missing passwd, malformed strings: typed errors', () => {
    assert.throws(
      () => resolveUser('ghost', read),
      (e) => hasCode(e, ErrorCode.OCI_USER_NOT_FOUND) && /ghost/.test((e as Error).message),
    );
    assert.throws(
      () => resolveUser('app', () => undefined),
      (e) => hasCode(e, ErrorCode.OCI_USER_NOT_FOUND),
    );
    assert.throws(
      () => resolveUser('app:ghosts', read),
      (e) => hasCode(e, ErrorCode.OCI_GROUP_NOT_FOUND),
    );
    assert.throws(
      () => resolveUser('a:b:c', read),
      (e) => hasCode(e, ErrorCode.OCI_INVALID_USER),
    );
    assert.throws(
      () => resolveUser(':5', read),
      (e) => hasCode(e, ErrorCode.OCI_INVALID_USER),
    );
  });
  it('reads the rootfs only when a lookup is needed', () => {
    let reads = 0;
    resolveUser('5:6', (p) => {
      reads++;
      return files[p];
    });
    assert.equal(reads, 1); // passwd, to name the user for supplementary groups; no group lookup for gid 6
  });
});
