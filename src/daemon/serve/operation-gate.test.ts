import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { OperationGate } from './operation-gate.js';

test('a pass waits for in-flight requests and holds new ones back while it runs', async () => {
  const gate = new OperationGate();
  const events: string[] = [];
  const req = (name: string, ms: number) =>
    gate.shared(async () => {
      events.push(`${name} start`);
      await sleep(ms);
      events.push(`${name} end`);
    });
  const r1 = req('r1', 30);
  await sleep(5);
  const pass = gate.whenIdle(async () => {
    events.push('pass start');
    await sleep(20);
    events.push('pass end');
    return 42;
  }, 1000);
  await sleep(40); // r1 done, pass running
  const r2 = req('r2', 1);
  assert.deepEqual(await pass, { ran: true, value: 42 });
  await Promise.all([r1, r2]);
  assert.deepEqual(events, ['r1 start', 'r1 end', 'pass start', 'pass end', 'r2 start', 'r2 end']);
});

test('a pass gives up behind a long request instead of stalling everyone', async () => {
  const gate = new OperationGate();
  const long = gate.shared(() => sleep(80));
  const t0 = Date.now();
  let ran = false;
  const res = await gate.whenIdle(async () => void (ran = true), 20);
  assert.deepEqual(res, { ran: false });
  assert.equal(ran, false);
  assert.ok(Date.now() - t0 < 70);
  // Requests are not held back by a pass that gave up.
  await gate.shared(async () => undefined);
  await long;
  assert.equal(gate.inFlight, 0);
});
