import { ErrorCode } from '../../error-codes.js';
import { createHash } from 'node:crypto';
import type { Agent, Dispatcher } from 'undici';
import { silentLogger, type Logger } from '../../log.js';
import { ImageError } from '../errors.js';
import { parseAuthChallenges, type AuthChallenge } from './auth-challenge.js';
import { isLoopbackHost, type RegistryReference } from './registry-reference.js';
import { registryCaBundle } from './registry-tls.js';

export interface RegistryCredential {
  username: string;
  password: string;
}

/** Who is pulling: the credential for this registry (if any) and the realm, for error messages. */
export interface RegistryAuth {
  credential?: RegistryCredential;
  realm?: string;
}

export interface RegistryClientOptions {
  /** `<certsDir>/<host[:port]>/ca.crt` is trusted for that registry (default: none). */
  certsDir?: string;
  /** Registries (host[:port]) that may be plain HTTP or TLS without verification. */
  insecureRegistries?: string[];
  /** Time to the response headers of one request (default 30 s). */
  headersTimeoutMs?: number;
  /** Longest silence while a body streams (default 60 s). */
  bodyTimeoutMs?: number;
  /** Time to establish a connection, TLS included (default 10 s). */
  connectTimeoutMs?: number;
  /** Further attempts after a 5xx, 429 or a connection failure (default 3), with backoff. */
  retries?: number;
  /** First backoff (default 200 ms, doubled per attempt). */
  backoffMs?: number;
  log?: Logger;
}

export interface FetchedManifest {
  body: Buffer;
  mediaType: string;
}

export interface BlobResponse {
  /** Where the body starts in the blob: the offset asked for, or 0 when the registry ignored it. */
  offset: number;
  /** Content-Length when the registry sent one. */
  size?: number;
  body: AsyncIterable<Buffer>;
  /** Discards the rest of the body (after a failure). */
  destroy(): void;
}

export const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

interface Endpoint {
  base: string;
  dispatcher: Agent;
}

type Response = Dispatcher.ResponseData;

type Undici = typeof import('undici');
let undici: Undici | undefined;
/**
 * undici comes in with the first registry request, not when kukeond starts: a daemon that pulls
 * nothing does not keep its modules (≈ 1 MB of source text alone) in memory.
 */
const loadUndici = async (): Promise<Undici> => (undici ??= await import('undici'));

const MAX_REDIRECTS = 5;

/** Node TLS errors that mean "the certificate is not trusted": never a reason to drop TLS. */
const certificateError = (code: string): boolean =>
  /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ALTNAME|DEPTH_ZERO|ERR_TLS_CERT/i.test(code);

function errorCode(err: unknown): string {
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR_SOCKET')) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return (err as { code?: string }).code ?? '';
}

