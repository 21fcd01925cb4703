// Space subnets skip /24s the host already addresses or routes (src/cni/host-networks.ts): an
// interface of the test's own (dummy, or an empty bridge where the kernel has no dummy module)
// carries an address whose subnet covers the start of the test's own subnet pool, plus a route
// for the next /24; a new space gets the first /24 past both. With the whole pool on that
// interface the next space fails with an error naming the pool and leaves nothing. The interface
// is removed afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Runner } from '../../src/runner/runner.js';
import { formatIpv4Cidr, parseIpv4Cidr } from '../../src/model/naming/index.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { realmModel, spaceModel } from '../helpers/cell-docs.js';

const ip = (...args: string[]) =>
  execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('space subnets avoid the host', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let pristine: HostSnapshot;
  const dummy = `kd${process.pid}`.slice(0, 15);
  /** The i-th /24 of the test's pool; `host` = its address .1. */
  const nth = (i: number, host = false): string => {
    const pool = parseIpv4Cidr(env.config.subnetPool)!;
    const cidr = formatIpv4Cidr({ network: (pool.network + i * 256) >>> 0, prefix: 24 });
    return host ? cidr.replace(/\.0\/24$/, '.1') : cidr;
  };

  before(async () => {
    env = runnerEnv('subnet-host');
    pristine = snapshotHost(env.config);
    runner = await Runner.open(env.config);
    // A dummy interface where the kernel has the module; an empty bridge (always there: CNI
    // needs it) where it has not — both just carry an address and a route.
    try {
      ip('link', 'add', dummy, 'type', 'dummy');
    } catch {
      ip('link', 'add', dummy, 'type', 'bridge');
    }
    // An address whose /22 covers the pool's first four /24s, and a route for the fifth.
    ip('addr', 'add', `${nth(0, true)}/22`, 'dev', dummy);
    ip('link', 'set', dummy, 'up');
    ip('route', 'add', nth(4), 'dev', dummy);
    await runner.createRealm(realmModel('r'));
  });

  after(async () => {
    runner.close();
    try {
      execFileSync('ip', ['link', 'del', dummy], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    await purgeAndCheckHost(env, pristine);
  });

  test('a new space gets the first /24 that neither an address nor a route of the host covers', async () => {
    await runner.createSpace(spaceModel('r', 'a'));
    assert.equal(await runner.ctx.subnets.current('r', 'a'), nth(5));
    await runner.createSpace(spaceModel('r', 'b'));
    assert.equal(await runner.ctx.subnets.current('r', 'b'), nth(6));
  });

  test('with the whole pool used by the host the space is refused, naming the pool, and nothing is left', async () => {
    ip(
      'addr',
      'add',
      `${nth(0, true).replace(/\.1$/, '.2')}/${env.config.subnetPool.split('/')[1]}`,
      'dev',
      dummy,
    );
    const before = snapshotHost(env.config);
    await assert.rejects(runner.createSpace(spaceModel('r', 'c')), (err: Error) => {
      assert.match(
        err.message,
        new RegExp(`no free /24 left in subnet pool ${env.config.subnetPool.replace(/\./g, '\\.')}`),
      );
      assert.match(err.message, /overlap addresses or routes of the host/);
      assert.match(err.message, new RegExp(`on ${dummy}`));
      return true;
    });
    assert.deepEqual(snapshotHost(env.config), before);
  });
});
