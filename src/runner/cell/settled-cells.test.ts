import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskProcess } from '../../containerd/index.js';
import type { Cell } from '../../model/resources.js';
import type { RunnerContext } from '../runner-context.js';
import type { CellRef } from './cell-ref.js';
import type { NamespaceObservation } from './container-observation.js';
import { documentVersion, SettledCells } from './settled-cells.js';

const dir = mkdtempSync(join(tmpdir(), `settled-cells-${process.pid}-`));
const doc = join(dir, 'metadata.json');
const ctx = { store: { documentPath: () => doc } } as unknown as RunnerContext;
const ref = { lockKey: 'cell:r/s/t/a', scope: ['r', 's', 't', 'a'] } as unknown as CellRef;
const ids = ['s_t_a_root', 's_t_a_w'];
const cell = { status: { state: 'Ready', updatedAt: '2026-01-01T00:00:00.000Z' } } as unknown as Cell;
const later = Date.parse('2026-01-01T00:00:01Z');

function obs(pids: number[], takenAt = later): NamespaceObservation {
  const tasks = new Map<string, TaskProcess>(
    ids.map((id, i) => [id, { id, container_id: id, pid: pids[i], status: 'RUNNING' } as TaskProcess]),
  );
  return { namespace: 'ns', containers: new Set(ids), tasks, takenAt };
}

/** Rewrites the document as the store does: a new file renamed over the old one. */
function rewrite(text: string): void {
  writeFileSync(`${doc}.tmp`, text);
  renameSync(`${doc}.tmp`, doc);
}

test('a settled cell is skipped only while its file, its tasks and the observation age agree', async () => {
  try {
    rewrite('{"v":1}');
    const settled = new SettledCells();
    assert.equal(await settled.unchanged(ctx, ref, obs([10, 11])), undefined, 'nothing recorded yet');
    settled.record(ref, { version: (await documentVersion(ctx, ref))!, obs: obs([10, 11]), ids, cell });

    assert.equal(await settled.unchanged(ctx, ref, obs([10, 11])), cell, 'same file, same tasks');
    assert.equal(await settled.unchanged(ctx, ref, obs([10, 12])), undefined, 'a task was replaced');
    const stopped = obs([10, 11]);
    stopped.tasks.set('s_t_a_w', { ...stopped.tasks.get('s_t_a_w')!, status: 'STOPPED' });
    assert.equal(await settled.unchanged(ctx, ref, stopped), undefined, 'a task stopped');
    const gone = obs([10, 11]);
    gone.containers.delete('s_t_a_root');
    assert.equal(await settled.unchanged(ctx, ref, gone), undefined, 'a record vanished');
    assert.equal(
      await settled.unchanged(ctx, ref, obs([10, 11], Date.parse(cell.status.updatedAt!))),
      undefined,
      'an observation not newer than the last write',
    );

    rewrite('{"v":1}');
    assert.equal(await settled.unchanged(ctx, ref, obs([10, 11])), undefined, 'the file was rewritten');

    settled.record(ref, { version: (await documentVersion(ctx, ref))!, obs: obs([10, 11]), ids, cell });
    assert.equal(await settled.unchanged(ctx, ref, obs([10, 11])), cell);
    settled.forget(ref);
    assert.equal(await settled.unchanged(ctx, ref, obs([10, 11])), undefined, 'forgotten');

    settled.record(ref, { version: (await documentVersion(ctx, ref))!, obs: obs([10, 11]), ids, cell });
    rmSync(doc);
    assert.equal(await settled.unchanged(ctx, ref, obs([10, 11])), undefined, 'the file is gone');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
