/**
 * What the authenticated-registry tests need: a CA and a server certificate for 127.0.0.1 made
 * with openssl, an `htpasswd -B` file, and a small token server (docker's token auth: a JWT signed
 * with a key whose certificate the registry trusts, carried in the header's `x5c`).
 */
import { execFileSync } from 'node:child_process';
import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';

export interface TestCa {
  /** CA certificate (PEM file). */
  caCert: string;
  /** Server certificate and key for 127.0.0.1 (PEM files), signed by the CA. */
  cert: string;
  key: string;
}

const openssl = (args: string[]): void => {
  execFileSync('openssl', args, { stdio: 'pipe' });
};

/** A CA and a certificate for `127.0.0.1` / `localhost` signed by it, under `dir`. */
export function makeTestCa(dir: string): TestCa {
  mkdirSync(dir, { recursive: true });
  const p = (f: string): string => join(dir, f);
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=kukeon test CA'].concat([
      '-keyout',
      p('ca.key'),
      '-out',
      p('ca.crt'),
    ]),
  );
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    p('server.key'),
    '-out',
    p('server.csr'),
  ]);
  writeFileSync(p('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    [
      'x509',
      '-req',
      '-in',
      p('server.csr'),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
    ].concat(['-days', '2', '-extfile', p('ext.cnf'), '-out', p('server.crt')]),
  );
  return { caCert: p('ca.crt'), cert: p('server.crt'), key: p('server.key') };
}

/** An `htpasswd -B` file with one user. */
export function makeHtpasswd(file: string, user: string, password: string): string {
  execFileSync('htpasswd', ['-B', '-b', '-c', file, user, password], { stdio: 'pipe' });
  return file;
}

export interface TokenServer {
  /** `http://127.0.0.1:<port>/token` */
  realm: string;
  service: string;
  issuer: string;
  /** The signing certificate (PEM file): the registry's `rootcertbundle`. */
  rootCertBundle: string;
  /** Requests seen: `anonymous` or the basic-auth user. */
  requests: string[];
  close(): Promise<void>;
}

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

/**
 * A token server: with the right basic credentials it grants pull and push on any repository;
 * anonymously it grants pull on `public/*` only; wrong credentials get 401.
 */
export async function startTokenServer(dir: string, user: string, password: string): Promise<TokenServer> {
  mkdirSync(dir, { recursive: true });
  const key = join(dir, 'token.key');
  const cert = join(dir, 'token.crt');
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=kukeon test token'].concat([
      '-keyout',
      key,
      '-out',
      cert,
    ]),
  );
  const privateKey = createPrivateKey(readFileSync(key));
  const der = new X509Certificate(readFileSync(cert)).raw;
  const service = 'kukeon-test-registry';
  const issuer = 'kukeon-test-issuer';
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const auth = req.headers.authorization;
    let who = 'anonymous';
    if (auth?.startsWith('Basic ')) {
      const [u, pw] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      if (u !== user || pw !== password) {
        requests.push(`bad:${u}`);
        res.writeHead(401).end();
        return;
      }
      who = u;
    }
    requests.push(who);
    const access = url.searchParams.getAll('scope').flatMap((scope) => {
      const [type, name, actions] = scope.split(':');
      const granted = actions
        .split(',')
        .filter((a) => who !== 'anonymous' || (a === 'pull' && name.startsWith('public/')));
      return granted.length ? [{ type, name, actions: granted }] : [];
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [der.toString('base64')] };
    const claims = {
      iss: issuer,
      sub: who,
      aud: service,
      exp: now + 600,
      nbf: now - 10,
      iat: now,
      jti: createHash('sha256').update(`${now}${Math.random()}`).digest('hex').slice(0, 16),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(sign('sha256', Buffer.from(input), privateKey))}`;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, expires_in: 600 }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    rootCertBundle: cert,
    requests,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
