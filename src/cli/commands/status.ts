import { existsSync, readdirSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { resolveDaemonListenSocket } from '../../protocol/socket-path.js';
import { SilentExit } from '../cli-error.js';
import type { CliContext } from '../context.js';
import type { KukeonApi } from '../api/kukeon-api.js';
import { str } from '../output/doc-fields.js';
import { errorText } from '../run-command.js';
import { listRealms } from './scope-walk.js';
import { volumeCheck } from './status-volumes.js';

export type CheckStatus = 'OK' | 'WARN' | 'FAIL';

export interface Check {
  section: string;
  name: string;
  status: CheckStatus;
  detail: string;
  remediation?: string;
}

const sections = ['daemon', 'host', 'state', 'parity'];

/** The text form: sections, padded rows, hints, overall status. */
export function renderChecks(checks: Check[], verbose: boolean): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const out: string[] = [];
  for (const section of sections) {
    const rows = checks.filter((c) => c.section === section);
    if (rows.length === 0) continue;
    if (out.length > 0) out.push('');
    out.push(section.toUpperCase());
    for (const c of rows) {
      out.push(`  ${c.name.padEnd(width)}  ${c.status.padEnd(4)}  ${c.detail}`);
      if (c.remediation && (c.status !== 'OK' || verbose))
        out.push(`  ${' '.repeat(width)}        ↳ ${c.remediation}`);
    }
  }
  const ok = checks.every((c) => c.status !== 'FAIL');
  out.push('', `Status: ${ok ? 'OK' : 'FAIL'}`);
  return out.join('\n') + '\n';
}

function canConnect(path: string, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

async function names(api: KukeonApi): Promise<string[]> {
  return (await listRealms(api)).map((d) => str(d, 'metadata.name')).sort();
}

/** `kuke status [--json]`: exit 1 without an `Error:` line when a row FAILs. */
export async function status(ctx: CliContext, o: { json: boolean; verbose: boolean }): Promise<void> {
  const checks: Check[] = [];
  const config = ctx.hostConfig();
  const host = ctx.settings.host;
  // daemon
  const daemon = ctx.api('daemon-only');
  let daemonUp = false;
  try {
    const t0 = performance.now();
    const reply = await daemon.call('Ping', {});
    const rtt = (performance.now() - t0).toFixed(1);
    daemonUp = true;
    checks.push({
      section: 'daemon',
      name: 'socket',
      status: 'OK',
      detail: `${host} (rtt ${rtt}ms, version ${reply.Version || 'unknown'})`,
    });
  } catch (err) {
    checks.push({
      section: 'daemon',
      name: 'socket',
      status: 'FAIL',
      detail: `${host} (dial failed)`,
      remediation: `start the daemon (kuke daemon start, or kuke init): ${errorText(err)}`,
    });
  }
  // host
  const ctrdUp = await canConnect(config.containerdSocket);
  checks.push({
    section: 'host',
    name: 'containerd',
    status: ctrdUp ? 'OK' : 'FAIL',
    detail: config.containerdSocket,
    remediation: ctrdUp ? undefined : 'start containerd',
  });
  const v2 =
    existsSync(join(config.cgroupMount, 'cgroup.controllers')) ||
    existsSync(join(config.cgroupMount, 'unified', 'cgroup.controllers'));
  checks.push({
    section: 'host',
    name: 'cgroup-v2',
    status: v2 ? 'OK' : 'WARN',
    detail: v2
      ? `${config.cgroupMount} (v2 hierarchy present)`
      : `${config.cgroupMount} (no v2 hierarchy; v1 in use)`,
  });
  const plugins = ['bridge', 'loopback'].filter(
    (p) => !config.cniBinDirs.some((d) => existsSync(join(d, p))),
  );
  checks.push({
    section: 'host',
    name: 'cni-plugins',
    status: plugins.length === 0 ? 'OK' : daemonUp ? 'WARN' : 'FAIL',
    detail: plugins.length === 0 ? config.cniBinDirs.join(':') : `missing: ${plugins.join(', ')}`,
    remediation: plugins.length === 0 ? undefined : `install the CNI plugins into ${config.cniBinDirs[0]}`,
  });
  // state
  const sockDir = dirname(
    resolveDaemonListenSocket({
      envSocket: ctx.env.KUKEOND_SOCKET,
      explicitRunPath: ctx.settings.explicitRunPath,
    }),
  );
  let orphans: string[];
  try {
    orphans = readdirSync(sockDir).filter(
      (f) => f !== 'kukeond.sock' && f !== 'kukeond.pid' && !statSync(join(sockDir, f)).isDirectory(),
    );
  } catch {
    orphans = [];
  }
  checks.push({
    section: 'state',
    name: 'run-dir',
    status: orphans.length === 0 ? 'OK' : 'WARN',
    detail: orphans.length === 0 ? sockDir : `unexpected entries in ${sockDir}: ${orphans.join(', ')}`,
  });
  checks.push(await volumeCheck(daemonUp ? daemon : ctx.api('in-process')));
  // parity
  if (!daemonUp)
    checks.push({
      section: 'parity',
      name: 'realms',
      status: 'WARN',
      detail: 'skipped: daemon not reachable',
    });
  else {
    let a: string[] | undefined;
    let b: string[] | undefined;
    let problem = '';
    try {
      a = await names(daemon);
    } catch (err) {
      problem = `daemon errored: ${errorText(err)}`;
    }
    try {
      b = await names(ctx.api('in-process'));
    } catch (err) {
      problem = `in-process errored: ${errorText(err)}`;
    }
    if (!a || !b) checks.push({ section: 'parity', name: 'realms', status: 'WARN', detail: problem });
    else {
      const onlyA = a.filter((x) => !b.includes(x));
      const onlyB = b.filter((x) => !a.includes(x));
      if (onlyA.length === 0 && onlyB.length === 0)
        checks.push({
          section: 'parity',
          name: 'realms',
          status: 'OK',
          detail:
            a.length === 0 ? '0 items (both branches empty)' : `${a.length} items match (${a.join(', ')})`,
        });
      else
        checks.push({
          section: 'parity',
          name: 'realms',
          status: 'FAIL',
          detail: `daemon-only: ${onlyA.join(', ') || '-'}; in-process-only: ${onlyB.join(', ') || '-'}`,
        });
    }
  }
  const ok = checks.every((c) => c.status !== 'FAIL');
  if (o.json) ctx.out.write(JSON.stringify({ ok, checks }, null, 2) + '\n');
  else ctx.out.write(renderChecks(checks, o.verbose));
  if (!ok) throw new SilentExit();
}
