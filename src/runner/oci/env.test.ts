import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeEnv, envKey, gitEnv, identityEnv, replaceOrAppendEnv } from './env.js';

describe('env', () => {
  it('envKey', () => {
    assert.equal(envKey('A=b=c'), 'A');
    assert.equal(envKey('A'), 'A');
    assert.equal(envKey('A='), 'A');
  });
  it('replace in place, append new, bare key removes, later override wins', () => {
    assert.deepEqual(replaceOrAppendEnv(['A=1', 'B=2', 'C=3'], ['B=20', 'D=4', 'A', 'D=40']), [
      'B=20',
      'C=3',
      'D=40',
    ]);
    assert.deepEqual(replaceOrAppendEnv(['A=1'], ['X']), ['A=1']);
    assert.deepEqual(replaceOrAppendEnv(['A=1', 'A=2'], []), ['A=1']);
    assert.deepEqual(replaceOrAppendEnv(['A=1'], ['A', 'A=3']), ['A=3']);
  });
  it('composeEnv drops defaults the user env sets, user entries follow in order', () => {
    assert.deepEqual(composeEnv(['K=d', 'X=d'], ['Z=u', 'K=u']), ['X=d', 'Z=u', 'K=u']);
  });
  it('identity env in order, only non-empty', () => {
    assert.deepEqual(
      identityEnv({
        cellName: 'c',
        containerId: 'web',
        realm: 'r',
        space: '',
        stack: 'st',
        cellCgroupPath: '/kukeon/r/s/st/c',
      }),
      [
        'KUKEON_CELL_NAME=c',
        'KUKEON_CONTAINER_ID=web',
        'KUKEON_REALM=r',
        'KUKEON_STACK=st',
        'KUKEON_CGROUP_PATH=/kukeon/r/s/st/c',
      ],
    );
  });
  it('git block', () => {
    assert.deepEqual(gitEnv(undefined), []);
    assert.deepEqual(
      gitEnv({
        author: { name: 'A', email: 'a@x' },
        committer: { email: 'c@x' },
        signingKey: '/k.pub',
        sign: ['commits', 'tags'],
        allowedSignersFile: '/s',
      }),
      [
        'GIT_AUTHOR_NAME=A',
        'GIT_AUTHOR_EMAIL=a@x',
        'GIT_COMMITTER_EMAIL=c@x',
        'GIT_CONFIG_COUNT=5',
        'GIT_CONFIG_KEY_0=user.signingkey',
        'GIT_CONFIG_VALUE_0=/k.pub',
        'GIT_CONFIG_KEY_1=gpg.format',
        'GIT_CONFIG_VALUE_1=ssh',
        'GIT_CONFIG_KEY_2=commit.gpgsign',
        'GIT_CONFIG_VALUE_2=true',
        'GIT_CONFIG_KEY_3=tag.gpgsign',
        'GIT_CONFIG_VALUE_3=true',
        'GIT_CONFIG_KEY_4=gpg.ssh.allowedSignersFile',
        'GIT_CONFIG_VALUE_4=/s',
      ],
    );
    assert.deepEqual(gitEnv({ author: { name: 'A' } }), ['GIT_AUTHOR_NAME=A']);
  });
});
