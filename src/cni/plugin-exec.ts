import { ErrorCode } from '../error-codes.js';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { CniError, CniPluginError, CniPluginNotFoundError } from './errors.js';
import { runCommand } from './host-command.js';
import type { RuntimeConf } from './types.js';

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

/** First executable `<dir>/<type>` over `binDirs`, in order. */
export async function findPlugin(type: string, binDirs: readonly string[]): Promise<string> {
  // A plugin type is a file name; anything path-like would escape the plugin directories.
  if (!type || type.includes('/') || type === '.' || type === '..') {
    throw new CniError(ErrorCode.CNI_INVALID_CONFIG, `invalid CNI plugin type ${JSON.stringify(type)}`);
  }
  for (const dir of binDirs) {
    const candidate = join(dir, type);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; try the next directory
    }
  }
  throw new CniPluginNotFoundError(type, binDirs);
}

export interface InvokeOptions {
  binDirs: readonly string[];
  command: CniCommand;
  /** Required for ADD/DEL/CHECK, ignored for VERSION. */
  runtime?: RuntimeConf;
  timeoutMs?: number;
}

/**
 * Runs one plugin per the CNI spec: parameters in CNI_* environment variables, the network
 * configuration on stdin, a result (ADD, VERSION) or nothing (DEL, CHECK) on stdout on success, an
 * error object on stdout with a non-zero exit on failure. Returns the parsed stdout, or undefined
 * when the plugin printed nothing.
 */
export async function invokePlugin(
  pluginPath: string,
  stdinConf: object,
  opts: InvokeOptions,
): Promise<unknown> {
  const plugin = pluginPath.slice(pluginPath.lastIndexOf('/') + 1);
  const rt = opts.runtime;
  const env: NodeJS.ProcessEnv = {
    // Plugins run iptables/ip from PATH (go-iptables looks the binary up).
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
    CNI_COMMAND: opts.command,
    CNI_PATH: opts.binDirs.join(':'),
  };
  if (opts.command !== 'VERSION') {
    if (!rt)
      throw new CniError(ErrorCode.CNI_INVALID_ARGUMENT, `CNI ${opts.command} needs a runtime configuration`);
    env.CNI_CONTAINERID = rt.containerId;
    env.CNI_NETNS = rt.netns;
    env.CNI_IFNAME = rt.ifName;
    env.CNI_ARGS = (rt.args ?? []).map(([k, v]) => `${k}=${v}`).join(';');
  }
  const r = await runCommand(pluginPath, [], {
    env,
    input: JSON.stringify(stdinConf),
    timeoutMs: opts.timeoutMs ?? 60_000,
  }).catch((cause: unknown) => {
    throw new CniError(ErrorCode.CNI_EXEC_FAILED, `CNI plugin "${plugin}" ${opts.command} could not run`, {
      cause,
    });
  });
  const text = r.stdout.trim();
  let parsed: unknown;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new CniError(
        ErrorCode.CNI_EXEC_FAILED,
        `CNI plugin "${plugin}" ${opts.command} exited ${r.code} with non-JSON output: ${text.slice(0, 200)}` +
          (r.stderr.trim() ? `; stderr: ${r.stderr.trim().slice(0, 200)}` : ''),
        { cause },
      );
    }
  }
  if (r.code !== 0) {
    if (isErrorObject(parsed)) {
      throw new CniPluginError(plugin, opts.command, parsed.code, parsed.msg ?? '', parsed.details ?? '');
    }
    throw new CniError(
      ErrorCode.CNI_EXEC_FAILED,
      `CNI plugin "${plugin}" ${opts.command} exited ${r.code} without an error object` +
        (r.stderr.trim() ? `: ${r.stderr.trim().slice(0, 300)}` : ''),
    );
  }
  return parsed;
}

function isErrorObject(v: unknown): v is { code: number; msg?: string; details?: string } {
  return typeof v === 'object' && v !== null && typeof (v as { code?: unknown }).code === 'number';
}
