// Cell isolation in a space (`spec.network.isolation: cells`, docs/cell-isolation.md) on real
// cells: busybox httpd in one cell, wget from another. With isolation on the request is dropped
// (bridge port isolation; a cell routing its neighbour through its gateway is dropped by the space
// chain) while the web cell's published port answers from the host on 127.0.0.1 and from the other
// cell through the gateway's host port; with isolation off the request passes; switching the
// setting on the space applies it at once, both ways; deleting everything leaves nothing.
// Traffic only between the test's own cells, their bridges' gateways and 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Runner } from '../../src/runner/runner.js';
import type { Space } from '../../src/model/resources.js';
import { listBridgePorts, spaceNetworkRef } from '../../src/cni/index.js';
import { spaceEgressChain } from '../../src/cni/egress/index.js';
import { spaceEgressContext } from '../../src/runner/space/space-egress.js';
import { cellRootPid, inNetns, netnsGateway } from '../helpers/cell-netns.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { cellModel, containerModel, provisionStack, spaceModel, stackModel } from '../helpers/cell-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const iso = { realm: 'ci', space: 'iso', stack: 't' };
const flat = { realm: 'ci', space: 'flat', stack: 't' };
// A host port of this process's own (other test files run side by side).
const PORT = 20000 + (process.pid % 10000);
const HTTPD =
  'mkdir -p /tmp/w && echo "hello from $(hostname)" > /tmp/w/index.html && exec httpd -f -p 80 -h /tmp/w';

const withIsolation = (space: Space, isolation: string | undefined): Space => ({
  ...space,
  spec: { ...space.spec, network: { ...space.spec.network, isolation } },
});

/** The first address of eth0 in the network namespace of `pid`. */
const cellIp = (pid: string): string => {
  const ip = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(
    inNetns(pid, 'ip', '-4', '-o', 'addr', 'show', 'dev', 'eth0'),
  )?.[1];
  if (!ip) throw new Error(`no IPv4 address on eth0 in the network namespace of ${pid}`);
  return ip;
};

/** busybox wget from the namespace of `pid`: the page, or `unreachable`. */
const fetchFrom = (pid: string, url: string): string => {
  try {
    return inNetns(pid, 'busybox', 'wget', '-q', '-T', '3', '-O', '-', url).trim();
  } catch {
    return 'unreachable';
  }
};

