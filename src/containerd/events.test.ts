import { test } from 'node:test';
import assert from 'node:assert/strict';
import type protobuf from 'protobufjs';
import { asTaskExit, decodeEnvelope, taskEventsFilter } from './events.js';
import { protoRegistry } from './proto-registry.js';

test('event envelopes decode their Any payload with our protos', () => {
  const root: protobuf.Root = protoRegistry().root;
  const TaskExit = root.lookupType('containerd.events.TaskExit');
  const value = TaskExit.encode(
    TaskExit.fromObject({
      container_id: 'c1',
      id: 'c1',
      pid: 42,
      exit_status: 137,
      exited_at: { seconds: 5, nanos: 0 },
    }),
  ).finish();
  const ev = decodeEnvelope({
    timestamp: { seconds: 10, nanos: 0 },
    namespace: 'ns',
    topic: '/tasks/exit',
    event: { type_url: 'containerd.events.TaskExit', value: Buffer.from(value) },
  });
  assert.equal(ev.type, 'containerd.events.TaskExit');
  assert.equal(ev.timestamp?.getTime(), 10_000);
  const exit = asTaskExit(ev);
  assert.equal(exit?.container_id, 'c1');
  assert.equal(exit?.pid, 42);
  assert.equal(exit?.exit_status, 137);
  assert.equal(asTaskExit({ ...ev, type: 'containerd.events.TaskStart' }), undefined);
  assert.equal(taskEventsFilter('n1'), 'namespace==n1,topic~="^/tasks/"');
});
