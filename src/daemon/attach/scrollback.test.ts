import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Scrollback } from './scrollback.js';

describe('Scrollback', () => {
  it('keeps everything under the limit, in order', () => {
    const s = new Scrollback(100);
    s.push(Buffer.from('ab'));
    s.push(Buffer.from('cd'));
    assert.equal(s.snapshot().toString(), 'abcd');
    assert.equal(s.bytes, 4);
  });

  it('never holds more than the limit and keeps the newest bytes', () => {
    const s = new Scrollback(64);
    for (let i = 0; i < 500; i++) s.push(Buffer.from(`x${i}`));
    const text = s.snapshot().toString();
    assert.ok(s.bytes <= 64 && text.length === s.bytes);
    assert.ok(text.endsWith('x499'));
  });

  it('starts at a line boundary when one is near the front', () => {
    const s = new Scrollback(80);
    s.push(Buffer.from('a'.repeat(5) + '\n' + 'b'.repeat(70)));
    s.push(Buffer.from('c'.repeat(8)));
    // 84 bytes: the 4 oldest go, which leaves "a\n" of a cut line in front: that goes too.
    assert.equal(s.snapshot().toString(), 'b'.repeat(70) + 'c'.repeat(8));
  });

  it('keeps a cut line when no newline is near the front', () => {
    const s = new Scrollback(80);
    s.push(Buffer.from('a'.repeat(40) + '\n' + 'b'.repeat(39)));
    s.push(Buffer.from('c'.repeat(4)));
    assert.equal(s.snapshot().toString(), 'a'.repeat(36) + '\n' + 'b'.repeat(39) + 'c'.repeat(4));
  });

  it('keeps the tail of a chunk larger than the limit', () => {
    const s = new Scrollback(16);
    s.push(Buffer.from('a'.repeat(100) + 'TAIL'));
    assert.ok(s.snapshot().toString().endsWith('TAIL'));
    assert.ok(s.bytes <= 16);
  });

  it('passes bytes through unchanged (no text decoding)', () => {
    const s = new Scrollback(100);
    const euro = Buffer.from('€');
    s.push(euro.subarray(0, 1));
    s.push(euro.subarray(1));
    assert.deepEqual(s.snapshot(), euro);
  });
});
