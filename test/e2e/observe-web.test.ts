import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { startKukeond, waitFor } from '../helpers/kukeond-child.js';
import { b64, cellDoc, cellYaml, FOREVER } from '../helpers/fault-docs.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { testImages } from '../../scripts/make-test-images.js';

// What the functions evaluated in the page use of it (this project compiles without DOM types).
declare const document: {
  getElementById(id: string): { textContent: string | null } | null;
  querySelector(selector: string): { textContent: string | null } | null;
};
declare const window: { sameDocument?: boolean };

/** Debian's chromium (scripts/install-prereqs.sh); playwright-core downloads no browser. */
const CHROMIUM = process.env.KUKEON_TEST_CHROMIUM ?? '/usr/bin/chromium';

/**
 * `kukeond --http-address`: the web view in a real, headless chromium. The page shows a cell
 * the test made, follows its state when the test stops it (the same document: no reload), tails
 * a container's output, and lists the events. Screenshots go to the test's temp dir
 * (KUKEON_SCREENSHOT_DIR keeps them elsewhere, e.g. docs/ for the README's picture).
 */
describe('kukeond web view in chromium', () => {
  let d: RealmDaemon;
  let base: string;
  let browser: Browser;
  let shots: string;
  const R = `ow${process.pid}`;
  const marker = `hello-from-${process.pid}`;

  // The token comes from the configuration file only; every other setting from the flags.
  const token = randomBytes(24).toString('hex');
  const configDir = mkdtempSync(join(tmpdir(), 'kukeon-observe-web-'));
  const configuration = join(configDir, 'kukeond.yaml');

  before(async () => {
    writeFileSync(
      configuration,
      `apiVersion: v1beta1\nkind: ServerConfiguration\nmetadata:\n  name: web\nspec:\n  httpToken: ${token}\n`,
    );
    d = await startRealmDaemon('observe-web', R, '2s', [
      '--http-address',
      '127.0.0.1:0',
      '--configuration',
      configuration,
    ]);
    const { value } = await waitFor(
      'the web view address in the log',
      () => /"address":"(127\.0\.0\.1:\d+)"[^\n]*"msg":"web view listening"/.exec(d.daemon.output())?.[1],
      10_000,
    );
    base = `http://${value}`;
    shots = process.env.KUKEON_SCREENSHOT_DIR ?? join(d.env.dir, 'screenshots');
    mkdirSync(shots, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await d?.stop();
    rmSync(configDir, { recursive: true, force: true });
  });

  test('a cell, its state change without a reload, a log line in the tail, the events', async () => {
    const busybox = testImages().images.busybox.name;
    const talk = `trap 'exit 0' TERM; i=0; while :; do echo "${marker} line $i"; i=$((i+1)); sleep 1 & wait; done`;
    const yaml = [
      cellYaml({ realm: R }, 'greeter', busybox, talk, { more: [{ id: 'idle', script: FOREVER }] }),
      cellYaml({ realm: R }, 'worker', busybox, FOREVER),
    ].join('---\n');
    const applied = (await d.call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' })).Result.Resources;
    assert.deepEqual(
      applied.map((r) => r.action),
      ['created', 'created'],
      JSON.stringify(applied),
    );

    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // Without the token nothing is served; with it once in the address, the browser keeps it
    // in a cookie (the event streams send no headers) and the address bar loses it.
    assert.equal((await fetch(`${base}/api/stream`)).status, 401);
    await page.goto(`${base}/?token=${token}`);
    assert.equal(page.url(), `${base}/`);
    const cell = `[data-cell="${R}/web/api/greeter"]`;
    await page.waitForSelector(`${cell}[data-state="Ready"]`, { timeout: 120_000 });
    await page.waitForSelector('#live[data-live="true"]');
    // Functions evaluated in the page (as functions, not strings: the page's content policy
    // forbids eval, and the test keeps that policy in force).
    const logHas = (text: string) =>
      page.waitForFunction((t) => document.getElementById('log')?.textContent?.includes(t), text, {
        timeout: 60_000,
      });
    // A mark on this document: a reload would lose it.
    await page.evaluate(() => (window.sameDocument = true));

    await page.click(`[data-log="${R}/web/api/greeter/main"]`);
    await logHas(`${marker} line`);
    // The tail goes on: a line written after the page opened arrives too.
    const seen = Number(/line (\d+)$/.exec((await page.textContent('#log'))!.trimEnd())?.[1]);
    await logHas(`${marker} line ${seen + 2}\n`);
    // Top figures are shown once two samples exist.
    await page.waitForFunction(
      (sel) => /CPU \d+\.\d%/.test(document.querySelector(sel)?.textContent ?? ''),
      cell,
      { timeout: 30_000 },
    );
    assert.match((await page.textContent(`${cell} [data-container$="/main"]`))!, /main\s*Ready/);
    const ready = join(shots, 'web-view.png');
    await page.screenshot({ path: ready });
    assert.ok(statSync(ready).size > 10_000);

    const stopped = await d.call('StopCell', cellDoc({ realm: R }, 'greeter'));
    assert.equal(stopped.Result.Cell.status?.state, 'Stopped');
    await page.waitForSelector(`${cell}[data-state="Stopped"]`, { timeout: 60_000 });
    assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was not reloaded');
    await page.waitForSelector('#events li[data-reason="Stopped"]', { timeout: 30_000 });
    const events = (await page.textContent('#events'))!;
    assert.match(events, /Createdcell\/greeter/);
    assert.match(events, /Stoppedcell\/greeter/);
    await page.screenshot({ path: join(shots, 'web-view-stopped.png') });
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('when kukeond restarts, the open page reconnects by itself and the tail goes on', async () => {
    const again = `again-from-${process.pid}`;
    const talk = `trap 'exit 0' TERM; i=0; while :; do echo "${again} line $i"; i=$((i+1)); sleep 1 & wait; done`;
    const yaml = cellYaml({ realm: R }, 'talker', testImages().images.busybox.name, talk);
    await d.call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' });
    const page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${base}/?token=${token}`);
    await page.waitForSelector(`[data-cell="${R}/web/api/talker"][data-state="Ready"]`, { timeout: 120_000 });
    await page.click(`[data-log="${R}/web/api/talker/main"]`);
    const status = (text: string) =>
      page.waitForFunction((t) => document.getElementById('log-status')?.textContent?.includes(t), text, {
        timeout: 60_000,
      });
    const lastLine = async () =>
      Number(/line (\d+)$/.exec((await page.textContent('#log'))!.trimEnd())?.[1] ?? -1);
    await page.waitForFunction(
      (t) => document.getElementById('log')?.textContent?.includes(t),
      `${again} line`,
      {
        timeout: 60_000,
      },
    );
    await page.evaluate(() => (window.sameDocument = true));

    // The same address: the port the first daemon was given.
    const address = new URL(base).host;
    await d.daemon.stop();
    await page.waitForSelector('#live[data-live="false"]');
    await status('reconnecting');
    const second = await startKukeond(d.env.config, d.env.dir, '2s', [
      '--http-address',
      address,
      '--configuration',
      configuration,
    ]);
    try {
      await page.waitForSelector('#live[data-live="true"]', { timeout: 60_000 });
      await status('following');
      // A line the workload writes after the page is following again arrives too.
      const seen = await lastLine();
      await page.waitForFunction(
        (t) => document.getElementById('log')?.textContent?.includes(t),
        `${again} line ${seen + 1}\n`,
        { timeout: 60_000 },
      );
      // The tail was replaced on reconnect, not appended twice.
      const text = (await page.textContent('#log'))!;
      assert.equal(text.split(`${again} line 0\n`).length - 1, 1, text);
      assert.equal(await page.evaluate('window.sameDocument'), true, 'the page was not reloaded');
      assert.deepEqual(errors, []);
    } finally {
      await page.close();
      await second.stop();
    }
  });
});
