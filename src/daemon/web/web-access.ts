import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { KukeonError } from '../../errors.js';
import { parseListenAddress } from '../serve/listen-address.js';

export const WEB_ACCESS_REFUSED = 'WEB_ACCESS_REFUSED';

/** Where the web view listens and who may see it (docs/web-view.md). */
export interface WebAccess {
  host: string;
  port: number;
  /** Bearer token every request must present; absent only on a loopback address. */
  token?: string;
}

/** The cookie a browser keeps the token in once it opened `/?token=…` (EventSource sends no headers). */
export const TOKEN_COOKIE = 'kukeon_web_token';
const MIN_TOKEN_LENGTH = 16;

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || /^(0+:){7}0*1$/.test(h);
}

/**
 * The web view's address and token, checked before the daemon starts. A bare port (`8080` or
 * `:8080`) means loopback (127.0.0.1); any address other than loopback (0.0.0.0, a LAN address,
 * a host name) is refused without a token of at least 16 characters, so the view is never
 * readable by other hosts by accident.
 */
export function checkWebAccess(addressText: string, token: string | undefined): WebAccess {
  const bare = /^\s*:?(\d{1,5})\s*$/.exec(addressText)?.[1];
  const { host, port } = parseListenAddress('--http-address', bare ? `127.0.0.1:${bare}` : addressText);
  if (token && token.length < MIN_TOKEN_LENGTH)
    throw new KukeonError(
      WEB_ACCESS_REFUSED,
      `httpToken is too short (${token.length} characters): use at least ${MIN_TOKEN_LENGTH} random characters (openssl rand -hex 32)`,
    );
  if (!token && !isLoopbackHost(host))
    throw new KukeonError(
      WEB_ACCESS_REFUSED,
      `web view on ${addressText} refused: ${host} is not a loopback address, so set httpToken in the server configuration (kukeond.yaml) — every request must then present it`,
    );
  return { host, port, token: token || undefined };
}

/** What to answer a request before serving it. */
export type AccessDecision =
  | { ok: true }
  /** The token came in the query: keep it in a cookie and send the browser to `location`. */
  | { ok: false; status: 303; location: string; cookie: string }
  | { ok: false; status: 401 | 403; message: string };

const digest = (s: string) => createHash('sha256').update(s).digest();
const sameToken = (given: string, want: string) => timingSafeEqual(digest(given), digest(want));

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return undefined;
}

/**
 * With a token: the request presents it as `Authorization: Bearer`, as the cookie, or once as
 * `?token=` (which sets the cookie and redirects, so it leaves the address bar). Without one
 * (loopback only): the Host header must name loopback too, so a web page elsewhere cannot read
 * the view through a DNS name rebound to 127.0.0.1.
 */
export function decideAccess(access: WebAccess, url: URL, headers: IncomingHttpHeaders): AccessDecision {
  const want = access.token;
  if (!want) {
    const host = (headers.host ?? '').replace(/:\d+$/, '');
    return isLoopbackHost(host)
      ? { ok: true }
      : {
          ok: false,
          status: 403,
          message: `the web view answers only to a loopback Host, not ${JSON.stringify(host)}`,
        };
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  if (bearer !== undefined)
    return sameToken(bearer, want) ? { ok: true } : unauthorized('wrong bearer token');
  const query = url.searchParams.get('token');
  if (query !== null) {
    if (!sameToken(query, want)) return unauthorized('wrong token');
    const rest = new URL(url);
    rest.searchParams.delete('token');
    return {
      ok: false,
      status: 303,
      location: rest.pathname + rest.search,
      cookie: `${TOKEN_COOKIE}=${encodeURIComponent(want)}; HttpOnly; SameSite=Strict; Path=/`,
    };
  }
  const cookie = cookieValue(headers.cookie, TOKEN_COOKIE);
  if (cookie !== undefined) return sameToken(cookie, want) ? { ok: true } : unauthorized('wrong token');
  return unauthorized(
    'a bearer token is required (Authorization: Bearer <token>, or open /?token=<token> once)',
  );
}

const unauthorized = (message: string): AccessDecision => ({ ok: false, status: 401, message });
