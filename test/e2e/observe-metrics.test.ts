import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import parsePrometheusTextFormat, { type ParsedFamily } from 'parse-prometheus-text-format';
import { waitFor } from '../helpers/kukeond-child.js';
import { b64, cellYaml, FOREVER } from '../helpers/fault-docs.js';
import { startRealmDaemon, type RealmDaemon } from '../helpers/realm-daemon.js';
import { testImages } from '../../scripts/make-test-images.js';

/**
 * `kukeond --metrics-address`: GET /metrics in the Prometheus text format, parsed by an
 * independent parser, with every family the daemon promises.
 */
describe('kukeond metrics', () => {
  let d: RealmDaemon;
  let base: string;
  const R = `om${process.pid}`;

  before(async () => {
    // Port 0: the daemon logs the port it got.
    d = await startRealmDaemon('observe-metrics', R, '2s', ['--metrics-address', '127.0.0.1:0']);
    const { value } = await waitFor(
      'the metrics address in the log',
      () => /"address":"(127\.0\.0\.1:\d+)","msg":"metrics endpoint listening"/.exec(d.daemon.output())?.[1],
      10_000,
    );
    base = `http://${value}`;
  });
  after(() => d?.stop());

  const scrape = async (): Promise<{ families: Map<string, ParsedFamily>; text: string }> => {
    const res = await fetch(`${base}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    return { families: new Map(parsePrometheusTextFormat(text).map((f) => [f.name, f])), text };
  };
  /**
   * The `_count` of one labelled histogram series. The parser folds a histogram's series into one
   * unlabelled entry (it handles unlabelled histograms only), so the series are read from the
   * sample lines themselves; the family and its type still come from the parser.
   */
  const histogramCount = (text: string, name: string, labels: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(`${name}_count{${labels}} `));
    return line ? Number(line.split(' ')[1]) : 0;
  };

  test('cells by state, container CPU/memory/restarts, reconcile and RPC histograms, RSS', async () => {
    const yaml = cellYaml({ realm: R }, 'counted', testImages().images.busybox.name, FOREVER);
    assert.equal(
      (await d.call('ApplyDocuments', { RawYAML: b64(yaml), Team: '' })).Result.Resources[0].action,
      'created',
    );
    // A scheduled tick (2 s) has run once the reconcile histogram has a full pass.
    const {
      value: { families, text },
    } = await waitFor(
      'a full reconcile pass observed',
      async () => {
        const s = await scrape();
        const full = histogramCount(s.text, 'kukeon_reconcile_pass_duration_seconds', 'pass="full"');
        return full > 0 ? s : undefined;
      },
      60_000,
      500,
    );
    const family = (name: string, type: ParsedFamily['type']) => {
      const f = families.get(name);
      assert.ok(f, `family ${name} missing: ${[...families.keys()].join(' ')}`);
      assert.equal(f.type, type, name);
      return f;
    };
    const cells = family('kukeon_cells', 'GAUGE').metrics;
    assert.deepEqual(
      cells.filter((m) => m.labels?.realm === R),
      [{ labels: { realm: R, space: 'web', stack: 'api', state: 'Ready' }, value: '1' }],
    );
    const main = { realm: R, space: 'web', stack: 'api', cell: 'counted', container: 'main' };
    const sample = (name: string, type: ParsedFamily['type']) =>
      family(name, type).metrics.find((m) => JSON.stringify(m.labels) === JSON.stringify(main));
    assert.ok(Number(sample('kukeon_container_cpu_seconds_total', 'COUNTER')?.value) >= 0);
    assert.ok(Number(sample('kukeon_container_memory_bytes', 'GAUGE')?.value) > 0);
    assert.equal(sample('kukeon_container_restarts_total', 'COUNTER')?.value, '0');
    family('kukeon_reconcile_pass_duration_seconds', 'HISTOGRAM');
    family('kukeon_rpc_duration_seconds', 'HISTOGRAM');
    assert.ok(
      histogramCount(text, 'kukeon_rpc_duration_seconds', 'method="ApplyDocuments",outcome="ok"') >= 2,
      'the scope and the cell applies',
    );
    const rss = Number(family('kukeon_daemon_resident_memory_bytes', 'GAUGE').metrics[0].value);
    assert.ok(rss > 10 * 1024 * 1024 && rss < 2 * 1024 * 1024 * 1024, `rss ${rss}`);

    assert.equal((await fetch(`${base}/`)).status, 404);
    assert.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });
});
