import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, cliErrorCodes } from '../cli-error.js';
import type { CliContext } from '../context.js';
import { requireRoot } from '../root-check.js';
import { kukeonGroupName, loadAdminConfig, type AdminConfig } from './admin-config.js';
import {
  kukeondPath,
  parseDurationMs,
  ping,
  removeSocketFiles,
  runningPid,
  serveArgs,
  startDetached,
  stopPid,
  waitReady,
} from './daemon-process.js';
import { groupGid } from './kukeon-group.js';
import { systemdUsable, unitPath } from './systemd-unit.js';

export type DaemonVerb = 'start' | 'stop' | 'restart' | 'status' | 'reset';

/** The daemon runs under systemd when `kuke init` installed a unit and systemd is usable. */
function underSystemd(): boolean {
  return existsSync(unitPath) && systemdUsable();
}

function requireInitialized(ctx: CliContext): void {
  const marker = join(ctx.hostConfig().runPath, 'data', 'kuke-system', 'metadata.json');
  if (!existsSync(marker))
    throw new CliError(
      cliErrorCodes.failed,
      'kukeon host is not initialized: kuke-system realm metadata is missing; run `kuke init` first',
    );
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
    startDetached(kukeondPath(ctx.env), args, join(config.runPath, 'kukeond.log'));
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

/** `kuke daemon start|stop|restart|status|reset` for a daemon run as a process or systemd unit. */
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
    case 'restart':
      requireInitialized(ctx);
      await stop(ctx, admin, timeoutMs, 'kukeond was already stopped');
      return start(ctx, admin);
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
      else ctx.out.write('kukeond was already stopped\n');
      for (const p of removeSocketFiles(admin.socket)) ctx.out.write(`removed ${p}\n`);
      if (o.purgeSystem === true) {
        const dir = join(ctx.hostConfig().runPath, 'data', 'kuke-system');
        if (existsSync(dir)) {
          rmSync(dir, { recursive: true, force: true });
          ctx.out.write(`removed ${dir}\n`);
        }
      }
      return;
    }
  }
}
