import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { UsageTree } from '../../model/cell-usage.js';
import { silentLogger } from '../../log.js';
import { EventRing } from '../events/event-ring.js';
import { checkWebAccess } from './web-access.js';
import { MAX_UNREAD_BYTES, sendEvent, startWebView, type WebView } from './web-view.js';

const tree: UsageTree = {
  realms: [
    {
      name: 'r',
      spaces: [
        {
          name: 's',
          stacks: [
            {
              name: 't',
              cells: [
                {
                  realm: 'r',
                  space: 's',
                  stack: 't',
                  name: 'c',
                  state: 'Ready',
                  usage: {
                    cpuUsageNs: 1,
                    restarts: 0,
                    containers: [{ id: 'main', state: 'Running', restarts: 0 }],
                  },
                },
              ],
            },
          ],
        },
      ],
    },
  ],
};

/** Reads server-sent events from a response until `done` says the ones wanted arrived. */
async function readEvents(
  res: Response,
  done: (events: { event: string; data: unknown }[]) => boolean,
): Promise<{ event: string; data: unknown }[]> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: { event: string; data: unknown }[] = [];
  let buffer = '';
  while (!done(events)) {
    const { value, done: end } = await reader.read();
    if (end) break;
    buffer += decoder.decode(value, { stream: true });
    let i: number;
    while ((i = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data !== undefined) events.push({ event, data: JSON.parse(data) });
    }
  }
  await reader.cancel();
  return events;
}

describe('web view server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'web-view-'));
  const logFile = join(dir, 'log');
  const ring = new EventRing(10);
  let view: WebView;
  let base: string;
  let locked: WebView;
  const token = 'k'.repeat(32);

  before(async () => {
    writeFileSync(logFile, 'one\ntwo\n');
    const source = {
      tree: () => Promise.resolve(tree),
      events: ring,
      logPath: () => Promise.resolve(logFile),
    };
    view = await startWebView(checkWebAccess('127.0.0.1:0', undefined), source, silentLogger, {
      sampleMs: 60_000,
    });
    base = `http://${view.address}`;
    locked = await startWebView(checkWebAccess('127.0.0.1:0', token), source, silentLogger);
  });
  after(async () => {
    await view.close();
    await locked.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the page, its script, its library and stylesheet, with a strict content policy', async () => {
    for (const [path, type] of [
      ['/', 'text/html'],
      ['/app.js', 'text/javascript'],
      ['/vendor/preact-htm.js', 'text/javascript'],
      ['/style.css', 'text/css'],
    ]) {
      const res = await fetch(base + path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type')!, new RegExp(`^${type}`));
      assert.match(res.headers.get('content-security-policy')!, /script-src 'self'/);
      assert.ok((await res.text()).length > 0);
    }
    assert.equal((await fetch(`${base}/etc/passwd`)).status, 404);
    assert.equal((await fetch(`${base}/../package.json`)).status, 404);
    assert.equal((await fetch(base, { method: 'POST' })).status, 405);
  });

  test('a Host header that is not loopback is refused', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/`, { headers: { host: 'rebound.example' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
  });

  test('/api/stream: the backlog, the tree, then each event and a fresh tree after it', async () => {
    ring.emit({ kind: 'Cell', reason: 'Created', realm: 'r', cell: 'c', message: 'cell created' });
    const res = await fetch(`${base}/api/stream`);
    assert.match(res.headers.get('content-type')!, /^text\/event-stream/);
    let emitted = false;
    const got = await readEvents(res, (evs) => {
      if (!emitted && evs.some((e) => e.event === 'tree')) {
        emitted = true;
        ring.emit({
          kind: 'Cell',
          reason: 'Stopped',
          realm: 'r',
          cell: 'c',
          message: 'cell Ready → Stopped',
        });
      }
      return evs.filter((e) => e.event === 'tree').length >= 2;
    });
    assert.deepEqual(
      got.map((e) => e.event),
      ['events', 'tree', 'event', 'tree'],
    );
    assert.equal((got[0].data as { reason: string }[])[0].reason, 'Created');
    assert.equal((got[2].data as { reason: string }).reason, 'Stopped');
    assert.equal((got[1].data as UsageTree).realms[0].spaces[0].stacks[0].cells[0].name, 'c');
  });

  test('/api/log: the last lines, then what is appended', async () => {
    const res = await fetch(`${base}/api/log?realm=r&space=s&stack=t&cell=c&container=main`);
    let appended = false;
    const got = await readEvents(res, (evs) => {
      const text = evs.map((e) => e.data).join('');
      if (!appended && text.includes('two\n')) {
        appended = true;
        appendFileSync(logFile, 'three\n');
      }
      return text.includes('three\n');
    });
    assert.equal(got.map((e) => e.data).join(''), 'one\ntwo\nthree\n');
    const bad = await readEvents(await fetch(`${base}/api/log?realm=r`), (evs) => evs.length > 0);
    assert.deepEqual(bad, [{ event: 'error', data: 'space is required' }]);
  });

  test('with a token: refused without it, served with the bearer header or the cookie the query sets', async () => {
    const at = `http://${locked.address}`;
    assert.equal((await fetch(at)).status, 401);
    assert.equal((await fetch(at, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const first = await fetch(`${at}/?token=${token}`, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/');
    const cookie = first.headers.get('set-cookie')!.split(';')[0];
    assert.equal((await fetch(`${at}/app.js`, { headers: { cookie } })).status, 200);
  });
});

test('a page that stops reading is cut once it leaves too much unread', () => {
  const res = {
    written: [] as string[],
    writableLength: 0,
    destroyed: false,
    write(chunk: string) {
      this.written.push(chunk);
      this.writableLength += chunk.length;
      return true;
    },
    destroy() {
      this.destroyed = true;
      return this;
    },
  };
  const sink = res as unknown as Parameters<typeof sendEvent>[0];
  sendEvent(sink, 'log', 'a line');
  assert.deepEqual(res.written, ['event: log\ndata: "a line"\n\n']);
  assert.equal(res.destroyed, false);
  sendEvent(sink, 'log', 'x'.repeat(MAX_UNREAD_BYTES));
  assert.equal(res.destroyed, true);
  sendEvent(sink, 'log', 'more');
  assert.equal(res.written.length, 2, 'nothing is written to a cut page');
});
