import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasCode } from '../errors.js';
import { defaultDaemonHost, socketPathFromHost } from './daemon-host.js';
import { daemonPidFilePath, resolveDaemonListenSocket } from '../protocol/socket-path.js';

test('unix:// hosts give their path', () => {
  assert.equal(socketPathFromHost(defaultDaemonHost), '/run/kukeon/kukeond.sock');
  assert.equal(socketPathFromHost('unix:///tmp/r/kukeond.sock'), '/tmp/r/kukeond.sock');
});

test('other schemes fail with the texts of docs/daemon-rpc.md', () => {
  const cases: [string, string][] = [
    ['unix://', 'unsupported kukeon host scheme: unix path is empty'],
    ['ssh://me@host', 'unsupported kukeon host scheme: ssh transport not yet implemented'],
    ['tcp://1.2.3.4:5', 'unsupported kukeon host scheme: "tcp://1.2.3.4:5" (expected unix:// or ssh://)'],
    ['/run/x.sock', 'unsupported kukeon host scheme: "/run/x.sock" (expected unix:// or ssh://)'],
  ];
  for (const [host, text] of cases) {
    assert.throws(
      () => socketPathFromHost(host),
      (err: unknown) => hasCode(err, 'UNSUPPORTED_HOST_SCHEME') && (err as Error).message === text,
      host,
    );
  }
});

test('listen socket resolution order of docs/cli.md', () => {
  assert.equal(resolveDaemonListenSocket({}), '/run/kukeon/kukeond.sock');
  assert.equal(resolveDaemonListenSocket({ explicitRunPath: '/tmp/r' }), '/tmp/r/kukeond.sock');
  assert.equal(
    resolveDaemonListenSocket({ explicitRunPath: '/tmp/r', serverConfigSocket: '/s/a.sock' }),
    '/s/a.sock',
  );
  assert.equal(
    resolveDaemonListenSocket({
      explicitRunPath: '/tmp/r',
      serverConfigSocket: '/s/a.sock',
      envSocket: '/e.sock',
    }),
    '/e.sock',
  );
  assert.equal(daemonPidFilePath('/tmp/r/kukeond.sock'), '/tmp/r/kukeond.pid');
});
