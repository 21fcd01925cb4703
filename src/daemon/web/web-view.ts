import { createReadStream, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { fileURLToPath } from 'node:url';
import type { UsageTree } from '../../model/cell-usage.js';
import type { Logger } from '../../log.js';
import type { KukeonEvent } from '../../model/kukeon-event.js';
import { printFile, tailOffset } from '../../store/log-follower.js';
import type { EventRing } from '../events/event-ring.js';
import { listenOn } from '../serve/listen-address.js';
import { decideAccess, type WebAccess } from './web-access.js';

/** What the view reads: the hierarchy with figures, the event ring, container log files. */
export interface WebSource {
  tree(): Promise<UsageTree>;
  events: Pick<EventRing, 'list' | 'listen'>;
  /** The host file of a container's output (LogContainer's answer). */
  logPath(t: {
    realm: string;
    space: string;
    stack: string;
    cell: string;
    container: string;
  }): Promise<string>;
}

export interface WebViewOptions {
  /** How often the figures are sampled while a page is open (default 2 s). */
  sampleMs?: number;
  /** Events a page gets when it opens (default 200). */
  backlog?: number;
}

export interface WebView {
  /** The address actually bound (`127.0.0.1:41234` when port 0 was asked). */
  readonly address: string;
  close(): Promise<void>;
}

/** The page's files: served as they are, no build step (docs/web-view.md). */
const STATIC: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  '/vendor/preact-htm.js': { file: 'vendor/preact-htm.js', type: 'text/javascript; charset=utf-8' },
};
const staticDir = fileURLToPath(new URL('./static/', import.meta.url));

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'cache-control': 'no-store',
};

const LOG_TAIL_LINES = 200;
const KEEPALIVE_MS = 15_000;

function sse(res: ServerResponse): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': 'text/event-stream; charset=utf-8',
    connection: 'keep-alive',
  });
  res.write(': kukeond\n\n');
}
/** What a page may leave unread before it is dropped (its browser reconnects when it can). */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

/**
 * One server-sent event. A page that stopped reading (a suspended tab, a stalled connection)
 * would make kukeond buffer every sample and log chunk for it: past MAX_UNREAD_BYTES it is cut.
 */
export function sendEvent(
  res: Pick<ServerResponse, 'write' | 'writableLength' | 'destroyed' | 'destroy'>,
  event: string,
  data: unknown,
): void {
  if (res.destroyed) return;
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  if (res.writableLength > MAX_UNREAD_BYTES) res.destroy();
}

/**
 * kukeond's read-only web view (docs/web-view.md), started only with `--http-address`: a page of
 * static files and two server-sent-event streams. `/api/stream` pushes the hierarchy with its
 * figures (sampled every `sampleMs` while a page is open, and soon after every event, so a state
 * change shows at once) and each event as the ring records it; `/api/log` follows one
 * container's output file. Nothing is sampled while no page is open, and no request changes
 * anything.
 */
export async function startWebView(
  access: WebAccess,
  source: WebSource,
  log: Logger,
  opts: WebViewOptions = {},
): Promise<WebView> {
  const hub = new StreamHub(source, log, opts.sampleMs ?? 2_000, opts.backlog ?? 200);
  const logTails = new Set<AbortController>();
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://kukeond');
    const decision = decideAccess(access, url, req.headers);
    if (!decision.ok) {
      if (decision.status === 303)
        res
          .writeHead(303, { ...SECURITY_HEADERS, location: decision.location, 'set-cookie': decision.cookie })
          .end();
      else
        res
          .writeHead(decision.status, {
            ...SECURITY_HEADERS,
            'content-type': 'text/plain; charset=utf-8',
            ...(decision.status === 401 ? { 'www-authenticate': 'Bearer realm="kukeond"' } : {}),
          })
          .end(`${decision.message}\n`);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res
        .writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD', 'content-type': 'text/plain' })
        .end('read-only\n');
      return;
    }
    if (url.pathname === '/api/stream') return hub.add(res);
    if (url.pathname === '/api/log') return void followLog(url, req, res, source, logTails, log);
    const file = STATIC[url.pathname];
    if (!file) {
      res.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    void serveFile(res, req.method === 'HEAD', file.file, file.type);
  });
  const address = await listenOn(server, access.host, access.port);
  log.info({ address, token: access.token ? 'required' : 'none (loopback)' }, 'web view listening');
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        hub.close();
        for (const t of logTails) t.abort();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function serveFile(res: ServerResponse, head: boolean, file: string, type: string): Promise<void> {
  const path = staticDir + file;
  try {
    const { size } = await stat(path);
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': type, 'content-length': size });
    if (head) res.end();
    else createReadStream(path).pipe(res);
  } catch {
    res.writeHead(500, { ...SECURITY_HEADERS, 'content-type': 'text/plain' }).end(`missing asset ${file}\n`);
  }
}

