import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blkioWeightToIoWeight, cpuSharesToWeight, v1ResourceWrites, v2ResourceWrites } from './resources.js';

test('runc conversions', () => {
  assert.equal(cpuSharesToWeight(2), 1);
  assert.equal(cpuSharesToWeight(1024), 39);
  assert.equal(cpuSharesToWeight(262144), 10000);
  assert.equal(blkioWeightToIoWeight(10), 1);
  assert.equal(blkioWeightToIoWeight(1000), 10000);
});

test('v2 files', () => {
  const w = v2ResourceWrites({
    memoryLimitBytes: 100,
    cpuShares: 1024,
    cpuQuotaUs: 20000,
    cpuPeriodUs: 50000,
    pidsLimit: 9,
  });
  assert.deepEqual(
    w.map((x) => [x.files[0], x.value]),
    [
      ['memory.max', '100'],
      ['cpu.weight', '39'],
      ['cpu.max', '20000 50000'],
      ['pids.max', '9'],
    ],
  );
});

test('v1 files (period before quota; two blkio spellings)', () => {
  const w = v1ResourceWrites({
    memoryLimitBytes: 100,
    cpuShares: 512,
    cpuQuotaUs: 50000,
    pidsLimit: 9,
    blkioWeight: 300,
  });
  assert.deepEqual(
    w.map((x) => [x.controller, x.files.join('|'), x.value]),
    [
      ['memory', 'memory.limit_in_bytes', '100'],
      ['cpu', 'cpu.shares', '512'],
      ['cpu', 'cpu.cfs_period_us', '100000'],
      ['cpu', 'cpu.cfs_quota_us', '50000'],
      ['pids', 'pids.max', '9'],
      ['blkio', 'blkio.weight|blkio.bfq.weight', '300'],
    ],
  );
});

test('absent, zero and negative values are left alone', () => {
  assert.deepEqual(v2ResourceWrites({}), []);
  assert.deepEqual(v1ResourceWrites({ memoryLimitBytes: 0, cpuShares: -1, pidsLimit: Number.NaN }), []);
});
