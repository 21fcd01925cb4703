import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Cell } from '../../model/resources.js';
import type { EventInput } from '../../model/kukeon-event.js';
import { CellTransitions } from './cell-transitions.js';

const scope = ['r', 's', 't', 'web'];

function cell(state: string, main: { state: string; exitCode?: number; restarts?: number }): Cell {
  return {
    spec: {
      containers: [
        { id: 'root', root: true, restartPolicy: '' },
        { id: 'main', containerdId: 's_t_web_main', restartPolicy: 'always' },
      ],
    },
    status: {
      state,
      containers: [
        { id: 'root', state: 'Ready', exitCode: 0, restartCount: 0 },
        { id: 'main', state: main.state, exitCode: main.exitCode ?? 0, restartCount: main.restarts ?? 0 },
      ],
    },
  } as unknown as Cell;
}

function tracker(oom: string[] = []) {
  const out: EventInput[] = [];
  const t = new CellTransitions({ emit: (e) => out.push(e) }, (id) => oom.includes(id));
  const reasons = () =>
    out.splice(0).map((e) => `${e.kind}:${e.container ?? ''}:${e.reason}:${e.type ?? 'Normal'}`);
  return { t, reasons, out };
}

test('a new cell is Created, then its transitions and container starts/exits are reported', () => {
  const { t, reasons } = tracker();
  t.written(scope, cell('Pending', { state: 'NotCreated' }));
  assert.deepEqual(reasons(), ['Cell::Created:Normal']);
  t.written(scope, cell('Ready', { state: 'Ready' }));
  assert.deepEqual(reasons(), ['Container:main:Started:Normal', 'Cell::Ready:Normal']);
  t.written(scope, cell('Ready', { state: 'Ready' }));
  assert.deepEqual(reasons(), [], 'an unchanged write says nothing');
  t.written(scope, cell('Error', { state: 'Exited', exitCode: 3 }));
  assert.deepEqual(reasons(), ['Container:main:Exited:Warning', 'Cell::Error:Warning']);
  t.written(scope, cell('Ready', { state: 'Ready', restarts: 1 }));
  assert.deepEqual(reasons(), [
    'Container:main:Restarted:Normal',
    'Container:main:Started:Normal',
    'Cell::Ready:Normal',
  ]);
  t.written(scope, undefined);
  assert.deepEqual(reasons(), ['Cell::Deleted:Normal']);
});

test('a cell first seen in another state (daemon restarted) is remembered silently', () => {
  const { t, reasons } = tracker();
  t.written(scope, cell('Ready', { state: 'Ready' }));
  assert.deepEqual(reasons(), []);
});

test('an exit the OOM watch marked says so; a signal exit names the signal', () => {
  const { t, reasons, out } = tracker(['s_t_web_main']);
  t.written(scope, cell('Ready', { state: 'Ready' }));
  t.written(scope, cell('Degraded', { state: 'Exited', exitCode: 137 }));
  const exit = out.find((e) => e.container === 'main')!;
  assert.match(exit.message, /killed by SIGKILL \(exit code 137\), by the OOM killer/);
  assert.deepEqual(reasons(), ['Container:main:Exited:Warning', 'Cell::Degraded:Warning']);
});