/**
 * `/api/log?realm=&space=&stack=&cell=&container=`: the last lines of the container's output,
 * then each new chunk as it is written (the same follower as `kuke log -f`), as `log` events of
 * text. A container without output yet is waited for; an unknown one ends with an `error` event.
 */
async function followLog(
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
  source: WebSource,
  tails: Set<AbortController>,
  log: Logger,
): Promise<void> {
  const p = (k: string) => url.searchParams.get(k) ?? '';
  const target = {
    realm: p('realm'),
    space: p('space'),
    stack: p('stack'),
    cell: p('cell'),
    container: p('container'),
  };
  const missing = Object.entries(target).find(([, v]) => v === '');
  sse(res);
  if (missing) {
    sendEvent(res, 'error', `${missing[0]} is required`);
    res.end();
    return;
  }
  const stop = new AbortController();
  tails.add(stop);
  req.on('close', () => stop.abort());
  const decoder = new StringDecoder('utf8');
  try {
    const path = await source.logPath(target);
    if (!path) throw new Error(`container ${JSON.stringify(target.container)} has no log file`);
    let fd: number | undefined;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    await printFile({
      path,
      fd,
      start: (f, end) => tailOffset(f, end, LOG_TAIL_LINES),
      follow: true,
      signal: () => stop.signal,
      sink: (chunk) => {
        const text = decoder.write(chunk);
        if (text) sendEvent(res, 'log', text);
      },
    });
  } catch (err) {
    if (!stop.signal.aborted) {
      log.debug({ err, target }, 'web view log tail ended');
      sendEvent(res, 'error', (err as Error).message);
    }
  } finally {
    tails.delete(stop);
    res.end();
  }
}

/**
 * The `/api/stream` clients: one sampler for all of them, running only while one is connected;
 * an event schedules a sample soon (debounced), so the page shows a transition without waiting
 * for the next period.
 */
class StreamHub {
  private readonly clients = new Set<ServerResponse>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private keepalive: NodeJS.Timeout | undefined;
  private sampling = false;
  private again = false;
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly source: WebSource,
    private readonly log: Logger,
    private readonly sampleMs: number,
    private readonly backlog: number,
  ) {}

  add(res: ServerResponse): void {
    sse(res);
    sendEvent(res, 'events', this.source.events.list().slice(-this.backlog));
    this.clients.add(res);
    res.on('close', () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.idle();
    });
    if (this.clients.size === 1) this.busy();
    void this.sample();
  }

  close(): void {
    this.idle();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private busy(): void {
    this.unlisten = this.source.events.listen((e: KukeonEvent) => {
      this.broadcast('event', e);
      this.soon ??= setTimeout(() => {
        this.soon = undefined;
        void this.sample();
      }, 150);
    });
    this.timer = setInterval(() => void this.sample(), this.sampleMs);
    this.keepalive = setInterval(() => {
      for (const c of this.clients) c.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
  }

  private idle(): void {
    this.unlisten?.();
    this.unlisten = undefined;
    clearInterval(this.timer);
    clearInterval(this.keepalive);
    clearTimeout(this.soon);
    this.timer = this.keepalive = this.soon = undefined;
  }

  /** One sample at a time; a request meanwhile is served by one more sample right after. */
  private async sample(): Promise<void> {
    if (this.sampling) {
      this.again = true;
      return;
    }
    this.sampling = true;
    try {
      do {
        this.again = false;
        if (this.clients.size === 0) return;
        try {
          const tree = await this.source.tree();
          this.broadcast('tree', { sampledAt: Date.now(), ...tree });
        } catch (err) {
          this.log.warn({ err }, 'web view sample failed');
        }
      } while (this.again);
    } finally {
      this.sampling = false;
    }
  }

  private broadcast(event: string, data: unknown): void {
    for (const c of this.clients) sendEvent(c, event, data);
  }
}
