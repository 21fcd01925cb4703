// Published ports (docs/networking-ports.md) on real cells: busybox httpd in a cell publishing a
// host port answers on 127.0.0.1 from the host; the same host port in another realm is refused
// and leaves nothing; a port change recreates the cell on the new port; after delete nothing of
// portmap is left in iptables-save. Traffic goes only to 127.0.0.1 (DNATed into the test's cell).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { Runner } from '../../src/runner/runner.js';
import type { Cell } from '../../src/model/resources.js';
import { cellRef } from '../../src/runner/cell/cell-ref.js';
import { dnatChainName } from '../../src/cni/iptables.js';
import { networkName } from '../../src/model/naming/index.js';
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
