import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkWebAccess, decideAccess, isLoopbackHost, TOKEN_COOKIE } from './web-access.js';

test('loopback hosts', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', 'LOCALHOST'])
    assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '128.0.0.1', 'localhost.example.com'])
    assert.ok(!isLoopbackHost(h), h);
});

test('any address but loopback is refused without a token, and a short token always', () => {
  assert.deepEqual(checkWebAccess('127.0.0.1:8080', undefined), {
    host: '127.0.0.1',
    port: 8080,
    token: undefined,
  });
  assert.throws(
    () => checkWebAccess('0.0.0.0:8080', undefined),
    /web view on 0\.0\.0\.0:8080 refused: 0\.0\.0\.0 is not a loopback address, so set httpToken/,
  );
  assert.throws(() => checkWebAccess('192.168.1.5:80', ''), /not a loopback address/);
  assert.throws(() => checkWebAccess('0.0.0.0:8080', 'short'), /httpToken is too short \(5 characters\)/);
  assert.equal(checkWebAccess('0.0.0.0:8080', 'x'.repeat(32)).token, 'x'.repeat(32));
  // Loopback unless configured: a bare port binds 127.0.0.1.
  for (const bare of [':8080', '8080'])
    assert.deepEqual(checkWebAccess(bare, undefined), { host: '127.0.0.1', port: 8080, token: undefined });
  assert.throws(() => checkWebAccess(':99999', undefined), /the port must be at most 65535/);
  assert.throws(() => checkWebAccess('localhost', undefined), /want host:port/);
});

test('without a token: only a loopback Host header is answered (DNS rebinding)', () => {
  const access = checkWebAccess('127.0.0.1:0', undefined);
  const url = new URL('http://x/');
  assert.deepEqual(decideAccess(access, url, { host: '127.0.0.1:4000' }), { ok: true });
  assert.deepEqual(decideAccess(access, url, { host: 'localhost:4000' }), { ok: true });
  const d = decideAccess(access, url, { host: 'rebound.example:4000' });
  assert.equal(d.ok, false);
  assert.equal(!d.ok && d.status, 403);
});

test('with a token: bearer header, the cookie, or once in the query (then a cookie and a redirect)', () => {
  const token = 'f'.repeat(40);
  const access = checkWebAccess('0.0.0.0:0', token);
  const at = (path: string) => new URL(path, 'http://h');
  const status = (d: ReturnType<typeof decideAccess>) => (d.ok ? 200 : d.status);
  assert.equal(status(decideAccess(access, at('/'), { host: 'far.example' })), 401);
  assert.equal(status(decideAccess(access, at('/'), { authorization: `Bearer ${token}` })), 200);
  assert.equal(status(decideAccess(access, at('/'), { authorization: 'Bearer nope' })), 401);
  assert.equal(status(decideAccess(access, at('/'), { cookie: `a=b; ${TOKEN_COOKIE}=${token}` })), 200);
  assert.equal(status(decideAccess(access, at('/'), { cookie: `${TOKEN_COOKIE}=nope` })), 401);
  const d = decideAccess(access, at(`/?x=1&token=${token}`), {});
  assert.ok(!d.ok && d.status === 303);
  assert.equal(d.location, '/?x=1');
  assert.equal(d.cookie, `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`);
  assert.equal(status(decideAccess(access, at('/?token=nope'), {})), 401);
});
