import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { clampRlimits, parseProcLimits } from './rlimits.js';

const procLimits = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max processes             63432                63432                processes 
Max open files            1024                 20000                files     
Max locked memory         8388608              8388608              bytes     
Max realtime timeout      unlimited            unlimited            us        
`;

describe('rlimits', () => {
  it('parses /proc/self/limits hard limits by OCI type', () => {
    const hard = parseProcLimits(procLimits);
    assert.equal(hard.RLIMIT_NOFILE, 20000);
    assert.equal(hard.RLIMIT_NPROC, 63432);
    assert.equal(hard.RLIMIT_CPU, Infinity);
    assert.equal(hard.RLIMIT_RTTIME, Infinity);
    assert.equal(hard.RLIMIT_MEMLOCK, 8388608);
    assert.equal(Object.keys(hard).length, 6);
  });
  it('clamps soft and hard; leaves unknown and unlimited alone', () => {
    const r = [
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 1048576 },
      { type: 'RLIMIT_CORE', soft: 5, hard: 5 },
      { type: 'RLIMIT_CPU', soft: 9, hard: 9 },
    ];
    assert.deepEqual(clampRlimits(r, { RLIMIT_NOFILE: 20000, RLIMIT_CPU: Infinity }), [
      { type: 'RLIMIT_NOFILE', soft: 1024, hard: 20000 },
      { type: 'RLIMIT_CORE', soft: 5, hard: 5 },
      { type: 'RLIMIT_CPU', soft: 9, hard: 9 },
    ]);
    assert.deepEqual(
      clampRlimits([{ type: 'RLIMIT_NOFILE', soft: 4096, hard: 4096 }], { RLIMIT_NOFILE: 100 }),
      [{ type: 'RLIMIT_NOFILE', soft: 100, hard: 100 }],
    );
    assert.deepEqual(clampRlimits(r, undefined), r);
  });
});
