import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopRow } from '../../src/cli/commands/top.js';
import { waitFor } from '../helpers/kukeond-child.js';
import { b64, FOREVER } from '../helpers/fault-docs.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { testImages } from '../../scripts/make-test-images.js';

const MiB = 1024 * 1024;

/**
 * `kuke top` against a real kukeond: a cell that burns CPU, a cell that holds a known amount of
 * memory, sends packets to its gateway and has a workload its policy keeps restarting.
 */
describe('kuke top', () => {
  let d: RealmDaemon;
  const R = `ot${process.pid}`;
  const call: RealmDaemon['call'] = (m, a) => d.call(m, a);
  const topJson = (args: string[]): TopRow[] => {
    const r = d.kuke(['top', ...args, '--realm', R, '--interval', '1s', '-o', 'json']);
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as TopRow[];
  };
  const workload = (id: string, script: string, extra = '') =>
    `    - id: ${id}\n      image: ${testImages().images.busybox.name}\n      command: sh\n` +
    `      args: ${JSON.stringify(['-c', script])}\n${extra}`;
  const cell = (name: string, containers: string) =>
    `kind: Cell\nmetadata:\n  name: ${name}\nspec:\n  realmId: ${R}\n  spaceId: web\n  stackId: api\n  containers:\n${containers}`;

  before(async () => {
    d = await startRealmDaemon('observe-top', R, '2s');
  });
  after(() => d?.stop());

  test('CPU, memory, pids, network and restarts of a burning and a holding cell', async () => {
    const yaml = [
      cell('burner', workload('spin', 'while :; do :; done')),
      cell(
        'holder',
        // `tail` keeps the newline-free input in memory while the pipe stays open: 64 MiB held.
        workload(
          'hold',
          '(head -c 67108864 /dev/zero; sleep 3600) | tail',
          '      resources: { memoryLimitBytes: 268435456 }\n',
        ) +
          workload('pinger', `ping -c 5 $(ip route | awk '/default/ {print $3}'); ${FOREVER}`) +
          workload(
            'flaky',
            'sleep 1; exit 1',
            '      restartPolicy: always\n      restartBackoffSeconds: 1\n',
          ),
      ),
    ].join('---\n');
    const applied = (await call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' })).Result.Resources;
    assert.deepEqual(
      applied.map((r) => r.action),
      ['created', 'created'],
      JSON.stringify(applied),
    );
    // The held memory, the pings and a restart by policy take a moment to show; so does the end
    // of `tail` taking in the 64 MiB, which burns CPU of its own on a loaded host.
    const { value: cells } = await waitFor(
      'the holder figures, the holder settled below the burner',
      () => {
        const rows = topJson([]);
        const h = rows.find((r) => r.cell === 'holder');
        const b = rows.find((r) => r.cell === 'burner');
        const settled = h && b && h.cpuPercent! < b.cpuPercent!;
        return settled && h.memoryBytes! >= 64 * MiB && h.netTxBytes! > 0 && h.restarts >= 1
          ? rows
          : undefined;
      },
      120_000,
      500,
    );
    const burner = cells.find((r) => r.cell === 'burner')!;
    const holder = cells.find((r) => r.cell === 'holder')!;
    assert.equal(cells[0].cell, 'burner', 'sorted by CPU');
    assert.ok(burner.cpuPercent! > 5, `burner at ${burner.cpuPercent}% CPU`);
    assert.ok(burner.cpuPercent! > holder.cpuPercent!, 'burner above holder');
    assert.ok(holder.memoryBytes! < 200 * MiB, `holder uses ${holder.memoryBytes} bytes`);
    assert.ok(burner.memoryBytes! < 32 * MiB, `burner uses ${burner.memoryBytes} bytes`);
    assert.ok(holder.pids! >= 5, `holder pids ${holder.pids}`); // root, sh, head/sleep, tail, pinger…
    assert.ok(holder.netRxBytes! > 0, 'the gateway answered the pings');
    assert.equal(burner.state, 'Ready');

    const containers = topJson(['containers']);
    const hold = containers.find((r) => r.cell === 'holder' && r.container === 'hold')!;
    assert.ok(
      hold.memoryBytes! >= 64 * MiB && hold.memoryBytes! < 200 * MiB,
      `hold uses ${hold.memoryBytes}`,
    );
    assert.equal(hold.memoryLimitBytes, 268435456);
    assert.ok(containers.find((r) => r.container === 'flaky')!.restarts >= 1);
    assert.equal(containers[0].container, 'spin');

    const table = d.kuke(['top', '--realm', R, '--interval', '1s']);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^CELL +STACK +STATE +CPU +MEMORY +PIDS +NET RX +NET TX +RESTARTS\n/);
    assert.match(table.out, new RegExp(`\\nburner +${R}/web/api +Ready +\\d+\\.\\d% `));
    assert.match(table.out, /\nholder .* MiB \/ unlimited /);
    const bad = d.kuke(['top', 'pods']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /unknown resource "pods" for "kuke top": want cells or containers/);
  });
});
