// Host isolation under `egress.default: deny` (docs/host-isolation.md) on real cells: a TCP server
// the test runs on the host, bound to every address, is unreachable from a cell of a deny space
// through its gateway and through the host's other addresses (the host chain's DROP counts it),
// reachable from a cell of an allow space, reachable from the deny space once an allow rule names
// the gateway and port; switching the space to allow removes its host chain; deleting everything
// leaves nothing. Traffic only from the test's own cells to the test's own bridges.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { promisify } from 'node:util';
import { Runner } from '../../src/runner/runner.js';
import type { Space } from '../../src/model/resources.js';
import { spaceHostChain } from '../../src/cni/egress/index.js';
import { spaceEgressContext } from '../../src/runner/space/space-egress.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { cellRootPid, netnsGateway } from '../helpers/cell-netns.js';
import { cellModel, containerModel, provisionStack, spaceModel, stackModel } from '../helpers/cell-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const run = promisify(execFile);
const open = { realm: 'hi', space: 'open', stack: 't' };
const closed = { realm: 'hi', space: 'closed', stack: 't' };

const withPolicy = (space: Space, egress: NonNullable<Space['spec']['network']>['egress']): Space => ({
  ...space,
  spec: { ...space.spec, network: { egress } },
});

describe('host isolation under a deny egress policy', () => {
  let env: RunnerEnv;
  let runner: Runner;
  let pristine: HostSnapshot;
  let server: Server;
  let port = 0;
  /** Remote addresses of the connections the host server accepted. */
  const accepted: string[] = [];
  let openPid = '';
  let closedPid = '';
  let openGw = '';
  let closedGw = '';
  let hostChain = '';

  /** busybox nc from the cell's network namespace to `addr:port`: what the server said, or `refused`. */
  const connect = async (pid: string, addr: string): Promise<string> => {
    try {
      const { stdout } = await run('nsenter', [
        '-t',
        pid,
        '-n',
        'busybox',
        'nc',
        '-w',
        '3',
        addr,
        String(port),
      ]);
      return stdout.trim();
    } catch {
      return 'refused';
    }
  };
  /** Packets the host chain's final DROP has counted. */
  const dropped = (): number => {
    const line = execFileSync('iptables-save', ['-c', '-t', 'filter'], { encoding: 'utf8' })
      .split('\n')
      .find((l) => l.includes(`-A ${hostChain} `) && l.includes(':host:default'));
    return Number(/^\[(\d+):/.exec(line ?? '')?.[1] ?? -1);
  };

  before(async () => {
    env = runnerEnv('host-isolation');
    runner = await Runner.open(env.config);
    pristine = snapshotHost(env.config);
    const images = testImages().images;
    await provisionStack(runner, open, [images.busybox.file]);
    await runner.createSpace(withPolicy(spaceModel(closed.realm, closed.space), { default: 'deny' }));
    await runner.createStack(stackModel(closed.realm, closed.space, closed.stack));
    for (const at of [open, closed]) {
      const cell = cellModel(at, 'c', [
        containerModel('sleep', images.busybox.name, { command: 'sleep', args: ['3600'] }),
      ]);
      await runner.createCell(cell);
      assert.equal((await runner.startCell(cell)).status.state, 'Ready');
    }
    openPid = cellRootPid(env, runner, open, 'c');
    closedPid = cellRootPid(env, runner, closed, 'c');
    openGw = netnsGateway(openPid);
    closedGw = netnsGateway(closedPid);
    hostChain = spaceHostChain(spaceEgressContext(runner.ctx), closed.realm, closed.space);
    server = createServer((c) => {
      accepted.push(c.remoteAddress ?? '');
      c.end('hello\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    server?.close();
    await purgeAndCheckHost(env, pristine);
  });

  test('a cell of an allow space reaches a host server through its gateway', async () => {
    assert.equal(await connect(openPid, openGw), 'hello');
  });

  test('a cell of a deny space does not: neither through its gateway nor on another host address', async () => {
    const before = dropped();
    assert.ok(before >= 0, `the host chain ${hostChain} ends in DROP`);
    const seen = accepted.length;
    assert.equal(await connect(closedPid, closedGw), 'refused');
    assert.equal(await connect(closedPid, openGw), 'refused');
    assert.ok(dropped() > before, 'the host chain dropped the attempts');
    assert.equal(accepted.length, seen, 'the server accepted nothing from the deny space');
  });

  test('an allow rule naming the gateway and the port lets exactly that through', async () => {
    const space = (await runner.getSpace(closed.realm, closed.space))!;
    const policy = { default: 'deny', allow: [{ cidr: `${closedGw}/32`, ports: [port] }] };
    await runner.ensureSpace((await runner.updateSpace(withPolicy(space, policy))).resource);
    assert.equal(await connect(closedPid, closedGw), 'hello');
    assert.equal(await connect(closedPid, openGw), 'refused', 'another host address is still closed');
  });

  test('switching the space to allow removes its host chain', async () => {
    const space = (await runner.getSpace(closed.realm, closed.space))!;
    await runner.ensureSpace((await runner.updateSpace(withPolicy(space, { default: 'allow' }))).resource);
    const chains = execFileSync('iptables-save', ['-t', 'filter'], { encoding: 'utf8' });
    assert.doesNotMatch(chains, new RegExp(hostChain));
    assert.equal(await connect(closedPid, openGw), 'hello');
  });
});
