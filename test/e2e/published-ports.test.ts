// Published ports (docs/networking-ports.md) on real cells: busybox httpd in a cell publishing a
// host port answers on 127.0.0.1 from the host; the route_localnet portmap sets on the bridge does
// not let the cell reach a host service bound to 127.0.0.1 (the loopback guard,
// docs/host-isolation.md); the same host port in another realm is refused and leaves nothing; a
// port change recreates the cell on the new port; after delete nothing of portmap is left in
// iptables-save. Traffic goes only to 127.0.0.1 (DNATed into the test's cell) and from the test's
// cell to the test's own loopback socket.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runner } from '../../src/runner/runner.js';
import type { Cell } from '../../src/model/resources.js';
import { cellRef } from '../../src/runner/cell/cell-ref.js';
import { dnatChainName } from '../../src/cni/iptables.js';
import { networkName } from '../../src/model/naming/index.js';
import { spaceNetworkRef } from '../../src/cni/index.js';
import { ensureInputGuard, LOCALNET_GUARD_COMMENT, renderLocalnetGuard } from '../../src/cni/egress/index.js';
import { spaceEgressContext } from '../../src/runner/space/space-egress.js';
import { cellRootPid, inNetns, netnsGateway } from '../helpers/cell-netns.js';
import { waitUntil } from '../helpers/wait-until.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import {
  cellModel,
  containerModel,
  provisionStack,
  realmModel,
  spaceModel,
  stackModel,
} from '../helpers/cell-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const at = { realm: 'pa', space: 's', stack: 't' };
const other = { realm: 'pb', space: 's', stack: 't' };
// A host port of this process's own (other test files run side by side).
const PORT = 30000 + (process.pid % 15000);
const PORT2 = PORT + 15000;
const HTTPD =
  'mkdir -p /tmp/w && echo "hello from $(hostname)" > /tmp/w/index.html && exec httpd -f -p 80 -h /tmp/w';

/** GET http://127.0.0.1:<port>/ once: the body, or the error code. */
function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (err: NodeJS.ErrnoException) => resolve(`error:${err.code ?? err.message}`));
    req.end();
  });
}

/** The first answer that is not an error, trying a bounded number of times (httpd starting). */
async function answer(port: number): Promise<string> {
  let last = '';
  for (let i = 0; i < 50; i++) {
    last = await get(port);
    if (!last.startsWith('error:')) return last;
    await sleep(100);
  }
  return last;
}

const natRules = (): string[] =>
  execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.startsWith(':') || l.startsWith('-A'));

