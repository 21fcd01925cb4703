import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { stampStatus, type CommonStatus } from './status.js';
import { isStickyCellState, stateLabel } from './states.js';

describe('status stamping', () => {
  it('createdAt once, updatedAt always, readyAt once Ready', () => {
    const s: CommonStatus<string> = { state: 'Pending', cgroupPath: '' };
    stampStatus(s, 't1', 'Ready');
    assert.deepEqual([s.createdAt, s.updatedAt, s.readyAt], ['t1', 't1', undefined]);
    s.state = 'Ready';
    stampStatus(s, 't2', 'Ready');
    assert.deepEqual([s.createdAt, s.updatedAt, s.readyAt], ['t1', 't2', 't2']);
    stampStatus(s, 't3', 'Ready');
    assert.deepEqual([s.createdAt, s.updatedAt, s.readyAt], ['t1', 't3', 't2']);
  });
});

describe('states', () => {
  it('space Creating/Deleting are written as Ready/Failed; unknown values as Unknown', () => {
    assert.equal(stateLabel('space', 'Creating'), 'Ready');
    assert.equal(stateLabel('space', 'Deleting'), 'Failed');
    assert.equal(stateLabel('realm', 'Creating'), 'Creating');
    assert.equal(stateLabel('cell', 'Bogus'), 'Unknown');
  });
  it('Failed and Error are sticky cell states', () => {
    assert.deepEqual(
      (['Pending', 'Ready', 'Stopped', 'Failed', 'Unknown', 'Exited', 'Error', 'Degraded'] as const).filter(
        isStickyCellState,
      ),
      ['Failed', 'Error'],
    );
  });
});
