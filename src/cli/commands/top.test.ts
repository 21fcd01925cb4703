import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopCellsReply } from '../../protocol/method-types.js';
import { renderTop, topRows } from './top.js';

const sample = (at: number, cpu: Record<string, number>): TopCellsReply => ({
  SampledAt: at,
  Cells: Object.entries(cpu).map(([name, ns]) => ({
    realm: 'r',
    space: 's',
    stack: 't',
    name,
    state: 'Ready',
    usage: {
      cpuUsageNs: ns,
      memoryBytes: 2 * 1024 * 1024,
      pids: 2,
      netRxBytes: 10,
      netTxBytes: 20,
      restarts: 1,
      containers: [
        {
          id: 'main',
          state: 'Ready',
          restarts: 1,
          cpuUsageNs: ns,
          memoryBytes: 1024,
          memoryLimitBytes: 4096,
        },
      ],
    },
  })),
});

test('CPU % is the CPU time between two samples over the wall time between them; rows sorted by CPU', () => {
  const rows = topRows(
    sample(1000, { a: 0, b: 0, gone: 0 }),
    sample(3000, { a: 500e6, b: 3e9, fresh: 1 }),
    false,
  );
  assert.deepEqual(
    rows.map((r) => [r.cell, r.cpuPercent]),
    [
      ['b', 150], // 3 s of CPU in 2 s: one and a half cores
      ['a', 25],
      ['fresh', undefined], // no earlier sample: no rate yet
    ],
  );
  const table = renderTop(rows, false);
  assert.match(table, /^CELL +STACK +STATE +CPU +MEMORY +PIDS +NET RX +NET TX +RESTARTS\n/);
  assert.match(table, /\nb +r\/s\/t +Ready +150\.0% +2\.0 MiB \/ unlimited +2 +10 B +20 B +1 *\n/);
  assert.match(table, /\nfresh +r\/s\/t +Ready +- /);
});

test('containers: one row per container, with its own limit', () => {
  const rows = topRows(sample(0, { a: 0 }), sample(1000, { a: 1e8 }), true);
  assert.deepEqual(rows, [
    {
      realm: 'r',
      space: 's',
      stack: 't',
      cell: 'a',
      container: 'main',
      state: 'Ready',
      cpuPercent: 10,
      memoryBytes: 1024,
      memoryLimitBytes: 4096,
      pids: undefined,
      restarts: 1,
    },
  ]);
  assert.match(renderTop(rows, true), /\na +main +r\/s\/t +Ready +10\.0% +1\.0 KiB \/ 4\.0 KiB +- +1 *\n/);
});
