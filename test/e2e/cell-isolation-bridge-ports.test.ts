// Cell isolation on a host without br_netfilter (docs/cell-isolation.md): the test VM has it built
// in, so the cell-isolation e2e runs once more, as a child, inside a network namespace of this
// test's own where `net.bridge.bridge-nf-call-iptables` is 0 (the sysctl is per network namespace)
// — what a default Debian host looks like to kukeon. There the cells' bridge ports must be
// isolated (the child checks it), cell-to-cell traffic dropped by them, and a published port must
// still answer from the host and from the other cell through the gateway's host port. The child
// checks that it leaves nothing behind in that namespace; this test removes the namespace.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ns = `kci-${process.pid}`;
const inNs = (...args: string[]): string =>
  execFileSync('ip', ['netns', 'exec', ns, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

test('without br_netfilter the cells sit on isolated bridge ports, and every cell-isolation check holds', () => {
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    inNs('ip', 'link', 'set', 'lo', 'up');
    inNs('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0');
    inNs('sysctl', '-qw', 'net.ipv4.ip_forward=1');
    // nsenter, not `ip netns exec`: that also remounts /sys, hiding the cgroup mounts.
    const child = spawnSync(
      'nsenter',
      [
        `--net=/run/netns/${ns}`,
        process.execPath,
        '--test-reporter=spec',
        join(dirname(fileURLToPath(import.meta.url)), 'cell-isolation.test.js'),
      ],
      // Not as a subtest of this run (NODE_TEST_CONTEXT would make it report to us): its own run.
      {
        encoding: 'utf8',
        env: { ...process.env, NODE_TEST_CONTEXT: undefined, KUKEON_TEST_EXPECT_BRIDGE_PORTS: '1' },
      },
    );
    process.stderr.write(
      child.stdout
        .split('\n')
        .map((l) => `# ${l}`)
        .join('\n') + '\n',
    );
    assert.equal(child.status, 0, `the child run failed:\n${child.stdout}\n${child.stderr}`);
    assert.match(child.stdout, /pass 5\b/);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});
