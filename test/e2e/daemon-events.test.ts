import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr } from '../helpers/containerd.js';
import { waitFor } from '../helpers/kukeond-child.js';
import { b64, cellYaml, FOREVER } from '../helpers/fault-docs.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { testImages } from '../../scripts/make-test-images.js';

/**
 * kukeond acts on containerd task-exit events at once instead of waiting for the next tick: with a
 * one-minute reconcile interval, a workload killed from outside is recorded within seconds.
 */
describe('kukeond reacts to task-exit events, not only to the tick', () => {
  let d: RealmDaemon;
  const R = `ev${process.pid}`;
  const call: RealmDaemon['call'] = (m, a) => d.call(m, a);
  /** The persisted state (ListCells does not observe containerd; only a reconcile writes it). */
  const persisted = async (cell: string): Promise<string | undefined> =>
    (await call('ListCells', { RealmName: R, SpaceName: 'web', StackName: 'api' })).Cells.find(
      (c) => c.metadata?.name === cell,
    )?.status?.state;

  before(async () => {
    d = await startRealmDaemon('daemon-events', R, '60s');
  });
  after(() => d?.stop());

  test('a workload killed with ctr is recorded Stopped long before the next tick', async () => {
    const yaml = cellYaml({ realm: R }, 'watched', testImages().images.busybox.name, FOREVER);
    const applied = (await call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' })).Result.Resources;
    assert.equal(applied[0].action, 'created');
    assert.equal(await persisted('watched'), 'Ready');
    ctr(
      d.env.config.containerdSocket,
      ['tasks', 'kill', '-s', 'SIGKILL', 'web_api_watched_main'],
      `${R}.${d.env.config.namespaceSuffix}`,
    );
    const seen = await waitFor(
      'Stopped persisted',
      async () => ((await persisted('watched')) === 'Stopped' ? true : undefined),
      10_000,
    );
    assert.ok(seen.ms < 10_000, `recorded after ${seen.ms} ms with a 60 s interval`);
    assert.ok(d.daemon.alive());
  });

  // Start has no fixed liveness window: a workload that dies after its start
  // returned Ready is an ordinary exit, recorded by the pass the exit event runs.
  test('a workload that exits after a successful start is recorded by the exit event', async () => {
    const yaml = cellYaml({ realm: R }, 'crashy', testImages().images.busybox.name, 'sleep 3; exit 3', {
      more: [{ id: 'side', script: FOREVER }],
    });
    const applied = (await call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' })).Result.Resources;
    assert.equal(applied[0].action, 'created');
    assert.equal(await persisted('crashy'), 'Ready');
    const seen = await waitFor(
      'Degraded persisted',
      async () => ((await persisted('crashy')) === 'Degraded' ? true : undefined),
      15_000,
    );
    assert.ok(seen.ms < 15_000, `recorded after ${seen.ms} ms with a 60 s interval`);
    const cell = (await call('ListCells', { RealmName: R, SpaceName: 'web', StackName: 'api' })).Cells.find(
      (c) => c.metadata?.name === 'crashy',
    );
    const main = cell?.status?.containers?.find((c) => c.id === 'main');
    assert.equal(main?.state, 'Error');
    assert.equal(main?.exitCode, 3);
  });
});
