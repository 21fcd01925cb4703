/**
 * A private `docker-registry` (Debian's distribution 2.8 `registry` binary) for pull tests: its
 * own config and storage under a temp dir, on 127.0.0.1 and a free port, started as a child of
 * this process and stopped by PID. Images are pushed into it with skopeo from the test images.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RegistryOptions {
  /** TLS: certificate and key files (PEM). */
  tls?: { cert: string; key: string };
  /** Basic auth: an `htpasswd -B` file. */
  htpasswd?: string;
  /** Token auth: the token server's realm URL, service, issuer and its signing certificate. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
}

export interface TestRegistry {
  /** `127.0.0.1:<port>` */
  host: string;
  port: number;
  dir: string;
  /** Storage root (`docker/registry/v2/…`). */
  storage: string;
  /**
   * Pushes an OCI-layout or docker-save tarball as `<host>/<repo>` (asynchronous: a token server
   * in this process must be able to answer skopeo).
   */
  push(archive: string, repo: string, format?: 'oci' | 'docker', creds?: string): Promise<void>;
  /** Path of a blob's data file on the registry's disk. */
  blobPath(digest: string): string;
  stop(): Promise<void>;
  /** Starts it again on the same port and storage. */
  start(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitListening(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`registry exited: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`registry did not listen on ${port}: ${log()}`);
}

export async function startRegistry(opts: RegistryOptions = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'kukeon-registry-'));
  const storage = join(dir, 'storage');
  const port = await freePort();
  const lines = [
    'version: 0.1',
    'log: {level: warn}',
    `storage: {filesystem: {rootdirectory: ${storage}}, delete: {enabled: true}}`,
    `http:`,
    `  addr: 127.0.0.1:${port}`,
    ...(opts.tls ? [`  tls: {certificate: ${opts.tls.cert}, key: ${opts.tls.key}}`] : []),
  ];
  if (opts.htpasswd) lines.push(`auth: {htpasswd: {realm: test-realm, path: ${opts.htpasswd}}}`);
  if (opts.token) {
    const t = opts.token;
    lines.push(
      `auth: {token: {realm: "${t.realm}", service: ${t.service}, issuer: ${t.issuer}, rootcertbundle: ${t.rootCertBundle}}}`,
    );
  }
  const config = join(dir, 'config.yml');
  writeFileSync(config, lines.join('\n') + '\n');
  let child: ChildProcess | undefined;
  let out = '';
  const start = async (): Promise<void> => {
    out = '';
    const c = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    c.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    child = c;
    await waitListening(port, c, () => out);
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  const host = `127.0.0.1:${port}`;
  return {
    host,
    port,
    dir,
    storage,
    async push(archive, repo, format = 'oci', creds) {
      const src = `${format === 'oci' ? 'oci-archive' : 'docker-archive'}:${archive}`;
      await promisify(execFile)(
        'skopeo',
        [
          'copy',
          '--quiet',
          '--all',
          '--dest-tls-verify=false',
          ...(creds ? ['--dest-creds', creds] : []),
          src,
          `docker://${host}/${repo}`,
        ],
        { env: { ...process.env, HOME: dir } },
      );
    },
    blobPath(digest) {
      const hex = digest.slice('sha256:'.length);
      return join(storage, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
    },
    stop,
    start,
  };
}

/** Stops the registry and removes its directory. */
export async function removeRegistry(r: TestRegistry): Promise<void> {
  await r.stop();
  rmSync(r.dir, { recursive: true, force: true });
}
