import assert from 'node:assert/strict';
import { test } from 'node:test';
import { textLogDestination, textLogLine } from './text-log.js';

test('pino JSON records become time=… level=… msg=… key=value lines', () => {
  const line = textLogLine(
    JSON.stringify({
      level: 20,
      time: Date.parse('2026-01-10T12:00:00Z'),
      pid: 1,
      hostname: 'h',
      msg: 'containerd call',
      method: 'Version',
      ms: 3,
      path: '/a b',
    }),
  );
  assert.equal(
    line,
    'time=2026-01-10T12:00:00.000Z level=DEBUG msg="containerd call" method=Version ms=3 path="/a b"\n',
  );
  assert.equal(textLogLine('not json'), 'not json\n');
  let out = '';
  textLogDestination({ write: (s) => (out += s) }).write(
    '{"level":40,"time":0,"msg":"w"}\n{"level":30,"time":0,"msg":"i"}\n',
  );
  assert.equal(
    out,
    'time=1970-01-01T00:00:00.000Z level=WARN msg="w"\ntime=1970-01-01T00:00:00.000Z level=INFO msg="i"\n',
  );
});
