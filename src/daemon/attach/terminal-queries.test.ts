import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutTerminalQueries } from './terminal-queries.js';

const strip = (s: string): string => withoutTerminalQueries(Buffer.from(s, 'latin1')).toString('latin1');

test('terminal queries are dropped from a replay, everything else is kept', () => {
  // busybox ash's prompt: text, then the cursor position query.
  assert.equal(strip('/ # \x1b[6n'), '/ # ');
  for (const q of [
    '\x1b[5n',
    '\x1b[?6n',
    '\x1b[c',
    '\x1b[0c',
    '\x1b[>c',
    '\x1b[=0c',
    '\x1b[?25$p',
    '\x1b[>0q',
  ])
    assert.equal(strip(`a${q}b`), 'ab', JSON.stringify(q));
  for (const q of ['\x1b[14t', '\x1b[18t', '\x1b]11;?\x07', '\x1b]10;?\x1b\\', '\x1b]4;1;?\x07'])
    assert.equal(strip(`a${q}b`), 'ab', JSON.stringify(q));
  // Not queries: colours, cursor moves, clears, window resizes, titles.
  const kept = 'x\x1b[1;32mgreen\x1b[0m\x1b[2J\x1b[H\x1b[10;5H\x1b[8;24;80t\x1b]0;title\x07\x1b[?25l\x1b[K';
  assert.equal(strip(kept), kept);
  const same = Buffer.from('plain text\r\n');
  assert.equal(withoutTerminalQueries(same), same);
});
