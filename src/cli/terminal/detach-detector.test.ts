import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DetachDetector } from './detach-detector.js';

const b = (...xs: number[]) => Buffer.from(xs);

describe('DetachDetector', () => {
  it('passes ordinary input through', () => {
    assert.deepEqual(new DetachDetector().push(Buffer.from('ls\r')), {
      forward: Buffer.from('ls\r'),
      detach: false,
    });
  });

  it('detaches on Ctrl-] Ctrl-] and forwards what came before', () => {
    assert.deepEqual(new DetachDetector().push(b(0x61, 0x1d, 0x1d, 0x62)), {
      forward: b(0x61),
      detach: true,
    });
  });

  it('detects the sequence split across reads', () => {
    const d = new DetachDetector();
    assert.deepEqual(d.push(b(0x61, 0x1d)), { forward: b(0x61), detach: false });
    assert.deepEqual(d.push(b(0x1d)), { forward: b(), detach: true });
  });

  it('forwards a lone Ctrl-] with the byte after it', () => {
    const d = new DetachDetector();
    assert.deepEqual(d.push(b(0x1d)), { forward: b(), detach: false });
    assert.deepEqual(d.push(b(0x78)), { forward: b(0x1d, 0x78), detach: false });
  });
});