/** busybox wget from the host (the host reaches every cell: it is the bridge's own port). */
const fetchFromHost = (url: string): string => {
  try {
    return execFileSync('busybox', ['wget', '-q', '-T', '3', '-O', '-', url], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unreachable';
  }
};

describe('cell isolation in a space', { timeout: 300_000 }, () => {
  let env: RunnerEnv;
  let runner: Runner;
  let pristine: HostSnapshot;
  const pids: Record<string, { web: string; cli: string; webIp: string; gw: string }> = {};
  let isoChain = '';

  /** Packets the iso space chain's `cells:isolated` DROP has counted (-1: no such rule). */
  const isolatedDrops = (): number => {
    const line = execFileSync('iptables-save', ['-c', '-t', 'filter'], { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.includes(`-A ${isoChain} `) && l.includes(':cells:isolated'));
    return Number(/^\[(\d+):/.exec(line ?? '')?.[1] ?? -1);
  };
  const isoPorts = async () =>
    listBridgePorts(spaceNetworkRef(runner.ctx.cni, iso.realm, iso.space).bridgeName);
  const reapply = async (at: typeof iso, isolation: string | undefined): Promise<void> => {
    const space = (await runner.getSpace(at.realm, at.space))!;
    await runner.updateSpace(withIsolation(space, isolation));
  };

  before(async () => {
    env = runnerEnv('cell-isolation');
    runner = await Runner.open(env.config);
    pristine = snapshotHost(env.config);
    const images = testImages().images;
    await provisionStack(runner, flat, [images.busybox.file]);
    await runner.createSpace(withIsolation(spaceModel(iso.realm, iso.space), 'cells'));
    await runner.createStack(stackModel(iso.realm, iso.space, iso.stack));
    for (const at of [iso, flat]) {
      const ports = at === iso ? [`${PORT}:80`] : [];
      for (const cell of [
        cellModel(at, 'web', [
          containerModel('httpd', images.busybox.name, { command: 'sh', args: ['-c', HTTPD], ports }),
        ]),
        cellModel(at, 'cli', [
          containerModel('sleep', images.busybox.name, { command: 'sleep', args: ['3600'] }),
        ]),
      ]) {
        await runner.createCell(cell);
        assert.equal((await runner.startCell(cell)).status.state, 'Ready');
      }
      const web = cellRootPid(env, runner, at, 'web');
      const cli = cellRootPid(env, runner, at, 'cli');
      pids[at.space] = { web, cli, webIp: cellIp(web), gw: netnsGateway(cli) };
      // httpd is up once the host (the bridge's own, never isolated, port) gets the page.
      let page = '';
      for (let i = 0; i < 50 && !page.startsWith('hello'); i++)
        page = fetchFromHost(`http://${pids[at.space].webIp}/`);
      assert.equal(page, 'hello from web');
    }
    isoChain = spaceEgressChain(spaceEgressContext(runner.ctx), iso.realm, iso.space);
  });

  after(() => purgeAndCheckHost(env, pristine));

  test('with isolation on, a cell cannot reach another cell of the space; its published port still answers', async () => {
    const p = pids.iso;
    assert.deepEqual(
      (await isoPorts()).map((port) => port.isolated),
      [true, true],
      'both cells joined the bridge on isolated ports',
    );
    assert.equal(fetchFrom(p.cli, `http://${p.webIp}/`), 'unreachable');
    assert.equal(fetchFromHost(`http://127.0.0.1:${PORT}/`), 'hello from web', 'from the host on 127.0.0.1');
    assert.equal(
      fetchFrom(p.cli, `http://${p.gw}:${PORT}/`),
      'hello from web',
      'from the other cell through the host port on its gateway',
    );
  });

  test('a cell that routes its neighbour through the gateway is dropped by the space chain', async () => {
    const p = pids.iso;
    const before = isolatedDrops();
    assert.ok(before >= 0, `the space chain ${isoChain} has the cells:isolated rule`);
    // What a cell holding NET_ADMIN can do: send its neighbour's address to the gateway.
    inNetns(p.cli, 'ip', 'route', 'add', `${p.webIp}/32`, 'via', p.gw, 'dev', 'eth0');
    try {
      assert.equal(fetchFrom(p.cli, `http://${p.webIp}/`), 'unreachable');
      assert.ok(isolatedDrops() > before, 'the cells:isolated rule dropped the routed attempt');
    } finally {
      inNetns(p.cli, 'ip', 'route', 'del', `${p.webIp}/32`);
    }
  });

  test('with isolation off, cells of a space reach each other', () => {
    const p = pids.flat;
    assert.equal(fetchFrom(p.cli, `http://${p.webIp}/`), 'hello from web');
  });

  test('a changed setting is applied on re-apply of the space, both ways', async () => {
    const p = pids.iso;
    await reapply(iso, 'none');
    assert.deepEqual(
      (await isoPorts()).map((port) => port.isolated),
      [false, false],
    );
    assert.equal(isolatedDrops(), -1, 'the cells:isolated rule is gone');
    assert.equal(fetchFrom(p.cli, `http://${p.webIp}/`), 'hello from web');

    await reapply(iso, 'cells');
    assert.deepEqual(
      (await isoPorts()).map((port) => port.isolated),
      [true, true],
    );
    assert.equal(fetchFrom(p.cli, `http://${p.webIp}/`), 'unreachable');

    // And the other way round on the open space: cells already running are isolated at once.
    await reapply(flat, 'cells');
    assert.equal(fetchFrom(pids.flat.cli, `http://${pids.flat.webIp}/`), 'unreachable');
  });

  test('the reconcile re-asserts a port flag changed behind its back', async () => {
    const [first] = await isoPorts();
    execFileSync('ip', ['link', 'set', 'dev', first.name, 'type', 'bridge_slave', 'isolated', 'off']);
    await runner.ensureSpace((await runner.getSpace(iso.realm, iso.space))!);
    assert.equal((await isoPorts()).find((port) => port.name === first.name)?.isolated, true);
  });
});
