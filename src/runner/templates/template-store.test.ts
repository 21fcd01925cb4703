import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';

import type { CellBlueprintDoc } from '../../api/index.js';
import { DocumentStore, KeyedMutex } from '../../store/index.js';
import type { RunnerContext } from '../runner-context.js';
import { deleteTemplate, getTemplate, listTemplates, writeTemplate } from './template-store.js';

let dir: string;
let ctx: RunnerContext;

const blueprint = (name: string, scope: object, image = 'busybox'): CellBlueprintDoc => ({
  apiVersion: 'v1beta1',
  kind: 'CellBlueprint',
  metadata: { name, realm: 'r', ...scope },
  spec: { cell: { containers: [{ id: 'a', image }] } },
});

beforeEach(async () => {
  dir = mkdtempSync(join(process.env.TMPDIR ?? tmpdir(), 'template-store-'));
  ctx = {
    config: { runPath: dir },
    store: new DocumentStore({ dataRoot: join(dir, 'data') }),
    locks: new KeyedMutex(),
  } as unknown as RunnerContext;
  await ctx.store.write(['r'], { kind: 'Realm', metadata: { name: 'r' } });
  await ctx.store.write(['r', 's'], { kind: 'Space', metadata: { name: 's' } });
  await ctx.store.write(['r', 's', 't'], { kind: 'Stack', metadata: { name: 't' } });
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a blueprint is a file at its scope; the generation counts changes, not re-writes', async () => {
  const first = await writeTemplate(ctx, 'CellBlueprint', blueprint('bp', { space: 's' }));
  assert.deepEqual([first.created, first.changed, first.doc.metadata?.generation], [true, false, 1]);
  assert.ok(existsSync(join(dir, 'data', 'r', 's', 'blueprints', 'bp.json')));
  const same = await writeTemplate(ctx, 'CellBlueprint', blueprint('bp', { space: 's' }));
  assert.deepEqual([same.created, same.changed, same.doc.metadata?.generation], [false, false, 1]);
  const changed = await writeTemplate(ctx, 'CellBlueprint', blueprint('bp', { space: 's' }, 'alpine'));
  assert.deepEqual([changed.created, changed.changed, changed.doc.metadata?.generation], [false, true, 2]);
  assert.equal(
    (await getTemplate(ctx, 'CellBlueprint', { name: 'bp', realm: 'r', space: 's' }))?.metadata?.generation,
    2,
  );
  assert.equal(await getTemplate(ctx, 'CellBlueprint', { name: 'bp', realm: 'r' }), undefined);
  // No temp file is left behind, and a crash's would be swept as metadata (`.meta-…tmp`).
  assert.deepEqual(readdirSync(join(dir, 'data', 'r', 's', 'blueprints')), ['bp.json']);
});

test('the scope must exist; list filters by coordinates; delete says whether there was one', async () => {
  await assert.rejects(
    writeTemplate(ctx, 'CellBlueprint', blueprint('x', { space: 'nope' })),
    /blueprint scope does not exist: space "nope"/,
  );
  await writeTemplate(ctx, 'CellBlueprint', blueprint('a', {}));
  await writeTemplate(ctx, 'CellBlueprint', blueprint('b', { space: 's' }));
  await writeTemplate(ctx, 'CellBlueprint', blueprint('c', { space: 's', stack: 't' }));
  const names = async (f: object) =>
    (await listTemplates(ctx, 'CellBlueprint', f)).map((d) => d.metadata?.name);
  assert.deepEqual(await names({}), ['a', 'b', 'c']);
  assert.deepEqual(await names({ realm: 'r', space: 's' }), ['b', 'c']);
  assert.deepEqual(await names({ realm: 'r', space: 's', stack: 't' }), ['c']);
  assert.deepEqual(await names({ realm: 'other' }), []);
  assert.deepEqual(await listTemplates(ctx, 'CellConfig'), []);
  assert.equal(await deleteTemplate(ctx, 'CellBlueprint', { name: 'b', realm: 'r', space: 's' }), true);
  assert.equal(await deleteTemplate(ctx, 'CellBlueprint', { name: 'b', realm: 'r', space: 's' }), false);
  await assert.rejects(
    getTemplate(ctx, 'CellBlueprint', { name: 'c', realm: 'r', stack: 't' }),
    /stack set without space/,
  );
});
