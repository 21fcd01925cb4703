import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attachLivenessError, pickAttachable } from './attach.js';
import { runAttachTarget } from './run.js';

const cellDoc = (state: string, containers: object[], tty?: object) => ({
  metadata: { name: 'c' },
  spec: { containers, ...(tty ? { tty } : {}) },
  status: { state },
});
const root = { id: 'root', root: true };
const got = (state: string, rootRunning = true, containers: object[] = [root]) => ({
  MetadataExists: true,
  RootContainerTaskRunning: rootRunning,
  Cell: cellDoc(state, containers),
});

describe('attach liveness guard', () => {
  it('accepts Ready and Degraded cells whose root runs', () => {
    assert.equal(attachLivenessError('c', got('Ready')), undefined);
    assert.equal(attachLivenessError('c', got('Degraded')), undefined);
  });

  it('names every refusal with its message', () => {
    const message = (g: Record<string, unknown> | undefined) => attachLivenessError('c', g)?.message;
    assert.equal(
      message(undefined),
      'cell "c" does not exist; create it first with `kuke run --image <ref> --name c`',
    );
    assert.equal(message({ MetadataExists: false }), message(undefined));
    assert.equal(
      message(got('Ready', false)),
      'cell "c" is recorded Ready but its containers are gone from containerd (kukeon metadata and containerd have diverged); delete it with `kuke delete cell c` before re-running',
    );
    for (const state of ['Stopped', 'Exited', 'Error'])
      assert.equal(
        message(got(state)),
        `cell "c" is in state ${state} (no work container is running); start it first with \`kuke start c\``,
      );
    for (const state of ['Pending', 'Failed', 'Unknown'])
      assert.equal(
        message(got(state)),
        `cell "c" is in state ${state}; delete it with \`kuke delete cell c\` before re-running`,
      );
  });
});

describe('container choice', () => {
  const a = { id: 'a', attachable: true };
  const b = { id: 'b', attachable: true };
  const plain = { id: 'p' };

  it('attach picks the single attachable non-root container', () => {
    assert.equal(pickAttachable(cellDoc('Ready', [root, plain, b]), 'c'), 'b');
    assert.throws(() => pickAttachable(cellDoc('Ready', [root, plain]), 'c'), {
      message: 'no attachable container in cell (cell "c")',
    });
    assert.throws(() => pickAttachable(cellDoc('Ready', [root, b, a]), 'c'), {
      message: 'multiple attachable containers in cell; specify --container (cell "c"): candidates: a, b',
    });
  });

  it('run attaches to --container, else spec.tty.default, else the first attachable one', () => {
    const cell = cellDoc('Ready', [root, plain, b, a]);
    assert.equal(runAttachTarget(cell, 'c', 'a'), 'a');
    assert.equal(runAttachTarget(cell, 'c', undefined), 'b');
    assert.equal(runAttachTarget(cellDoc('Ready', [root, b, a], { default: 'a' }), 'c', undefined), 'a');
    assert.throws(() => runAttachTarget(cell, 'c', 'p'), {
      message:
        'container "p" is not an attachable container of cell "c"; available attachable containers: a, b',
    });
    assert.throws(() => runAttachTarget(cellDoc('Ready', [root, plain]), 'c', 'p'), {
      message:
        'container "p" is not an attachable container of cell "c"; available attachable containers: <none>',
    });
    assert.throws(() => runAttachTarget(cellDoc('Ready', [root, plain]), 'c', undefined), {
      message:
        'no attachable container in cell (cell "c"); declare \'attachable: true\' on one container or pass -d/--detach',
    });
  });
});
