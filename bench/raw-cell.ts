// The floor every cell benchmark compares with: what the runner does for one cell (a root that
// owns the network namespace, one workload joining it), written by hand as a shell script of
// `ctr` calls and the CNI bridge + loopback plugins invoked directly — no orchestrator, no
// metadata, no journal. Runs against the benchmark's private containerd, in a namespace that
// has the image, on a bridge, subnet and IPAM directory of its own.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { removeTopCgroup } from '../test/helpers/host-snapshot.js';

const cniBinDir = ['/opt/cni/bin', '/usr/lib/cni'].find((d) => existsSync(join(d, 'bridge')));

const SCRIPT = String.raw`
set -euo pipefail
ctr() { command ctr --address "$SOCK" --namespace "$NS" "$@"; }
cni() { # cni ADD|DEL <plugin json>
  echo "$2" | CNI_COMMAND=$1 CNI_CONTAINERID=$ID CNI_NETNS=$NETNS CNI_IFNAME=eth0 CNI_PATH=$CNI_BIN "$CNI_BIN/$3" >/dev/null
}
BRIDGE_CONF='{"cniVersion":"1.0.0","name":"'$NET'","type":"bridge","bridge":"'$BR'","isGateway":true,"ipMasq":true,"ipam":{"type":"host-local","ranges":[[{"subnet":"'$SUBNET'"}]],"routes":[{"dst":"0.0.0.0/0"}],"dataDir":"'$IPAM'"}}'
LO_CONF='{"cniVersion":"1.0.0","name":"'$NET'","type":"loopback"}'
case "$1" in
up)
  ctr run -d "$IMAGE" "$ID-root" sh -c "$SCRIPT"
  PID=$(ctr tasks ls | awk -v id="$ID-root" '$1==id {print $2}')
  NETNS=/proc/$PID/ns/net
  cni ADD "$BRIDGE_CONF" bridge
  cni ADD "$LO_CONF" loopback
  ctr run -d --with-ns network:$NETNS --with-ns ipc:/proc/$PID/ns/ipc --with-ns uts:/proc/$PID/ns/uts \
    "$IMAGE" "$ID-w" sh -c "$SCRIPT"
  ctr tasks ls | grep "^$ID-w .*RUNNING" >/dev/null # not -q: an early exit would SIGPIPE ctr
  ;;
down)
  # SIG=KILL for a forced removal (as kuke delete --force and podman rm -t 0 do)
  PID=$(ctr tasks ls | awk -v id="$ID-root" '$1==id {print $2}')
  NETNS=/proc/$PID/ns/net
  ctr tasks kill -s "SIG$SIG" "$ID-w"; ctr tasks rm -f "$ID-w" >/dev/null 2>&1 || true
  cni DEL "$LO_CONF" loopback || true
  cni DEL "$BRIDGE_CONF" bridge || true
  ctr tasks kill -s "SIG$SIG" "$ID-root"; ctr tasks rm -f "$ID-root" >/dev/null 2>&1 || true
  ctr containers rm "$ID-w" "$ID-root"
  ;;
esac
`;

export interface RawCell {
  /** False when no CNI bridge plugin is installed: the floor is then not measured. */
  readonly available: boolean;
  /** Brings cell `i` up (both tasks running, network attached); returns the wall time in ms. */
  up(i: number): number;
  /** Removes cell `i` (SIGTERM, or SIGKILL when `force`); returns the wall time in ms. */
  down(i: number, force?: boolean): number;
  /** Removes the bridge, the cgroups runc made (`/<namespace>/<id>`) and the script's files. */
  cleanup(): void;
}

/**
 * `socket`/`namespace`: the private containerd and a namespace holding `image`; `command`: what
 * both tasks run. The bridge, subnet and IPAM directory are unique to this process.
 */
export function rawCell(opts: {
  socket: string;
  namespace: string;
  image: string;
  command: string;
  cgroupMount: string;
  subnet: string;
}): RawCell {
  const work = mkdtempSync(join(tmpdir(), `kukeon-bench-raw-${process.pid}-`));
  const file = join(work, 'raw.sh');
  writeFileSync(file, SCRIPT);
  const bridge = `kbr${process.pid}`.slice(0, 15);
  const env = (i: number, force: boolean): NodeJS.ProcessEnv => ({
    ...process.env,
    SOCK: opts.socket,
    NS: opts.namespace,
    IMAGE: opts.image,
    ID: `raw${i}`,
    SCRIPT: opts.command,
    SIG: force ? 'KILL' : 'TERM',
    NET: `kbraw${process.pid}`,
    BR: bridge,
    SUBNET: opts.subnet,
    IPAM: join(work, 'ipam'),
    CNI_BIN: cniBinDir ?? '',
  });
  const timed = (args: string[], e: NodeJS.ProcessEnv): number => {
    const t0 = performance.now();
    execFileSync('bash', [file, ...args], { env: e, stdio: ['ignore', 'pipe', 'pipe'] });
    return performance.now() - t0;
  };
  return {
    available: !!cniBinDir,
    up: (i) => timed(['up'], env(i, false)),
    down: (i, force = false) => timed(['down'], env(i, force)),
    cleanup() {
      // The CNI bridge plugin never deletes its bridge; ours to remove.
      if (cniBinDir) execFileSync('sh', ['-c', `ip link del ${bridge} 2>/dev/null || true`]);
      // `ctr run` used runc's default cgroups path `/<namespace>/<id>`.
      removeTopCgroup(opts.cgroupMount, opts.namespace);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
