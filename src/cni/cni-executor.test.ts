import { ErrorCode } from '../error-codes.js';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { CniExecutor } from './cni-executor.js';
import { CniPluginError, CniPluginNotFoundError } from './errors.js';
import { FakePlugins } from './fake-plugins.test-helper.js';
import { cacheFilePath } from './result-cache.js';
import type { NetConfList, RuntimeConf } from './types.js';

const fakes = new FakePlugins()
  .ok('first', 10)
  .ok('second', 20)
  .ok('loopback', 30)
  .failing('broken', 7, 'bad config', 'field x')
  .garbage('garbage')
  .old('oldie');
const cacheDir = mkdtempSync(join(tmpdir(), `kukeon-cni-cache-${process.pid}-`));
const emptyDir = mkdtempSync(join(tmpdir(), `kukeon-cni-empty-${process.pid}-`));
const exec = new CniExecutor({ binDirs: [emptyDir, fakes.dir], cacheDir });
const rt: RuntimeConf = { containerId: 'ctr1', netns: '/run/netns/fake', ifName: 'eth0', args: [['K', 'V']] };
const list = (...types: string[]): NetConfList => ({
  cniVersion: '0.4.0',
  name: 'net-a',
  plugins: types.map((type) => ({ type, extra: type.toUpperCase() })),
});

after(() => {
  fakes.remove();
  rmSync(cacheDir, { recursive: true, force: true });
  rmSync(emptyDir, { recursive: true, force: true });
});
beforeEach(() => {
  fakes.clearCalls();
  rmSync(join(cacheDir, 'results'), { recursive: true, force: true });
});

