import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerdClient } from './client.js';
import { ContainerdError, ContainerdNotFoundError } from './errors.js';
import { deleteTask } from './teardown.js';

/** A client whose Tasks.Delete answers from a script and whose Tasks.Get says whether the task is left. */
function fakeClient(deletes: (Error | undefined)[], present: boolean[]) {
  const calls: string[] = [];
  const client = {
    tasks: {
      delete: () => {
        calls.push('delete');
        const e = deletes.shift();
        return e ? Promise.reject(e) : Promise.resolve({});
      },
      get: () => {
        calls.push('get');
        return present.shift() ? Promise.resolve({ status: 'STOPPED' }) : Promise.reject(notFound());
      },
    },
  } as unknown as ContainerdClient;
  return { client, calls };
}

const shimClosed = () => new ContainerdError('containerd tasks.Delete: failed to delete task: ttrpc: closed');
const notFound = () => new ContainerdNotFoundError('containerd tasks.Get: not found');

test('a Delete the shim closed under is done once containerd no longer lists the task', async () => {
  const { client, calls } = fakeClient([shimClosed()], [false]);
  assert.equal(await deleteTask(client, 'ns', 'c'), true);
  assert.deepEqual(calls, ['delete', 'get']);
});

test('a Delete the shim closed under is tried again while the task is still listed', async () => {
  const { client, calls } = fakeClient([shimClosed(), undefined], [true]);
  assert.equal(await deleteTask(client, 'ns', 'c'), true);
  assert.deepEqual(calls, ['delete', 'get', 'delete']);
});

test('a task already gone is false; any other error is thrown at once; a closed shim gives up after 5 tries', async () => {
  assert.equal(await deleteTask(fakeClient([notFound()], []).client, 'ns', 'c'), false);
  const other = fakeClient([new ContainerdError('containerd tasks.Delete: boom')], []);
  await assert.rejects(deleteTask(other.client, 'ns', 'c'), /boom/);
  assert.deepEqual(other.calls, ['delete']);
  const stuck = fakeClient(Array.from({ length: 5 }, shimClosed), [true, true, true, true]);
  await assert.rejects(deleteTask(stuck.client, 'ns', 'c'), /ttrpc: closed/);
  assert.equal(stuck.calls.filter((c) => c === 'delete').length, 5);
});
