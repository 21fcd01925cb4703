import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSpec, ContainerStatus } from '../../model/container.js';
import type { Cell } from '../../model/resources.js';
import type { ContainerState } from '../../model/states.js';
import { deriveCellState, errorBreadcrumb, latchReadyObserved, policyRestarts } from './cell-state.js';
import { exitSignal, observeContainer, type NamespaceObservation } from './container-observation.js';
import type { TaskProcess } from '../../containerd/index.js';

const spec = (id: string, over: Partial<ContainerSpec> = {}): ContainerSpec =>
  ({ id, image: 'i', command: '', args: [], env: [], restartPolicy: '', ...over }) as ContainerSpec;
const cellOf = (containers: ContainerSpec[]): Cell =>
  ({
    metadata: { name: 'c', labels: {} },
    spec: { id: 'c', containers },
    status: { containers: [] },
  }) as unknown as Cell;
const st = (id: string, state: ContainerState, exitCode = 0): ContainerStatus => ({
  id,
  name: id,
  state,
  exitCode,
  exitSignal: exitSignal(exitCode),
  restartCount: 0,
});

test('workloads decide the cell state', () => {
  const cell = cellOf([spec('root', { root: true }), spec('a'), spec('b')]);
  const root = st('root', 'Ready');
  assert.equal(deriveCellState(cell, [root, st('a', 'Ready'), st('b', 'Ready')]), 'Ready');
  assert.equal(
    deriveCellState(cell, [root, st('a', 'Ready'), st('b', 'Exited')]),
    'Ready',
    'a clean exit beside a runner',
  );
  assert.equal(deriveCellState(cell, [root, st('a', 'Ready'), st('b', 'Error', 3)]), 'Degraded');
  assert.equal(
    deriveCellState(cell, [root, st('a', 'Ready'), st('b', 'Stopped', 137)]),
    'Degraded',
    'killed beside a runner',
  );
  assert.equal(deriveCellState(cell, [root, st('a', 'Exited'), st('b', 'Exited')]), 'Exited');
  assert.equal(deriveCellState(cell, [root, st('a', 'Exited'), st('b', 'Error', 1)]), 'Error');
  assert.equal(
    deriveCellState(cell, [root, st('a', 'Stopped', 137), st('b', 'Exited')]),
    'Stopped',
    'killed from outside',
  );
  assert.equal(deriveCellState(cell, [root, st('a', 'Unknown'), st('b', 'Exited')]), 'Unknown');
  assert.equal(deriveCellState(cell, [root, st('a', 'Ready')]), 'Unknown', 'a workload without a status');
});

test('a restart policy that will restart an exit makes the cell Degraded meanwhile', () => {
  const cell = cellOf([spec('root', { root: true }), spec('a'), spec('b', { restartPolicy: 'always' })]);
  assert.equal(deriveCellState(cell, [st('root', 'Ready'), st('a', 'Ready'), st('b', 'Exited')]), 'Degraded');
  assert.equal(policyRestarts('always', 0), true);
  assert.equal(policyRestarts('on-failure', 0), false);
  assert.equal(policyRestarts('on-failure', 2), true);
  assert.equal(policyRestarts('never', 2), false);
  assert.equal(policyRestarts('', 2), false);
});

test('root-only cells follow the root', () => {
  const cell = cellOf([spec('root', { root: true })]);
  assert.equal(deriveCellState(cell, [st('root', 'Ready')]), 'Ready');
  assert.equal(deriveCellState(cell, [st('root', 'Exited')]), 'Exited');
  assert.equal(deriveCellState(cell, [st('root', 'Error', 2)]), 'Error');
  assert.equal(deriveCellState(cell, [st('root', 'Stopped', 143)]), 'Stopped');
});

test('the ReadyObserved latch and the Error breadcrumb', () => {
  assert.equal(latchReadyObserved(undefined, 'Pending', 'Pending'), false);
  assert.equal(latchReadyObserved(undefined, 'Pending', 'Ready'), true);
  assert.equal(latchReadyObserved(true, 'Exited', 'Exited'), true);
  const cell = cellOf([spec('root', { root: true }), spec('web')]);
  assert.deepEqual(errorBreadcrumb(cell, [st('root', 'Ready'), st('web', 'Error', 139)]), {
    reason: 'WorkloadFailed',
    message: 'container "web" terminated by SIGSEGV (exit code 139)',
  });
  assert.deepEqual(errorBreadcrumb(cell, [st('root', 'Ready'), st('web', 'Error', 3)]), {
    reason: 'WorkloadFailed',
    message: 'container "web" exited with code 3',
  });
});

test('containerd facts map onto container states', () => {
  const task = (status: TaskProcess['status'], exit = 0): TaskProcess =>
    ({ container_id: 'x', id: 'x', pid: 5, status, exit_status: exit, exited_at: null }) as TaskProcess;
  const obs = (t?: TaskProcess): NamespaceObservation => ({
    containers: new Set(['x']),
    tasks: new Map(t ? [['x', t]] : []),
  });
  assert.equal(observeContainer(obs(), 'y').state, 'NotCreated');
  assert.equal(observeContainer(obs(), 'x').state, 'Stopped', 'record without a task');
  assert.equal(observeContainer(obs(task('RUNNING')), 'x').state, 'Ready');
  assert.equal(observeContainer(obs(task('CREATED')), 'x').state, 'Pending');
  assert.equal(observeContainer(obs(task('STOPPED', 0)), 'x').state, 'Exited');
  assert.equal(observeContainer(obs(task('STOPPED', 3)), 'x').state, 'Error');
  assert.equal(observeContainer(obs(task('STOPPED', 137)), 'x').state, 'Stopped', 'SIGKILL is a stop');
  assert.equal(observeContainer(obs(task('STOPPED', 143)), 'x').state, 'Stopped', 'SIGTERM is a stop');
  assert.equal(exitSignal(137), 'SIGKILL');
  assert.equal(exitSignal(1), '');
});
