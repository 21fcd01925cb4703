import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KukeonEvent } from '../../src/model/kukeon-event.js';
import { waitFor } from '../helpers/kukeond-child.js';
import { b64, cellYaml, FOREVER } from '../helpers/fault-docs.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { testImages } from '../../scripts/make-test-images.js';

/**
 * `kuke events` against a real kukeond: a workload that allocates past its memory limit is
 * killed by the kernel, and the event ring says so (read from the container cgroup's own OOM
 * counter), next to the cell's creation, its containers' starts and the apply result.
 */
describe('kuke events', () => {
  let d: RealmDaemon;
  const R = `oe${process.pid}`;
  const call: RealmDaemon['call'] = (m, a) => d.call(m, a);

  before(async () => {
    d = await startRealmDaemon('observe-events', R, '60s');
  });
  after(() => d?.stop());

  test('an OOM-killed container shows up as such, after its cell was created and started', async () => {
    // `tail` keeps the whole newline-free stream in memory: 256 MiB against a 32 MiB limit.
    const yaml = cellYaml(
      { realm: R },
      'hog',
      testImages().images.busybox.name,
      'head -c 268435456 /dev/zero | tail',
      {
        more: [{ id: 'side', script: FOREVER }],
      },
    ).replace('      command: sh\n', '      command: sh\n      resources: { memoryLimitBytes: 33554432 }\n');
    const applied = (await call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' })).Result.Resources;
    assert.equal(applied[0].action, 'created', JSON.stringify(applied));
    const mine = (e: KukeonEvent) => e.realm === R && e.cell === 'hog';
    const { value: events } = await waitFor(
      'an OOMKilled event',
      async () => {
        const r = await call('ListEvents', { Realm: R, Cell: 'hog' });
        return r.Events.some((e) => e.reason === 'OOMKilled') ? r.Events : undefined;
      },
      60_000,
      250,
    );
    assert.ok(events.every(mine), 'the scope filter keeps only the cell');
    const oom = events.find((e) => e.reason === 'OOMKilled')!;
    assert.equal(oom.kind, 'Container');
    assert.equal(oom.container, 'main');
    assert.equal(oom.type, 'Warning');
    assert.match(oom.message, /OOM killer \(memory limit 33554432 bytes\)/);
    const reasons = events.map((e) => `${e.kind}/${e.container ?? ''}/${e.reason}`);
    assert.ok(reasons.includes('Cell//Created'), reasons.join(' '));
    assert.ok(reasons.includes('Container/side/Started'), reasons.join(' '));
    // The apply result carries the document's scope, so the cell filter keeps it too.
    assert.ok(reasons.includes('Cell//Applied'), reasons.join(' '));
    // The exit itself, recorded when the pass persists it, names the OOM killer too.
    await waitFor(
      'the exit of main',
      async () =>
        (await call('ListEvents', { Realm: R, Cell: 'hog' })).Events.find(
          (e) => e.container === 'main' && e.reason === 'Exited' && /by the OOM killer/.test(e.message),
        ),
      30_000,
      250,
    );

    // The CLI: a table, JSON, the scope filter and --since.
    const table = d.kuke(['events', '--realm', R, '--cell', 'hog']);
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^TIME +TYPE +REASON +OBJECT +MESSAGE/);
    assert.match(table.out, /Warning +OOMKilled +container\/hog\/main +killed by the kernel's OOM killer/);
    const json = d.kuke(['events', '-o', 'json']);
    assert.equal(json.code, 0, json.err);
    const parsed = JSON.parse(json.out) as KukeonEvent[];
    assert.ok(parsed.some((e) => e.reason === 'OOMKilled' && e.cell === 'hog'));
    assert.ok(
      parsed.some((e) => e.reason === 'Applied' && e.name === 'hog'),
      'the apply result',
    );
    const none = d.kuke(['events', '--realm', R, '--since', '2000-01-01T00:00:00Z', '--cell', 'nothing']);
    assert.equal(none.out, 'No events found.\n');
    assert.doesNotMatch(d.daemon.output(), /metrics endpoint listening/, 'metrics are off by default');
    const bad = d.kuke(['events', '--since', 'yesterday']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /invalid --since "yesterday"/);
  });

  test('--watch prints an event that happens after it started', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(
      process.execPath,
      [d.kukePath, 'events', '--watch', '--realm', R, '--cell', 'later', '-o', 'json'],
      { env: d.kukeEnv() },
    );
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    try {
      const yaml = cellYaml({ realm: R }, 'later', testImages().images.busybox.name, FOREVER);
      await call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' });
      await waitFor(
        'the watcher prints the start',
        () => (/"reason":"Ready"/.test(out) ? true : undefined),
        30_000,
      );
      const lines = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as KukeonEvent);
      assert.ok(lines.every((e) => e.cell === 'later'));
      assert.ok(lines.some((e) => e.reason === 'Created'));
    } finally {
      child.kill('SIGTERM');
    }
  });
});
