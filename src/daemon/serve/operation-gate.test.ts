import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from '../../../test/helpers/wait-until.js';
import { OperationGate } from './operation-gate.js';

/** A promise the test settles itself, so the order of events never depends on timers. */
function gateOpen() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

test('a pass waits for in-flight requests and holds new ones back while it runs', async () => {
  const gate = new OperationGate();
  const events: string[] = [];
  const req = (name: string, until: Promise<void>) =>
    gate.shared(async () => {
      events.push(`${name} start`);
      await until;
      events.push(`${name} end`);
    });
  const r1Done = gateOpen();
  const passDone = gateOpen();
  const r1 = req('r1', r1Done.opened);
  const pass = gate.whenIdle(async () => {
    events.push('pass start');
    await passDone.opened;
    events.push('pass end');
    return 42;
  }, 60_000);
  await waitUntil('r1 running', () => events.includes('r1 start'));
  assert.ok(!events.includes('pass start'), 'the pass waits for r1');
  r1Done.open();
  await waitUntil('the pass running', () => events.includes('pass start')); // r1 done, pass running
  const r2 = req('r2', Promise.resolve());
  passDone.open();
  assert.deepEqual(await pass, { ran: true, value: 42 });
  await Promise.all([r1, r2]);
  assert.deepEqual(events, ['r1 start', 'r1 end', 'pass start', 'pass end', 'r2 start', 'r2 end']);
});

test('a pass gives up behind a long request instead of stalling everyone', async (t) => {
  const gate = new OperationGate();
  const longDone = gateOpen();
  t.after(() => longDone.open());
  const long = gate.shared(() => longDone.opened);
  let ran = false;
  const res = await gate.whenIdle(async () => void (ran = true), 20);
  assert.deepEqual(res, { ran: false });
  assert.equal(ran, false);
  // It gave up while the long request was still running: it did not wait for it.
  assert.equal(gate.inFlight, 1);
  // Requests are not held back by a pass that gave up.
  await gate.shared(async () => undefined);
  longDone.open();
  await long;
  assert.equal(gate.inFlight, 0);
});
