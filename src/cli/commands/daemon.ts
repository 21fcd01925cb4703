import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, cliErrorCodes, q } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { requireRoot } from '../root-check.js';
import { kukeonGroupName, loadAdminConfig, type AdminConfig } from './admin-config.js';
import {
  killPid,
  kukeondPath,
  parseDurationMs,
  ping,
  removeSocketFiles,
  runningPid,
  serveArgs,
  shareSocket,
  startDetached,
  stopPid,
  waitReady,
} from './daemon-process.js';
import { groupGid } from './kukeon-group.js';
import { installUnit, systemdUsable, unitPath } from './systemd-unit.js';

export type DaemonVerb = 'start' | 'stop' | 'kill' | 'restart' | 'recreate' | 'status' | 'reset' | 'logs';

/** The daemon runs under systemd when `kuke init` installed a unit and systemd is usable. */
function underSystemd(): boolean {
  return existsSync(unitPath) && systemdUsable();
}

/** `kuke init` has run: the kuke-system realm's metadata exists. */
function initialized(ctx: CliContext): boolean {
  return existsSync(join(ctx.hostConfig().runPath, 'data', 'kuke-system', 'metadata.json'));
}

function requireInitialized(ctx: CliContext): void {
  if (!initialized(ctx))
    throw new CliError(
      cliErrorCodes.failed,
      'kukeon host is not initialized: kuke-system realm metadata is missing; run `kuke init` first',
    );
}

/** The daemon's log file when it runs as a process (`kuke init` and `daemon start` write it). */
export function daemonLogPath(ctx: CliContext): string {
  return join(ctx.hostConfig().runPath, 'kukeond.log');
}

async function start(ctx: CliContext, admin: AdminConfig): Promise<void> {
  const pid = runningPid(admin.socket);
  if (
    pid !== undefined &&
    (await ping(admin.socket).then(
      () => true,
      () => false,
    ))
  ) {
    ctx.out.write(`kukeond is already running (pid ${pid})\n`);
    return;
  }
  if (underSystemd()) execFileSync('systemctl', ['start', 'kukeond.service'], { stdio: 'ignore' });
  else {
    const config = ctx.hostConfig();
    const args = serveArgs(config, admin.serverConfigPath, admin.socket, groupGid(kukeonGroupName(ctx)) ?? 0);
    startDetached(kukeondPath(ctx.env), args, daemonLogPath(ctx));
  }
  await waitReady(admin.socket);
  ctx.out.write(`kukeond started (pid ${runningPid(admin.socket) ?? '?'}, socket ${admin.socket})\n`);
}

async function stop(ctx: CliContext, admin: AdminConfig, timeoutMs: number, already: string): Promise<void> {
  if (underSystemd()) {
    execFileSync('systemctl', ['stop', 'kukeond.service'], { stdio: 'ignore' });
    ctx.out.write('kukeond stopped (systemd unit kukeond.service)\n');
    return;
  }
  const pid = runningPid(admin.socket);
  if (pid === undefined) {
    ctx.out.write(`${already}\n`);
    return;
  }
  const how = await stopPid(pid, timeoutMs);
  if (how === 'stopped') ctx.out.write(`kukeond stopped (pid ${pid})\n`);
  else ctx.out.write(`kukeond force-killed after ${timeoutMs / 1000}s grace period expired (pid ${pid})\n`);
}

/**
 * SIGKILL, no grace (docs/daemon.md): the process is waited for, then the socket and pid file it
 * could not remove are. Nothing running is not an error (stale files are still removed).
 */
async function kill(ctx: CliContext, admin: AdminConfig): Promise<void> {
  if (underSystemd()) {
    // `systemctl kill` alone would let Restart=on-failure bring it back: stop cancels that.
    execFileSync('systemctl', ['kill', '--signal=SIGKILL', 'kukeond.service'], { stdio: 'ignore' });
    execFileSync('systemctl', ['stop', 'kukeond.service'], { stdio: 'ignore' });
    ctx.out.write('kukeond force-killed (systemd unit kukeond.service)\n');
  } else {
    const pid = runningPid(admin.socket);
    if (pid === undefined) ctx.out.write('kukeond is already stopped\n');
    else {
      await killPid(pid);
      ctx.out.write(`kukeond force-killed (pid ${pid})\n`);
    }
  }
  for (const p of removeSocketFiles(admin.socket)) ctx.out.write(`removed ${p}\n`);
}

