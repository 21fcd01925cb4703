// One masquerade rule per space (docs/cni.md, "Masquerade") on real cells: a cell reaches a TCP
// server in a network namespace of the test's own, behind a veth the test makes, that has no
// route back to the space subnet — only the space's rule in kukeon's postrouting chain can make
// that work, and the server sees the host's address; no per-cell CNI-* chain appears. A space
// written before the change (the bridge plugin's per-cell `ipMasq`) is upgraded by its next ensure
// and its cell's per-cell chain goes with the cell's delete. Deleting everything leaves nothing.
// Traffic only from the test's cells to the test's own namespace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { Runner } from '../../src/runner/runner.js';
import type { Cell } from '../../src/model/resources.js';
import {
  buildSpaceConflist,
  describeConflist,
  masqChainName,
  readConflist,
  spaceNetworkRef,
  writeConflistAtomic,
} from '../../src/cni/index.js';
import { cellRef } from '../../src/runner/cell/cell-ref.js';
import { spaceEgressContext } from '../../src/runner/space/space-egress.js';
import { cellRootPid, inNetns } from '../helpers/cell-netns.js';
import { makeOutsideNetns, removeOutsideNetns } from '../helpers/outside-netns.js';
import { runnerEnv, type RunnerEnv } from '../helpers/runner-env.js';
import { snapshotHost, type HostSnapshot } from '../helpers/host-snapshot.js';
import { purgeAndCheckHost } from '../helpers/purge-and-check.js';
import { cellModel, containerModel, provisionStack, spaceModel, stackModel } from '../helpers/cell-docs.js';
import { testImages } from '../../scripts/make-test-images.js';

const at = { realm: 'sm', space: 'new', stack: 't' };
const legacy = { realm: 'sm', space: 'old', stack: 't' };
const pid = process.pid;
// The test's "outside": a /30 in the shared address space, unique to this process.
const hostIp = `100.${64 + (pid % 64)}.${pid % 250}.1`;
const outsideIp = `100.${64 + (pid % 64)}.${pid % 250}.2`;
const outNs = `smout-${pid}`;
const vethHost = `sm${pid}h`.slice(0, 15);
const vethOut = `sm${pid}n`.slice(0, 15);
const outside = { ns: outNs, vethHost, vethOut, hostIp, outsideIp };
const SERVER = `require('net').createServer((c) => c.end(c.remoteAddress + '\\n')).listen(8080, '0.0.0.0', () => console.log('ready'))`;

const sh = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const natSave = (): string => sh('iptables-save', ['-c', '-t', 'nat']);

describe('one masquerade rule per space', { timeout: 300_000 }, () => {
  let env: RunnerEnv;
  let runner: Runner;
  let pristine: HostSnapshot;
  let server: ChildProcess | undefined;
  let busybox = '';

  /** What the outside server says to a connection from the cell `name` of `where` (its peer address). */
  const peerSeenBy = (where: typeof at, name: string): string => {
    try {
      return inNetns(
        cellRootPid(env, runner, where, name),
        'busybox',
        'nc',
        '-w',
        '3',
        outsideIp,
        '8080',
      ).trim();
    } catch {
      return 'unreachable';
    }
  };
  const startCell = async (where: typeof at, name: string): Promise<Cell> => {
    const cell = cellModel(where, name, [
      containerModel('sleep', busybox, { command: 'sleep', args: ['3600'] }),
    ]);
    await runner.createCell(cell);
    const started = await runner.startCell(cell);
    assert.equal(started.status.state, 'Ready');
    return started;
  };
  const perCellChain = (where: typeof at, name: string): string =>
    masqChainName(
      spaceNetworkRef(runner.ctx.cni, where.realm, where.space).networkName,
      cellRef(runner.ctx, { ...where, name }).rootContainerdId,
    );

  before(async () => {
    env = runnerEnv('space-masquerade');
    runner = await Runner.open(env.config);
    pristine = snapshotHost(env.config);
    const images = testImages().images;
    busybox = images.busybox.name;
    await provisionStack(runner, at, [images.busybox.file]);
    // No route back to the space subnet: a reply reaches a cell only through the masquerade.
    makeOutsideNetns(outside, false);
    server = spawn('ip', ['netns', 'exec', outNs, process.execPath, '-e', SERVER], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('exit', (c) => reject(new Error(`outside server exited ${c}`)));
      server!.stdout!.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) resolve();
      });
    });
  });

  after(async () => {
    server?.kill('SIGKILL');
    removeOutsideNetns(outside);
    await purgeAndCheckHost(env, pristine);
  });

  test('a cell reaches a server outside its space through the space rule, with the host address', async () => {
    await startCell(at, 'c');
    const tag = `kukeon:${at.realm}:${at.space}:masquerade`;
    const counted = (): number =>
      Number(
        /^\[(\d+):/.exec(
          natSave()
            .split('\n')
            .find((l) => l.includes(`"${tag}"`)) ?? '',
        )?.[1] ?? -1,
      );
    const before = counted();
    assert.ok(before >= 0, `the space rule ${tag} is in ${spaceEgressContext(runner.ctx).postroutingChain}`);
    assert.equal(peerSeenBy(at, 'c'), hostIp);
    assert.ok(counted() > before, 'the space rule translated the connection');
    assert.doesNotMatch(natSave(), new RegExp(perCellChain(at, 'c')), 'no per-cell masquerade chain');
    assert.equal(
      (
        await readConflist(spaceNetworkRef(runner.ctx.cni, at.realm, at.space).conflistPath)
      ).list.plugins.find((p) => p.type === 'bridge')?.ipMasq,
      undefined,
    );
  });

  test("a space written with the per-cell ipMasq is upgraded by its next ensure; its cell's chain goes with the cell", async () => {
    await runner.createSpace(spaceModel(legacy.realm, legacy.space));
    await runner.createStack(stackModel(legacy.realm, legacy.space, legacy.stack));
    // The conflist as a kukeon before the space rule wrote it.
    const ref = spaceNetworkRef(runner.ctx.cni, legacy.realm, legacy.space);
    const current = (await readConflist(ref.conflistPath)).list;
    const old = buildSpaceConflist({
      networkName: ref.networkName,
      bridgeName: ref.bridgeName,
      subnet: describeConflist(current).subnet!,
      ipamDataDir: env.config.cniIpamDir,
    });
    await writeConflistAtomic(ref.conflistPath, {
      ...old,
      plugins: old.plugins.map((p) => (p.type === 'bridge' ? { ...p, ipMasq: true } : p)),
    });
    const cell = await startCell(legacy, 'c');
    const chain = perCellChain(legacy, 'c');
    assert.match(natSave(), new RegExp(`^:${chain} `, 'm'), 'the bridge plugin made its per-cell chain');
    assert.equal(peerSeenBy(legacy, 'c'), hostIp);

    await runner.ensureSpace((await runner.getSpace(legacy.realm, legacy.space))!);
    const upgraded = (await readConflist(ref.conflistPath)).list;
    assert.equal(upgraded.plugins.find((p) => p.type === 'bridge')?.ipMasq, undefined, 'conflist rewritten');
    assert.equal(describeConflist(upgraded).subnet, describeConflist(current).subnet, 'same subnet');
    assert.equal(peerSeenBy(legacy, 'c'), hostIp, 'the running cell still gets out');

    await runner.deleteCell(cell, 0);
    assert.doesNotMatch(natSave(), new RegExp(chain), 'the per-cell chain went with the cell');
  });
});
