import { ErrorCode } from '../error-codes.js';
import { access, constants, mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostConfig } from '../config.js';
import { CniError } from './errors.js';

/** The plugins a kukeon space network runs (bridge → host-local IPAM, then loopback). */
export const REQUIRED_PLUGINS = ['bridge', 'host-local', 'loopback'] as const;

export interface DirReport {
  role: 'conf' | 'cache' | 'ipam';
  path: string;
  existedBefore: boolean;
  created: boolean;
  existsAfter: boolean;
}

export interface PluginReport {
  name: string;
  /** Where it was found (first match over cniBinDirs), undefined when missing. */
  path?: string;
}

export interface BootstrapReport {
  dirs: DirReport[];
  /** Configured plugin directories that exist, in search order. */
  pluginDirs: string[];
  plugins: PluginReport[];
  missingPlugins: string[];
  /** Every directory exists and every required plugin was found. */
  ok: boolean;
}

/** Thrown when a directory cannot be created; carries the report up to that point. */
export class CniBootstrapError extends CniError {
  constructor(
    readonly report: BootstrapReport,
    cause: unknown,
  ) {
    super(ErrorCode.CNI_BOOTSTRAP_FAILED, `CNI bootstrap: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Prepares the host for space networks (extended): creates the conflist, result
 * cache and IPAM directories (0750) and reports which plugin directories exist and where each
 * required plugin is. Missing plugins are reported, not thrown: attach raises
 * CNI_PLUGIN_NOT_FOUND when it needs one. Plugin directories are never created (an empty one
 * would only hide the real problem).
 */
export async function bootstrapCni(
  cfg: Pick<HostConfig, 'cniConfDir' | 'cniCacheDir' | 'cniBinDirs' | 'cniIpamDir'>,
  plugins: readonly string[] = REQUIRED_PLUGINS,
): Promise<BootstrapReport> {
  const report: BootstrapReport = { dirs: [], pluginDirs: [], plugins: [], missingPlugins: [], ok: false };
  const wanted: [DirReport['role'], string][] = [
    ['conf', cfg.cniConfDir],
    ['cache', cfg.cniCacheDir],
    ['ipam', cfg.cniIpamDir],
  ];
  for (const [role, path] of wanted) {
    const existedBefore = await isDir(path);
    const d: DirReport = { role, path, existedBefore, created: false, existsAfter: existedBefore };
    report.dirs.push(d);
    if (!existedBefore) {
      try {
        await mkdir(path, { recursive: true, mode: 0o750 });
      } catch (cause) {
        throw new CniBootstrapError(report, cause);
      }
      d.created = true;
      d.existsAfter = await isDir(path);
    }
  }
  for (const dir of cfg.cniBinDirs) if (await isDir(dir)) report.pluginDirs.push(dir);
  for (const name of plugins) {
    let found: string | undefined;
    for (const dir of report.pluginDirs) {
      try {
        await access(join(dir, name), constants.X_OK);
        found = join(dir, name);
        break;
      } catch {
        // next dir
      }
    }
    report.plugins.push({ name, path: found });
    if (!found) report.missingPlugins.push(name);
  }
  report.ok = report.missingPlugins.length === 0 && report.dirs.every((d) => d.existsAfter);
  return report;
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
