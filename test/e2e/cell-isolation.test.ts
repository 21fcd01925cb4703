// Cell isolation in a space (`spec.network.isolation: cells`, docs/cell-isolation.md) on real
// cells: busybox httpd in one cell, an HTTP request (busybox nc) from another. With isolation on
// the request is dropped (by bridge port isolation, or by the space chain where br_netfilter hands
// the bridge's frames to iptables, as on the test VM), also when the cell routes its neighbour
// through its gateway, while the web cell's published port answers from the host on 127.0.0.1 and
// from the other cell through the gateway's host port; with isolation off the request passes;
// switching the setting on the space applies it at once, both ways; the reconcile re-asserts the
// port flags; deleting everything leaves nothing. Traffic only between the test's own cells,
// their bridges' gateways and 127.0.0.1.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runner } from '../../src/runner/runner.js';
import type { Space } from '../../src/model/resources.js';
import { bridgeFramesSeeIptables, listBridgePorts, spaceNetworkRef } from '../../src/cni/index.js';
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

/**
 * `GET /` over busybox nc (the host's static busybox wget crashes here), from the network
 * namespace of `pid` or, without one, from the host: the page body, or `unreachable`.
 */
const httpGet = (pid: string | undefined, host: string, port = 80): string => {
  const nc = ['busybox', 'nc', '-w', '3', host, String(port)];
  try {
    const out = execFileSync(pid ? 'nsenter' : nc[0], pid ? ['-t', pid, '-n', ...nc] : nc.slice(1), {
      encoding: 'utf8',
      input: 'GET / HTTP/1.0\r\n\r\n',
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const body = out.split('\r\n\r\n')[1]?.trim();
    return body || 'unreachable';
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
  /** Whether this host isolates ports (no br_netfilter on the bridge) or leaves it to the space chain. */
  let byPorts = false;

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
      for (let i = 0; i < 100 && !page.startsWith('hello'); i++) {
        page = httpGet(undefined, pids[at.space].webIp);
        if (!page.startsWith('hello')) await sleep(100);
      }
      assert.equal(page, 'hello from web');
    }
    isoChain = spaceEgressChain(spaceEgressContext(runner.ctx), iso.realm, iso.space);
    byPorts = !(await bridgeFramesSeeIptables(
      spaceNetworkRef(runner.ctx.cni, iso.realm, iso.space).bridgeName,
    ));
    // Run by cell-isolation-bridge-ports.test.ts in a namespace without br_netfilter.
    if (process.env.KUKEON_TEST_EXPECT_BRIDGE_PORTS === '1') assert.equal(byPorts, true);
  });

  after(() => purgeAndCheckHost(env, pristine));

  test('with isolation on, a cell cannot reach another cell of the space; its published port still answers', async () => {
    const p = pids.iso;
    assert.deepEqual(
      (await isoPorts()).map((port) => port.isolated),
      [byPorts, byPorts],
      byPorts
        ? 'both cells joined the bridge on isolated ports'
        : 'br_netfilter: the space chain sees the bridge',
    );
    assert.equal(httpGet(p.cli, p.webIp), 'unreachable');
    assert.equal(httpGet(undefined, '127.0.0.1', PORT), 'hello from web', 'from the host on 127.0.0.1');
    const dbg = httpGet(p.cli, p.gw, PORT);
    if (dbg === 'unreachable')
      console.error('DEBUG', p, execFileSync('iptables-save', ['-c'], { encoding: 'utf8' }));
    assert.equal(
      httpGet(p.cli, p.gw, PORT),
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
      assert.equal(httpGet(p.cli, p.webIp), 'unreachable');
      assert.ok(isolatedDrops() > before, 'the cells:isolated rule dropped the routed attempt');
    } finally {
      inNetns(p.cli, 'ip', 'route', 'del', `${p.webIp}/32`);
    }
  });

  test('with isolation off, cells of a space reach each other', () => {
    const p = pids.flat;
    assert.equal(httpGet(p.cli, p.webIp), 'hello from web');
  });

  test('a changed setting is applied on re-apply of the space, both ways', async () => {
    const p = pids.iso;
    await reapply(iso, 'none');
    assert.deepEqual(
      (await isoPorts()).map((port) => port.isolated),
      [false, false],
    );
    assert.equal(isolatedDrops(), -1, 'the cells:isolated rule is gone');
    assert.equal(httpGet(p.cli, p.webIp), 'hello from web');

    await reapply(iso, 'cells');
    assert.deepEqual(
      (await isoPorts()).map((port) => port.isolated),
      [byPorts, byPorts],
    );
    assert.equal(httpGet(p.cli, p.webIp), 'unreachable');

    // And the other way round on the open space: cells already running are isolated at once.
    await reapply(flat, 'cells');
    assert.equal(httpGet(pids.flat.cli, pids.flat.webIp), 'unreachable');
  });

  test('the reconcile re-asserts a port flag changed behind its back', async () => {
    const [first] = await isoPorts();
    const flipped = byPorts ? 'off' : 'on';
    execFileSync('ip', ['link', 'set', 'dev', first.name, 'type', 'bridge_slave', 'isolated', flipped]);
    await runner.ensureSpace((await runner.getSpace(iso.realm, iso.space))!);
    assert.equal((await isoPorts()).find((port) => port.name === first.name)?.isolated, byPorts);
  });
});