describe('published ports (CNI portmap)', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let pristine: HostSnapshot;
  let busybox: string;
  const web = (ports: string[]): Cell =>
    cellModel(at, 'web', [containerModel('httpd', busybox, { command: 'sh', args: ['-c', HTTPD], ports })]);

  before(async () => {
    env = runnerEnv('published-ports');
    runner = await Runner.open(env.config);
    pristine = snapshotHost(env.config);
    const images = testImages().images;
    busybox = images.busybox.name;
    await provisionStack(runner, at, [images.busybox.file]);
    await runner.createRealm(realmModel(other.realm));
    await runner.createSpace(spaceModel(other.realm, other.space));
    await runner.createStack(stackModel(other.realm, other.space, other.stack));
    await runner.loadImage(other.realm, images.busybox.file);
  });

  after(() => purgeAndCheckHost(env, pristine));

  test('a published port answers on 127.0.0.1 from the host', async () => {
    const cell = web([`${PORT}:80`]);
    await runner.createCell(cell);
    assert.equal((await runner.startCell(cell)).status.state, 'Ready');
    assert.equal(await answer(PORT), 'hello from web');
  });

  test('a cell cannot reach a host service bound to 127.0.0.1 through the route_localnet portmap sets', async () => {
    const bridge = spaceNetworkRef(runner.ctx.cni, at.realm, at.space).bridgeName;
    const sysctl = `/proc/sys/net/ipv4/conf/${bridge}/route_localnet`;
    assert.equal(readFileSync(sysctl, 'utf8').trim(), '1', 'portmap enabled route_localnet on the bridge');
    const pid = cellRootPid(env, runner, at, 'web');
    const inCell = (...args: string[]) => inNetns(pid, ...args);
    const gateway = netnsGateway(pid);
    // What a cell holding NET_ADMIN can do: send loopback destinations to its gateway.
    inCell('sysctl', '-qw', 'net.ipv4.conf.eth0.route_localnet=1');
    inCell('ip', 'route', 'flush', 'table', 'local', 'root', '127.0.0.0/8');
    inCell('ip', 'route', 'add', '127.0.0.0/8', 'via', gateway, 'dev', 'eth0');

    // A host service bound to loopback only.
    const got: string[] = [];
    const service = createSocket('udp4');
    service.on('message', (m) => got.push(m.toString()));
    await new Promise<void>((resolve) => service.bind(0, '127.0.0.1', resolve));
    const port = service.address().port;
    const probe = (text: string) =>
      inCell(
        process.execPath,
        '-e',
        `const s=require('dgram').createSocket('udp4');s.send(${JSON.stringify(text)},${port},'127.0.0.1',()=>s.close())`,
      );
    const guardPackets = (): number => {
      const line = execFileSync('iptables-save', ['-c', '-t', 'filter'], { encoding: 'utf8' })
        .split('\n')
        .find((l) => l.includes(`-A ${e.inputChain} `) && l.includes(LOCALNET_GUARD_COMMENT));
      return Number(/^\[(\d+):/.exec(line ?? '')?.[1] ?? -1);
    };
    const e = spaceEgressContext(runner.ctx);
    try {
      // Without the guard this kernel delivers the datagram: the hole is real, not hypothetical.
      execFileSync('iptables', ['-w', '-D', e.inputChain, ...renderLocalnetGuard(e.bridgeWildcard)]);
      probe('unguarded');
      await waitUntil('the unguarded datagram', () => got.includes('unguarded'));
      // With the guard every space ensure asserts, the same datagram is dropped at INPUT.
      assert.equal((await ensureInputGuard(e)).rewritten, true);
      const before = guardPackets();
      assert.ok(before >= 0, 'the guard is in the input chain');
      probe('guarded');
      await waitUntil('the guard to count the datagram', () => guardPackets() > before);
      assert.deepEqual(got, ['unguarded']);
      // The published port on 127.0.0.1 still answers: its replies are DNATed, not dropped.
      assert.equal(await answer(PORT), 'hello from web');
    } finally {
      service.close();
      await ensureInputGuard(e);
    }
  });

  test('the same host port in another realm is refused, naming port and holder, and leaves nothing', async () => {
    const before = snapshotHost(env.config);
    const clash = cellModel(other, 'clash', [
      containerModel('httpd', busybox, {
        command: 'sh',
        args: ['-c', HTTPD],
        ports: [`127.0.0.1:${PORT}:8080`],
      }),
    ]);
    await assert.rejects(runner.createCell(clash), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PORT_CONFLICT');
      assert.match(err.message, new RegExp(`host port ${PORT}/tcp`));
      assert.match(err.message, /cell "web" \(realm "pa", space "s", stack "t", 0\.0\.0\.0:\d+->80\/tcp\)/);
      return true;
    });
    const after = snapshotHost(env.config);
    assert.deepEqual({ ...after, chains: [] }, { ...before, chains: [] });
    // UDP on the same number is another socket: accepted.
    const udp = cellModel(other, 'udp', [
      containerModel('httpd', busybox, { command: 'sh', args: ['-c', HTTPD], ports: [`${PORT}:53/udp`] }),
    ]);
    await runner.createCell(udp);
    await runner.deleteCell(udp);
  });

  test('a port change recreates the cell on the new port; the old one no longer answers', async () => {
    const desired = web([`${PORT2}:80`]);
    const r = await runner.updateCell(desired);
    assert.equal(r.recreatedCell, true);
    assert.equal(r.cell.status.state, 'Ready');
    assert.equal(await answer(PORT2), 'hello from web');
    assert.match(await get(PORT), /^error:/);
  });

  test('after delete nothing of portmap is left in iptables-save', async () => {
    const network = networkName(at.realm, at.space);
    const chain = dnatChainName(network, cellRef(runner.ctx, { ...at, name: 'web' }).rootContainerdId);
    assert.ok(
      natRules().some((l) => l.startsWith(`:${chain} `)),
      'the DNAT chain exists while the cell runs',
    );
    await runner.deleteCell(web([`${PORT2}:80`]));
    const rules = natRules();
    assert.deepEqual(
      rules.filter((l) => l.includes(chain) || l.includes(`name: \\"${network}\\"`)),
      [],
    );
    // portmap's shared chains go with the last mapping (unless someone else still publishes).
    const foreign = rules.some((l) => l.startsWith('-A CNI-HOSTPORT-DNAT '));
    if (!foreign)
      assert.deepEqual(
        rules.filter((l) => l.includes('CNI-HOSTPORT')),
        [],
      );
  });
});
