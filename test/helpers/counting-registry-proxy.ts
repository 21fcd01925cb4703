/**
 * An HTTP proxy in front of a test registry that logs every request (path, the Range asked for,
 * the status answered) and can misbehave on purpose: ignore Range (the registry then sends whole
 * blobs), redirect blob GETs to a "storage" path as registries backed by object storage do, and
 * cut one blob's body after some bytes and hold the connection (a pull stuck mid-layer).
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';

export interface ProxiedRequest {
  path: string;
  range?: string;
  status: number;
}

export interface CountingProxy {
  /** `127.0.0.1:<port>`: the registry host pulls name. */
  host: string;
  log: ProxiedRequest[];
  /** Strips Range from requests to the registry. */
  ignoreRange: boolean;
  /** Answers blob GETs with a 307 to `/_storage/<repository>/<digest>`. */
  redirectBlobs: boolean;
  /** Sends only the first `after` bytes of this blob, then holds the connection. */
  stall?: { digest: string; after: number };
  /** The requests for a blob (both the registry path and the storage path). */
  blobRequests(digest: string): ProxiedRequest[];
  close(): Promise<void>;
}

const BLOB = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/;
const STORAGE = /^\/_storage\/(.+)\/(sha256:[0-9a-f]{64})$/;

export async function startCountingProxy(upstream: string): Promise<CountingProxy> {
  const [upHost, upPort] = upstream.split(':');
  const proxy: CountingProxy = {
    host: '',
    log: [],
    ignoreRange: false,
    redirectBlobs: false,
    blobRequests: (digest) => proxy.log.filter((r) => r.path.endsWith(`/${digest}`)),
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    const range = req.headers.range;
    const entry: ProxiedRequest = { path, ...(range ? { range } : {}), status: 0 };
    proxy.log.push(entry);
    const blob = BLOB.exec(path);
    if (blob && proxy.redirectBlobs && req.method === 'GET') {
      entry.status = 307;
      res.writeHead(307, { location: `/_storage/${blob[1]}/${blob[2]}` }).end();
      return;
    }
    const stored = STORAGE.exec(path);
    const headers: IncomingHttpHeaders = { ...req.headers, host: upstream };
    if (proxy.ignoreRange) delete headers.range;
    const up = request(
      {
        host: upHost,
        port: Number(upPort),
        method: req.method,
        path: stored ? `/v2/${stored[1]}/blobs/${stored[2]}` : path,
        headers,
      },
      (upRes) => {
        entry.status = upRes.statusCode ?? 0;
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        const digest = (blob ?? stored)?.[2];
        const stall = proxy.stall;
        if (!stall || digest !== stall.digest) {
          upRes.pipe(res);
          return;
        }
        let sent = 0;
        upRes.on('data', (chunk: Buffer) => {
          if (sent >= stall.after) return;
          const part = chunk.subarray(0, stall.after - sent);
          sent += part.length;
          res.write(part);
        });
      },
    );
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  proxy.host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return proxy;
}
