import { resolveDaemonListenSocket } from '../../protocol/socket-path.js';
import type { CliContext } from '../context.js';

/** The ServerConfiguration path of the admin verbs: flag > `KUKEOND_CONFIGURATION` > default. */
export function serverConfigPath(ctx: CliContext, flag: unknown): string {
  return (typeof flag === 'string' && flag) || ctx.env.KUKEOND_CONFIGURATION || '/etc/kukeon/kukeond.yaml';
}

/** What the admin verbs (`init`, `daemon *`, `uninstall`) read from the ServerConfiguration. */
export interface AdminConfig {
  serverConfigPath: string;
  /** The daemon's listen socket. */
  socket: string;
}

/** Loads the ServerConfiguration (missing → defaults) and resolves the listen socket. */
export async function loadAdminConfig(ctx: CliContext, flag: unknown): Promise<AdminConfig> {
  const path = serverConfigPath(ctx, flag);
  const { loadConfigurationFile } = await import('../../store/server-configuration-file.js');
  const file = await loadConfigurationFile(path);
  const fileSocket = file && file.socket !== '/run/kukeon/kukeond.sock' ? file.socket : undefined;
  return {
    serverConfigPath: path,
    socket: resolveDaemonListenSocket({
      envSocket: ctx.env.KUKEOND_SOCKET,
      serverConfigSocket: fileSocket,
      explicitRunPath: ctx.settings.explicitRunPath,
    }),
  };
}

/** The group the socket is shared with; `KUKEON_GROUP` lets tests use a group of their own. */
export function kukeonGroupName(ctx: CliContext): string {
  return ctx.env.KUKEON_GROUP || 'kukeon';
}

/**
 * The system user of the group: `KUKEON_USER`, else the group's name (`kukeon`, as upstream), so a
 * test that names its own group also gets its own user.
 */
export function kukeonUserName(ctx: CliContext): string {
  return ctx.env.KUKEON_USER || kukeonGroupName(ctx);
}
