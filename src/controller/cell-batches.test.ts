import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApplyKind, ParsedDocument } from '../api/index.js';
import { PARALLEL_CELLS } from './cell-batches.js';
import { applyDocuments } from './apply/apply-documents.js';
import { deleteDocuments, type DeleteHandlers } from './delete-documents.js';
import type { ApplyHandlers } from './apply/apply-types.js';

const cell = (name: string, stack = 't'): string =>
  `kind: Cell\nmetadata: { name: ${name} }\nspec: { realmId: r, spaceId: s, stackId: ${stack}, containers: [{ id: w, image: busybox }] }\n`;

/** Handlers that record the order cells start and end in, and how many run at once. */
function recording(): { handlers: ApplyHandlers; log: string[]; peak: () => number } {
  let running = 0;
  let peak = 0;
  const log: string[] = [];
  const handle = async (doc: ParsedDocument) => {
    running++;
    peak = Math.max(peak, running);
    log.push(`start ${doc.name}`);
    // Yield a few turns so that siblings get the chance to start.
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    if (doc.name === 'bad') {
      running--;
      throw new Error('no');
    }
    log.push(`end ${doc.name}`);
    running--;
    // An apply outcome; a delete handler's entries (it ignores the shape).
    return Object.assign([] as string[], { action: 'created' as const });
  };
  const kinds: ApplyKind[] = [
    'Realm',
    'Space',
    'Stack',
    'Cell',
    'Container',
    'Secret',
    'CellBlueprint',
    'CellConfig',
    'Volume',
  ];
  return {
    handlers: Object.fromEntries(kinds.map((k) => [k, handle])) as unknown as ApplyHandlers,
    log,
    peak: () => peak,
  };
}

test('cells apply up to PARALLEL_CELLS at once; results stay in document order, a failure stays its own', async () => {
  const { handlers, log, peak } = recording();
  const names = Array.from({ length: 20 }, (_, i) => (i === 7 ? 'bad' : `c${i}`));
  const results = await applyDocuments(names.map((n) => cell(n)).join('---\n'), handlers);
  assert.deepEqual(
    results.map((r) => r.name),
    names,
  );
  assert.equal(results[7].action, 'failed');
  assert.equal(results[7].error, 'no');
  assert.ok(results.filter((r) => r.action === 'created').length === 19);
  assert.equal(peak(), PARALLEL_CELLS);
  // The first cell of the stack ran alone (it may create the realm, space and stack).
  assert.deepEqual(log.slice(0, 2), ['start c0', 'end c0']);
});

test('the first cell of each stack runs alone; two documents of one name run one after the other', async () => {
  const { handlers, log } = recording();
  await applyDocuments(
    [cell('a', 't1'), cell('b', 't2'), cell('x', 't1'), cell('x', 't2')].join('---\n'),
    handlers,
  );
  assert.deepEqual(log.slice(0, 4), ['start a', 'end a', 'start b', 'end b']);
  const xs = log.slice(4);
  assert.deepEqual(xs, ['start x', 'end x', 'start x', 'end x']);
});

test('delete -f: cells go several at once (no first-alone), their stack only after every cell ended', async () => {
  const { handlers, log, peak } = recording();
  const stack = 'kind: Stack\nmetadata: { name: t }\nspec: { realmId: r, spaceId: s }\n';
  const names = Array.from({ length: 12 }, (_, i) => `c${i}`);
  const results = await deleteDocuments(
    [stack, ...names.map((n) => cell(n))].join('---\n'),
    handlers as unknown as DeleteHandlers,
    { force: false, cascade: false },
  );
  assert.deepEqual(
    results.map((r) => r.name),
    [...names, 't'],
  );
  assert.equal(peak(), PARALLEL_CELLS);
  assert.deepEqual(log.slice(-2), ['start t', 'end t']);
});