describe('CniExecutor', () => {
  it('ADD runs plugins in order, chains prevResult, injects name/cniVersion, caches the final result', async () => {
    const result = await exec.addNetworkList(list('first', 'second'), rt);
    assert.equal(result.ips?.[0].address, '10.0.0.20/24');
    const calls = fakes.calls();
    assert.deepEqual(
      calls.map((c) => [c.command, c.plugin]),
      [
        ['ADD', 'first'],
        ['ADD', 'second'],
      ],
    );
    assert.equal(calls[0].stdin.prevResult, undefined);
    assert.deepEqual(calls[0].stdin, { type: 'first', extra: 'FIRST', name: 'net-a', cniVersion: '0.4.0' });
    assert.equal(
      (calls[1].stdin.prevResult as { ips: { address: string }[] }).ips[0].address,
      '10.0.0.10/24',
    );
    for (const c of calls) {
      assert.equal(c.containerId, 'ctr1');
      assert.equal(c.netns, '/run/netns/fake');
      assert.equal(c.ifName, 'eth0');
      assert.equal(c.cniPath, `${emptyDir}:${fakes.dir}`);
      assert.equal(c.cniArgs, 'K=V');
    }
    const cached = JSON.parse(readFileSync(cacheFilePath(cacheDir, 'net-a', rt), 'utf8'));
    assert.equal(cached.kind, 'cniCacheV1');
    assert.equal(cached.networkName, 'net-a');
    assert.equal(cached.containerId, 'ctr1');
    assert.equal(cached.ifName, 'eth0');
    assert.deepEqual(cached.result, result);
    assert.equal(JSON.parse(Buffer.from(cached.config, 'base64').toString()).name, 'net-a');
  });

  it('DEL runs plugins in reverse with the cached result as prevResult and drops the cache', async () => {
    await exec.addNetworkList(list('first', 'second'), rt);
    fakes.clearCalls();
    await exec.delNetworkList(list('first', 'second'), rt);
    const calls = fakes.calls();
    assert.deepEqual(
      calls.map((c) => [c.command, c.plugin]),
      [
        ['DEL', 'second'],
        ['DEL', 'first'],
      ],
    );
    for (const c of calls)
      assert.equal((c.stdin.prevResult as { ips: { address: string }[] }).ips[0].address, '10.0.0.20/24');
    assert.equal(existsSync(cacheFilePath(cacheDir, 'net-a', rt)), false);
  });

  it('DEL skips the loopback plugin (nothing of it on the host); ADD runs it', async () => {
    await exec.addNetworkList(list('first', 'loopback'), rt);
    assert.deepEqual(
      fakes.calls().map((c) => [c.command, c.plugin]),
      [
        ['ADD', 'first'],
        ['ADD', 'loopback'],
      ],
    );
    fakes.clearCalls();
    await exec.delNetworkList(list('first', 'loopback'), rt);
    assert.deepEqual(
      fakes.calls().map((c) => [c.command, c.plugin]),
      [['DEL', 'first']],
    );
    assert.equal(existsSync(cacheFilePath(cacheDir, 'net-a', rt)), false);
  });

  it('DEL without a cached result runs without prevResult, with an empty netns allowed', async () => {
    await exec.delNetworkList(list('first'), { ...rt, netns: '' });
    const [c] = fakes.calls();
    assert.equal(c.command, 'DEL');
    assert.equal(c.netns, '');
    assert.equal(c.stdin.prevResult, undefined);
  });

  it('DEL keeps going past a failing plugin, throws the first error and keeps the cache', async () => {
    await exec.addNetworkList(list('first'), rt);
    fakes.clearCalls();
    await assert.rejects(exec.delNetworkList(list('first', 'broken'), rt), (err: unknown) => {
      assert.ok(err instanceof CniPluginError);
      assert.equal(err.plugin, 'broken');
      return true;
    });
    assert.deepEqual(
      fakes.calls().map((c) => c.plugin),
      ['broken', 'first'],
    );
    assert.equal(existsSync(cacheFilePath(cacheDir, 'net-a', rt)), true);
  });

  it('CHECK needs a cached result, then runs in order with it', async () => {
    await assert.rejects(exec.checkNetworkList(list('first', 'second'), rt), {
      code: ErrorCode.CNI_NO_CACHED_RESULT,
    });
    await exec.addNetworkList(list('first', 'second'), rt);
    fakes.clearCalls();
    await exec.checkNetworkList(list('first', 'second'), rt);
    const calls = fakes.calls();
    assert.deepEqual(
      calls.map((c) => [c.command, c.plugin]),
      [
        ['CHECK', 'first'],
        ['CHECK', 'second'],
      ],
    );
    assert.ok(calls[0].stdin.prevResult);
  });

  it('a plugin error JSON becomes a typed CniPluginError with code, msg, details, plugin and command', async () => {
    await assert.rejects(exec.addNetworkList(list('first', 'broken'), rt), (err: unknown) => {
      assert.ok(err instanceof CniPluginError);
      assert.equal(err.code, ErrorCode.CNI_PLUGIN_ERROR);
      assert.equal(err.cniCode, 7);
      assert.equal(err.msg, 'bad config');
      assert.equal(err.details, 'field x');
      assert.equal(err.plugin, 'broken');
      assert.equal(err.command, 'ADD');
      return true;
    });
    assert.equal(existsSync(cacheFilePath(cacheDir, 'net-a', rt)), false, 'a failed ADD caches nothing');
  });

  it('a missing plugin is CniPluginNotFoundError naming the plugin and the searched dirs', async () => {
    await assert.rejects(exec.addNetworkList(list('nope'), rt), (err: unknown) => {
      assert.ok(err instanceof CniPluginNotFoundError);
      assert.equal(err.code, ErrorCode.CNI_PLUGIN_NOT_FOUND);
      assert.equal(err.plugin, 'nope');
      assert.deepEqual(err.searchedDirs, [emptyDir, fakes.dir]);
      return true;
    });
  });

  it('non-JSON failure output is CNI_EXEC_FAILED', async () => {
    await assert.rejects(exec.addNetworkList(list('garbage'), rt), { code: ErrorCode.CNI_EXEC_FAILED });
  });

  it('rejects invalid identifiers before running anything', async () => {
    await assert.rejects(exec.addNetworkList(list('first'), { ...rt, containerId: '../x' }), {
      code: ErrorCode.CNI_INVALID_ARGUMENT,
    });
    await assert.rejects(exec.addNetworkList(list('first'), { ...rt, ifName: 'this-name-is-too-long' }), {
      code: ErrorCode.CNI_INVALID_ARGUMENT,
    });
    await assert.rejects(exec.addNetworkList(list('first'), { ...rt, netns: '' }), {
      code: ErrorCode.CNI_INVALID_ARGUMENT,
    });
    assert.deepEqual(fakes.calls(), []);
  });

  it('VERSION and validateNetworkList', async () => {
    const v = await exec.pluginVersion('first');
    assert.deepEqual(v.supportedVersions, ['0.3.1', '0.4.0']);
    await exec.validateNetworkList(list('first', 'second'));
    await assert.rejects(exec.validateNetworkList(list('first', 'oldie')), {
      code: ErrorCode.CNI_VERSION_UNSUPPORTED,
    });
  });

  it(
    'the installed plugins support the version kukeon writes',
    {
      skip:
        !existsSync('/usr/lib/cni/bridge') && !existsSync('/opt/cni/bin/bridge')
          ? 'no CNI plugins installed'
          : false,
    },
    async () => {
      const real = new CniExecutor({ binDirs: ['/opt/cni/bin', '/usr/lib/cni'], cacheDir });
      for (const p of ['bridge', 'host-local', 'loopback']) {
        assert.ok((await real.pluginVersion(p)).supportedVersions.includes('0.4.0'), p);
      }
    },
  );
});
