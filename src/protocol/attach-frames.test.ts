import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeFrame,
  exitPayload,
  FrameDecoder,
  FrameType,
  LineReader,
  MAX_FRAME_BYTES,
  parseResize,
  resizePayload,
} from './attach-frames.js';

describe('attach frames', () => {
  it('round-trips frames split at every byte boundary', () => {
    const stream = Buffer.concat([
      encodeFrame(FrameType.Output, Buffer.from('héllo')),
      encodeFrame(FrameType.Resize, resizePayload(132, 43)),
      encodeFrame(FrameType.Exit, exitPayload(3)),
      encodeFrame(FrameType.Input),
    ]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const d = new FrameDecoder();
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      assert.deepEqual(
        frames.map((f) => f.type),
        [FrameType.Output, FrameType.Resize, FrameType.Exit, FrameType.Input],
      );
      assert.equal(frames[0].payload.toString(), 'héllo');
      assert.deepEqual(parseResize(frames[1].payload), { cols: 132, rows: 43 });
      assert.equal(frames[2].payload.readInt32BE(0), 3);
      assert.equal(frames[3].payload.length, 0);
    }
  });

  it('rejects an oversized frame and a malformed resize', () => {
    const header = Buffer.alloc(5);
    header[0] = FrameType.Input;
    header.writeUInt32BE(MAX_FRAME_BYTES + 1, 1);
    assert.throws(() => new FrameDecoder().push(header), /exceeds/);
    assert.equal(parseResize(Buffer.alloc(3)), undefined);
    assert.equal(exitPayload(undefined).readInt32BE(0), -1);
  });

  it('reads a handshake line and keeps what follows it', () => {
    const r = new LineReader(16);
    assert.equal(r.push(Buffer.from('{"ok"')), undefined);
    const got = r.push(Buffer.from(':true}\nREST'));
    assert.deepEqual([got?.line, got?.rest.toString()], ['{"ok":true}', 'REST']);
    assert.throws(() => new LineReader(4).push(Buffer.from('123456')), /exceeds/);
  });
});