function errorText(err: unknown): string {
  const parts: string[] = [];
  let e: unknown = err;
  for (let i = 0; i < 4 && e; i++) {
    const m = (e as Error).message;
    if (m && !parts.includes(m)) parts.push(m);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.join(': ') || String(err);
}

/**
 * The registry HTTP API v2 client a pull uses (docs/images.md, "Pulling"), on undici: one
 * connection pool per registry, HTTPS first (plain HTTP only for a loopback registry that does
 * not speak TLS, or one listed as insecure), bearer-token and basic auth answered from the
 * registry's challenge, redirects followed (the Authorization header stays with the registry),
 * retries with backoff on 5xx/429 and connection failures, a timeout per request.
 */
export class RegistryClient {
  private readonly log: Logger;
  private readonly endpoints = new Map<string, Promise<Endpoint>>();
  /** Authorization header per `<host>|<scope>|<credential hash or anonymous>`, learnt from a challenge. */
  private readonly authHeaders = new Map<string, string>();
  private readonly agents: Agent[] = [];

  constructor(private readonly opts: RegistryClientOptions = {}) {
    this.log = opts.log ?? silentLogger;
  }

  /** Closes every connection pool. */
  async close(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.close().catch(() => undefined)));
  }

  /** GETs a manifest or index by tag or digest. 404 → `manifest unknown: <ref>`. */
  async manifest(ref: RegistryReference, reference: string, auth: RegistryAuth): Promise<FetchedManifest> {
    const res = await this.get(ref, `/v2/${ref.repository}/manifests/${reference}`, auth, {
      accept: manifestAccept.join(', '),
    });
    if (res.statusCode === 404) {
      await res.body.dump();
      throw new ImageError(ErrorCode.REGISTRY_MANIFEST_UNKNOWN, `manifest unknown: ${ref.name}`);
    }
    await this.expectOk(ref, res, `manifest ${reference}`);
    const body = Buffer.from(await res.body.arrayBuffer());
    const ct = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    return { body, mediaType: ct };
  }

  /**
   * GETs a blob, following redirects to blob storage; the caller streams and verifies it. From an
   * offset (a resumed pull) it asks for `Range: bytes=<from>-`; a registry may ignore that and
   * send the whole blob (`offset` 0 then).
   */
  async blob(ref: RegistryReference, digest: string, auth: RegistryAuth, from = 0): Promise<BlobResponse> {
    const path = `/v2/${ref.repository}/blobs/${digest}`;
    let res = await this.get(ref, path, auth, from > 0 ? { range: `bytes=${from}-` } : {});
    let offset = 0;
    if (from > 0 && res.statusCode === 206) {
      offset = rangeStart(res.headers['content-range']);
      if (offset !== from) {
        await res.body.dump();
        throw new ImageError(
          ErrorCode.REGISTRY_ERROR,
          `registry ${ref.apiHost} answered bytes from ${offset} for blob ${digest} of ${ref.name}, asked from ${from}`,
        );
      }
    } else if (from > 0 && res.statusCode === 416) {
      // Not satisfiable (the registry's blob is shorter than our partial one): start over.
      await res.body.dump();
      res = await this.get(ref, path, auth, {});
    }
    if (res.statusCode === 404) {
      await res.body.dump();
      throw new ImageError(ErrorCode.REGISTRY_ERROR, `blob unknown: ${digest} in ${ref.name}`);
    }
    await this.expectOk(ref, res, `blob ${digest}`);
    const len = Number(res.headers['content-length']);
    const host = ref.apiHost;
    const body = res.body;
    async function* stream(): AsyncIterable<Buffer> {
      try {
        for await (const chunk of body as AsyncIterable<Buffer>) yield chunk;
      } catch (err) {
        throw unreachable(host, err);
      }
    }
    return {
      offset,
      ...(Number.isFinite(len) ? { size: len } : {}),
      body: stream(),
      destroy: () => body.destroy(),
    };
  }

  private async expectOk(ref: RegistryReference, res: Response, what: string): Promise<void> {
    if (res.statusCode >= 200 && res.statusCode < 300) return;
    const text = (await res.body.text().catch(() => '')).slice(0, 300).trim();
    throw new ImageError(
      ErrorCode.REGISTRY_ERROR,
      `registry ${ref.apiHost} answered ${res.statusCode} for ${what} of ${ref.name}${text ? `: ${text}` : ''}`,
    );
  }

  /** GET with auth, retries and redirects; the response is 2xx, 404 or another final status. */
  private async get(
    ref: RegistryReference,
    path: string,
    auth: RegistryAuth,
    headers: Record<string, string>,
  ): Promise<Response> {
    const ep = await this.endpoint(ref.apiHost);
    const scope = `repository:${ref.repository}:pull`;
    // Per credential too: a header learnt with one realm's credential must never serve another's pull.
    const who = auth.credential
      ? createHash('sha256').update(`${auth.credential.username}\0${auth.credential.password}`).digest('hex')
      : 'anonymous';
    const key = `${ref.apiHost}|${scope}|${who}`;
    let authenticated = false;
    for (;;) {
      const authorization = this.authHeaders.get(key);
      const res = await this.withRetries(ref.apiHost, () =>
        this.follow(ep, ep.base + path, { ...headers, ...(authorization ? { authorization } : {}) }),
      );
      if (res.statusCode !== 401) return res;
      await res.body.dump();
      if (authenticated) throw unauthorized(ref, auth);
      const header = await this.answerChallenge(
        ref,
        auth,
        parseAuthChallenges(res.headers['www-authenticate']),
        scope,
      );
      this.authHeaders.set(key, header);
      authenticated = true;
    }
  }

  /** Turns a 401 challenge into an Authorization header (a bearer token or basic credentials). */
  private async answerChallenge(
    ref: RegistryReference,
    auth: RegistryAuth,
    challenges: AuthChallenge[],
    scope: string,
  ): Promise<string> {
    const cred = auth.credential;
    const basic = cred
      ? `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`
      : undefined;
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) {
      const url = new URL(bearer.params.realm);
      if (bearer.params.service) url.searchParams.set('service', bearer.params.service);
      url.searchParams.set('scope', bearer.params.scope ?? scope);
      const tokenEp = await this.endpoint(url.host, url.protocol === 'http:' ? 'http' : 'https');
      const res = await this.withRetries(url.host, () =>
        this.follow(
          tokenEp,
          `${tokenEp.base}${url.pathname}${url.search}`,
          basic ? { authorization: basic } : {},
        ),
      );
      if (res.statusCode === 401 || res.statusCode === 403) {
        await res.body.dump();
        throw unauthorized(ref, auth);
      }
      await this.expectOk(ref, res, 'a token');
      const json = (await res.body.json().catch(() => ({}))) as { token?: string; access_token?: string };
      const token = json.token ?? json.access_token;
      if (!token)
        throw new ImageError(
          ErrorCode.REGISTRY_ERROR,
          `token server ${url.host} sent no token for ${ref.name}`,
        );
      return `Bearer ${token}`;
    }
    if (basic && challenges.some((c) => c.scheme === 'basic')) return basic;
    throw unauthorized(ref, auth);
  }

  private async withRetries(host: string, send: () => Promise<Response>): Promise<Response> {
    const retries = this.opts.retries ?? 3;
    let delay = this.opts.backoffMs ?? 200;
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await send();
        if ((res.statusCode >= 500 || res.statusCode === 429) && attempt < retries) {
          await res.body.dump();
          this.log.debug({ host, status: res.statusCode, attempt }, 'registry: retrying');
        } else {
          return res;
        }
      } catch (err) {
        if (err instanceof ImageError) throw err;
        if (attempt >= retries || certificateError(errorCode(err))) throw unreachable(host, err);
        this.log.debug({ host, err: errorText(err), attempt }, 'registry: retrying');
      }
      await new Promise((r) => setTimeout(r, delay));
      delay *= 2;
    }
  }

  /** One GET, following redirects; the Authorization header is not sent to another origin. */
  private async follow(ep: Endpoint, url: string, headers: Record<string, string>): Promise<Response> {
    let target = new URL(url);
    const origin = target.origin;
    for (let hop = 0; ; hop++) {
      const sameOrigin = target.origin === origin;
      const h = sameOrigin
        ? headers
        : Object.fromEntries(Object.entries(headers).filter(([k]) => k !== 'authorization'));
      const u = await loadUndici();
      const res = await u.request(target, {
        method: 'GET',
        headers: { 'user-agent': 'kukeon-ts', ...h },
        dispatcher: sameOrigin ? ep.dispatcher : this.sharedAgent(u),
      });
      const loc = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && loc && res.statusCode !== 304) {
        await res.body.dump();
        if (hop >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects from ${url}`);
        target = new URL(String(loc), target);
        continue;
      }
      return res;
    }
  }

  private shared?: Agent;
  private sharedAgent(u: Undici): Agent {
    this.shared ??= this.newAgent(u, {});
    return this.shared;
  }

  private newAgent(u: Undici, connect: { ca?: string[]; rejectUnauthorized?: boolean }): Agent {
    const agent = new u.Agent({
      connect: { ...connect, timeout: this.opts.connectTimeoutMs ?? 10_000 },
      headersTimeout: this.opts.headersTimeoutMs ?? 30_000,
      bodyTimeout: this.opts.bodyTimeoutMs ?? 60_000,
      connections: 8,
    });
    this.agents.push(agent);
    return agent;
  }

  /**
   * The base URL and connection pool of a registry, decided once per client: HTTPS verified
   * against its CAs; for a loopback registry whose port does not speak TLS, or one listed as
   * insecure, plain HTTP. A loopback registry that does speak TLS is verified like any other.
   */
  private endpoint(hostPort: string, forced?: 'http' | 'https'): Promise<Endpoint> {
    const key = `${forced ?? ''}${hostPort}`;
    let ep = this.endpoints.get(key);
    if (!ep) {
      ep = this.decideEndpoint(hostPort, forced);
      this.endpoints.set(key, ep);
      ep.catch(() => this.endpoints.delete(key));
    }
    return ep;
  }

  private async decideEndpoint(hostPort: string, forced?: 'http' | 'https'): Promise<Endpoint> {
    const insecure = (this.opts.insecureRegistries ?? []).includes(hostPort);
    const u = await loadUndici();
    const https = (): Endpoint => ({
      base: `https://${hostPort}`,
      dispatcher: this.newAgent(u, {
        ca: registryCaBundle(this.opts.certsDir, hostPort),
        ...(insecure ? { rejectUnauthorized: false } : {}),
      }),
    });
    const http = (): Endpoint => ({ base: `http://${hostPort}`, dispatcher: this.newAgent(u, {}) });
    if (forced === 'http') return http();
    const tls = https();
    if (forced === 'https' || (!insecure && !isLoopbackHost(hostPort))) return tls;
    try {
      const res = await u.request(`${tls.base}/v2/`, { method: 'GET', dispatcher: tls.dispatcher });
      await res.body.dump();
      return tls;
    } catch (err) {
      const code = errorCode(err);
      if (certificateError(code) && !insecure) throw unreachable(hostPort, err);
      if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH')
        throw unreachable(hostPort, err);
      this.log.debug({ host: hostPort, err: errorText(err) }, 'registry: no TLS, using plain HTTP');
      return http();
    }
  }
}

/** The first byte of a `Content-Range: bytes <first>-<last>/<size>` header (NaN when absent). */
function rangeStart(header: string | string[] | undefined): number {
  const m = /^bytes (\d+)-/.exec(String(header ?? ''));
  return m ? Number(m[1]) : NaN;
}

function unauthorized(ref: RegistryReference, auth: RegistryAuth): ImageError {
  const realm = auth.realm ? ` (set registry credentials for realm "${auth.realm}")` : '';
  return new ImageError(
    ErrorCode.REGISTRY_UNAUTHORIZED,
    `unauthorized: authentication required for ${ref.registry}${realm}`,
  );
}

function unreachable(host: string, err: unknown): ImageError {
  if (err instanceof ImageError) return err;
  return new ImageError(ErrorCode.REGISTRY_UNREACHABLE, `cannot reach registry ${host}: ${errorText(err)}`, {
    cause: err,
  });
}
