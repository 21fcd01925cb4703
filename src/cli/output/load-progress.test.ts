import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLoadProgress } from './load-progress.js';

type FakeTty = Writable & {
  isTTY: boolean;
  columns: number;
  text: string;
  cursorTo(): boolean;
  clearLine(): boolean;
  moveCursor(): boolean;
};

/** A terminal-like stream that records what the bar draws. */
function fakeTty(): FakeTty {
  const w = new Writable({
    write(chunk, _enc, cb) {
      (w as unknown as { text: string }).text += chunk.toString();
      cb();
    },
  }) as FakeTty;
  w.isTTY = true;
  w.columns = 120;
  w.text = '';
  w.cursorTo = () => true;
  w.clearLine = () => true;
  w.moveCursor = () => true;
  return w;
}

test('no terminal, no bar', async () => {
  const bar = await createLoadProgress({ isTTY: false });
  bar.update({ phase: 'write', bytesDone: 1, bytesTotal: 2, layersDone: 0, layersTotal: 1 });
  bar.stop();
});

test('bytes while writing, then layers while unpacking', async () => {
  const tty = fakeTty();
  const bar = await createLoadProgress(tty as unknown as NodeJS.WriteStream);
  bar.update({ phase: 'write', bytesDone: 0, bytesTotal: 4096, layersDone: 0, layersTotal: 2 });
  bar.update({ phase: 'write', bytesDone: 4096, bytesTotal: 4096, layersDone: 0, layersTotal: 2 });
  bar.update({ phase: 'unpack', bytesDone: 4096, bytesTotal: 4096, layersDone: 1, layersTotal: 2 });
  bar.update({ phase: 'unpack', bytesDone: 4096, bytesTotal: 4096, layersDone: 2, layersTotal: 2 });
  bar.update({ phase: 'done', bytesDone: 4096, bytesTotal: 4096, layersDone: 2, layersTotal: 2 });
  bar.stop();
  assert.match(tty.text, /writing +\[.*\] 100% \| 4\.0 KiB \/ 4\.0 KiB/);
  assert.match(tty.text, /unpacking \[.*\] 100% \| 2\/2 layers/);
});