/**
 * Stop, then start again with this build's kukeond and the current configuration (flags,
 * ServerConfiguration, group): what an upgrade or a configuration change needs.
 */
async function recreate(ctx: CliContext, admin: AdminConfig, timeoutMs: number): Promise<void> {
  await stop(ctx, admin, timeoutMs, 'kukeond was already stopped');
  for (const p of removeSocketFiles(admin.socket)) ctx.out.write(`removed ${p}\n`);
  const config = ctx.hostConfig();
  const group = kukeonGroupName(ctx);
  const gid = groupGid(group) ?? 0;
  const kukeond = kukeondPath(ctx.env);
  const args = serveArgs(config, admin.serverConfigPath, admin.socket, gid);
  if (underSystemd()) {
    installUnit(kukeond, args);
    ctx.out.write(`kukeond recreated (systemd unit ${unitPath}, ${kukeond})\n`);
  } else {
    const pid = startDetached(kukeond, args, daemonLogPath(ctx));
    ctx.out.write(`kukeond recreated (pid ${pid}, ${kukeond})\n`);
  }
  await waitReady(admin.socket);
  if (gid > 0) {
    shareSocket(admin.socket, gid);
    ctx.out.write(`kukeond socket ${q(admin.socket)}: chown root:${group} mode 0660\n`);
  }
  ctx.out.write(`kukeond is ready (unix://${admin.socket})\n`);
}

/** `kuke daemon start|stop|kill|restart|recreate|status|reset|logs` (process or systemd unit). */
export async function daemonVerb(
  ctx: CliContext,
  verb: DaemonVerb,
  o: Record<string, unknown>,
): Promise<void> {
  if (verb !== 'status') requireRoot(ctx, `kuke daemon ${verb}`);
  const admin = await loadAdminConfig(ctx, o.serverConfiguration);
  const timeoutMs = parseDurationMs(typeof o.timeout === 'string' ? o.timeout : '10s');
  switch (verb) {
    case 'start':
      requireInitialized(ctx);
      return start(ctx, admin);
    case 'stop':
      requireInitialized(ctx);
      return stop(ctx, admin, timeoutMs, 'kukeond is already stopped');
    case 'kill':
      requireInitialized(ctx);
      return kill(ctx, admin);
    case 'restart':
      requireInitialized(ctx);
      await stop(ctx, admin, timeoutMs, 'kukeond was already stopped');
      return start(ctx, admin);
    case 'recreate':
      requireInitialized(ctx);
      return recreate(ctx, admin, timeoutMs);
    case 'logs': {
      requireInitialized(ctx);
      const { daemonLogs } = await import('./daemon-logs.js');
      return daemonLogs(ctx, {
        follow: o.follow === true,
        systemd: underSystemd(),
        path: daemonLogPath(ctx),
      });
    }
    case 'status': {
      const pid = runningPid(admin.socket);
      let version: string;
      try {
        version = await ping(admin.socket, 2_000);
      } catch {
        throw new CliError(
          cliErrorCodes.failed,
          `kukeond is not running (socket ${admin.socket}${pid === undefined ? '' : `, pid ${pid} not answering`})`,
        );
      }
      ctx.out.write(
        `kukeond is running (pid ${pid ?? '?'}, version ${version}, socket unix://${admin.socket})\n`,
      );
      return;
    }
    case 'reset': {
      if (runningPid(admin.socket) !== undefined || underSystemd())
        await stop(ctx, admin, timeoutMs, 'kukeond was already stopped');
      else if (!initialized(ctx)) ctx.out.write('kukeond is already torn down (host not initialized)\n');
      else ctx.out.write('kukeond was already stopped\n');
      for (const p of removeSocketFiles(admin.socket)) ctx.out.write(`removed ${p}\n`);
      if (o.purgeSystem === true) {
        const { purgeSystemRealm } = await import('./purge-system.js');
        await purgeSystemRealm(ctx);
      }
      return;
    }
  }
}
