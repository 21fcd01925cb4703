import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { isRunning, ownProcess } from './process-identity.js';

test('this process runs; a pid with another start time is not the same process', () => {
  const me = ownProcess();
  assert.equal(me.pid, process.pid);
  assert.match(me.start, /^\d+$/);
  assert.equal(isRunning(me), true);
  assert.equal(isRunning({ pid: me.pid, start: `${Number(me.start) + 1}` }), false, 'a reused pid');
});

test('a child runs until it is killed; unreaped (a zombie) it no longer counts', async () => {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
  const id = { pid: child.pid!, start: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] };
  assert.equal(isRunning(id), true);
  const exited = once(child, 'exit');
  process.kill(child.pid!, 'SIGKILL');
  // Until node reaps it the kernel keeps it as a zombie: dead for this purpose.
  for (let i = 0; i < 200 && isRunning(id); i++) await new Promise((r) => setTimeout(r, 5));
  assert.equal(isRunning(id), false);
  await exited;
  assert.equal(isRunning(id), false);
  assert.equal(isRunning({ pid: 2 ** 22 + 7, start: '1' }), false, 'no such pid');
});
