import { createServer, type Server } from 'node:http';
import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CellUsageRow } from '../../model/cell-usage.js';
import type { Logger } from '../../log.js';
import { listenOn, parseListenAddress } from '../serve/listen-address.js';

/** What the endpoint reads on each scrape (never between scrapes). */
export interface MetricsSource {
  cellUsages(): Promise<CellUsageRow[]>;
}

export interface DaemonMetrics {
  /** The address actually bound (`127.0.0.1:41234` when port 0 was asked). */
  readonly address: string;
  observeRpc(method: string, seconds: number, ok: boolean): void;
  observePass(kind: 'full' | 'cells', seconds: number): void;
  close(): Promise<void>;
}

const CELL_LABELS = ['realm', 'space', 'stack', 'state'] as const;
const CONTAINER_LABELS = ['realm', 'space', 'stack', 'cell', 'container'] as const;

/**
 * kukeond's Prometheus endpoint (docs/metrics.md), started only with `--metrics-address`:
 * prom-client is loaded then and not before. Cell and container figures are read when scraped
 * (one walk per scrape, through the same code as `kuke top`); the histograms are fed by the RPC
 * layer and the reconcile loop, which only call into this when it exists.
 */
export async function startMetrics(
  addressText: string,
  source: MetricsSource,
  log: Logger,
): Promise<DaemonMetrics> {
  const { host, port } = parseListenAddress('--metrics-address', addressText);
  const prom = await import('prom-client');
  const registry: Registry = new prom.Registry();
  let rows: CellUsageRow[] = [];
  const each = (fn: (r: CellUsageRow, c: CellUsageRow['usage']['containers'][number]) => void) => {
    for (const r of rows) for (const c of r.usage.containers) fn(r, c);
  };
  const containerLabels = (r: CellUsageRow, id: string) => ({
    realm: r.realm,
    space: r.space,
    stack: r.stack,
    cell: r.name,
    container: id,
  });

  new prom.Gauge({
    name: 'kukeon_cells',
    help: 'Cells by realm, space, stack and recorded state.',
    labelNames: CELL_LABELS,
    registers: [registry],
    collect(this: Gauge<(typeof CELL_LABELS)[number]>) {
      this.reset();
      for (const r of rows) this.inc({ realm: r.realm, space: r.space, stack: r.stack, state: r.state });
    },
  });
  new prom.Counter({
    name: 'kukeon_container_cpu_seconds_total',
    help: "CPU time used by the container's cgroup.",
    labelNames: CONTAINER_LABELS,
    registers: [registry],
    collect(this: Counter<(typeof CONTAINER_LABELS)[number]>) {
      this.reset();
      each((r, c) => c.cpuUsageNs !== undefined && this.inc(containerLabels(r, c.id), c.cpuUsageNs / 1e9));
    },
  });
  new prom.Gauge({
    name: 'kukeon_container_memory_bytes',
    help: "Memory in use by the container's cgroup, without inactive file cache.",
    labelNames: CONTAINER_LABELS,
    registers: [registry],
    collect(this: Gauge<(typeof CONTAINER_LABELS)[number]>) {
      this.reset();
      each((r, c) => c.memoryBytes !== undefined && this.set(containerLabels(r, c.id), c.memoryBytes));
    },
  });
  new prom.Counter({
    name: 'kukeon_container_restarts_total',
    help: 'Restarts of the container by its restart policy.',
    labelNames: CONTAINER_LABELS,
    registers: [registry],
    collect(this: Counter<(typeof CONTAINER_LABELS)[number]>) {
      this.reset();
      each((r, c) => this.inc(containerLabels(r, c.id), c.restarts));
    },
  });
  new prom.Gauge({
    name: 'kukeon_daemon_resident_memory_bytes',
    help: "kukeond's resident set size.",
    registers: [registry],
    collect(this: Gauge) {
      this.set(process.memoryUsage.rss());
    },
  });
  const passes: Histogram<'pass'> = new prom.Histogram({
    name: 'kukeon_reconcile_pass_duration_seconds',
    help: 'Duration of reconcile passes: full (scheduled tick) or cells (after a task exit).',
    labelNames: ['pass'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const rpc: Histogram<'method' | 'outcome'> = new prom.Histogram({
    name: 'kukeon_rpc_duration_seconds',
    help: 'Duration of kukeonv1 requests by method and outcome (ok or error).',
    labelNames: ['method', 'outcome'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: kukeond serves /metrics here\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    void (async () => {
      try {
        rows = await source.cellUsages();
        const body = await registry.metrics();
        res.writeHead(200, { 'content-type': registry.contentType }).end(req.method === 'HEAD' ? '' : body);
      } catch (err) {
        log.warn({ err }, 'metrics scrape failed');
        res
          .writeHead(500, { 'content-type': 'text/plain' })
          .end(`scrape failed: ${(err as Error).message}\n`);
      } finally {
        rows = [];
      }
    })();
  });
  const address = await listenOn(server, host, port);
  log.info({ address }, 'metrics endpoint listening');
  return {
    address,
    observeRpc: (method, seconds, ok) => rpc.observe({ method, outcome: ok ? 'ok' : 'error' }, seconds),
    observePass: (kind, seconds) => passes.observe({ pass: kind }, seconds),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Wraps every handler of a table so its duration and outcome are observed. */
export function timedHandlers<T extends Record<string, unknown>>(handlers: T, metrics: DaemonMetrics): T {
  const out: Record<string, unknown> = {};
  for (const [name, h] of Object.entries(handlers)) {
    if (typeof h !== 'function') {
      out[name] = h;
      continue;
    }
    const fn = h as (args: unknown) => Promise<unknown>;
    out[name] = async (args: unknown) => {
      const t0 = performance.now();
      let ok = false;
      try {
        const r = await fn(args);
        ok = true;
        return r;
      } finally {
        metrics.observeRpc(name, (performance.now() - t0) / 1000, ok);
      }
    };
  }
  return out as T;
}
