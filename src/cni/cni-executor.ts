import { ErrorCode } from '../error-codes.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { serializeConflist } from './conflist.js';
import { CniError } from './errors.js';
import { findPlugin, invokePlugin, type CniCommand } from './plugin-exec.js';
import { cacheFilePath, readCacheEntry, removeCacheEntry, writeCacheEntry } from './result-cache.js';
import type { CniResult, CniVersionInfo, NetConfList, PluginConf, RuntimeConf } from './types.js';
import { assertContainerId, assertIfName, assertNetworkName } from './validate.js';

export interface CniExecutorOptions {
  /** Searched in order for plugin binaries (HostConfig.cniBinDirs). */
  binDirs: readonly string[];
  /** Result cache root (HostConfig.cniCacheDir). */
  cacheDir: string;
  logger?: Logger;
  /** Per plugin invocation. */
  timeoutMs?: number;
}

/**
 * Executes a conflist the way libcni does: ADD runs the plugins in order, each getting the previous
 * one's result as `prevResult`, and caches the final result; DEL runs them in reverse with the
 * cached result as `prevResult`; CHECK runs them in order with the cached result. Each plugin gets
 * its own entry plus the list's `name` and `cniVersion` on stdin.
 */
export class CniExecutor {
  readonly binDirs: readonly string[];
  readonly cacheDir: string;
  private readonly log: Logger;
  private readonly timeoutMs: number;

  constructor(opts: CniExecutorOptions) {
    this.binDirs = opts.binDirs;
    this.cacheDir = opts.cacheDir;
    this.log = opts.logger ?? silentLogger;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
  }

  async addNetworkList(list: NetConfList, rt: RuntimeConf): Promise<CniResult> {
    this.validate(list, rt, true);
    let prev: CniResult | undefined;
    for (const plugin of list.plugins) {
      if (idle(plugin, rt)) continue;
      const out = await this.run('ADD', list, plugin, rt, prev);
      prev = asResult(out, plugin.type) ?? prev;
    }
    const result = prev ?? { cniVersion: list.cniVersion };
    await writeCacheEntry(this.cacheDir, {
      kind: 'cniCacheV1',
      containerId: rt.containerId,
      config: Buffer.from(serializeConflist(list)).toString('base64'),
      ifName: rt.ifName,
      networkName: list.name,
      ...(rt.args?.length ? { cniArgs: rt.args } : {}),
      ...(hasCapabilityArgs(rt) ? { capabilityArgs: rt.capabilityArgs } : {}),
      result,
    });
    return result;
  }

  /**
   * DEL in reverse order. Unlike libcni, a failing plugin does not stop the others (a failure
   * must not keep the bridge plugin from releasing the lease); the first error is thrown
   * afterwards and the cache entry is kept so a retry still has its prevResult. The loopback
   * plugin is not run: its DEL only sets `lo` down inside the namespace (which a cell's detach
   * is about to end, and a re-attach's ADD sets up again) and holds nothing on the host, and
   * each plugin exec costs a fork of the daemon (docs/bench.md, "Where the time goes").
   */
  async delNetworkList(list: NetConfList, rt: RuntimeConf): Promise<void> {
    this.validate(list, rt, false);
    const entry = await readCacheEntry(cacheFilePath(this.cacheDir, list.name, rt));
    const cached = entry?.result;
    // What the ADD published is what the DEL must unpublish: the cache knows it (the caller of a
    // DEL rarely does); without a cache entry (a failed ADD) the caller's arguments are used.
    const delRt = { ...rt, capabilityArgs: entry?.capabilityArgs ?? rt.capabilityArgs };
    let firstError: unknown;
    for (const plugin of [...list.plugins].reverse()) {
      if (idle(plugin, delRt) || plugin.type === 'loopback') continue;
      try {
        await this.run('DEL', list, plugin, delRt, cached);
      } catch (err) {
        this.log.warn(
          { err, plugin: plugin.type, network: list.name, containerId: rt.containerId },
          'CNI DEL failed',
        );
        firstError ??= err;
      }
    }
    if (firstError) throw firstError;
    await removeCacheEntry(cacheFilePath(this.cacheDir, list.name, rt));
  }

  /** CHECK needs the cached ADD result (CNI spec: CHECK without prevResult is an error). */
  async checkNetworkList(list: NetConfList, rt: RuntimeConf): Promise<void> {
    this.validate(list, rt, true);
    if (list.disableCheck) return;
    const cached = await this.getCachedResult(list.name, rt);
    if (!cached) {
      throw new CniError(
        ErrorCode.CNI_NO_CACHED_RESULT,
        `no cached CNI result for network ${list.name}, container ${rt.containerId}, interface ${rt.ifName}`,
      );
    }
    for (const plugin of list.plugins) {
      if (idle(plugin, rt)) continue;
      await this.run('CHECK', list, plugin, rt, cached);
    }
  }

  /** The cached ADD result for this attachment, if any. */
  async getCachedResult(
    networkName: string,
    rt: Pick<RuntimeConf, 'containerId' | 'ifName'>,
  ): Promise<CniResult | undefined> {
    const entry = await readCacheEntry(cacheFilePath(this.cacheDir, networkName, rt));
    return entry?.result;
  }

  /** VERSION of one plugin type. */
  async pluginVersion(type: string, cniVersion = '0.4.0'): Promise<CniVersionInfo> {
    const path = await findPlugin(type, this.binDirs);
    const out = (await invokePlugin(
      path,
      { cniVersion },
      {
        binDirs: this.binDirs,
        command: 'VERSION',
        timeoutMs: this.timeoutMs,
      },
    )) as Partial<CniVersionInfo> | undefined;
    if (!out || !Array.isArray(out.supportedVersions)) {
      throw new CniError(
        ErrorCode.CNI_EXEC_FAILED,
        `CNI plugin "${type}" VERSION returned no supportedVersions`,
      );
    }
    return { cniVersion: String(out.cniVersion ?? ''), supportedVersions: out.supportedVersions.map(String) };
  }

  /** Every plugin of the list exists and supports the list's cniVersion (libcni ValidateNetworkList). */
  async validateNetworkList(list: NetConfList): Promise<void> {
    for (const plugin of list.plugins) {
      const info = await this.pluginVersion(plugin.type, list.cniVersion);
      if (!info.supportedVersions.includes(list.cniVersion)) {
        throw new CniError(
          ErrorCode.CNI_VERSION_UNSUPPORTED,
          `CNI plugin "${plugin.type}" does not support cniVersion ${list.cniVersion} (supports ${info.supportedVersions.join(', ')})`,
        );
      }
    }
  }

  private validate(list: NetConfList, rt: RuntimeConf, needNetns: boolean): void {
    assertNetworkName(list.name);
    assertContainerId(rt.containerId);
    assertIfName(rt.ifName);
    if (needNetns && !rt.netns) {
      throw new CniError(
        ErrorCode.CNI_INVALID_ARGUMENT,
        'a network namespace path is required for ADD and CHECK',
      );
    }
  }

  private async run(
    command: CniCommand,
    list: NetConfList,
    plugin: PluginConf,
    rt: RuntimeConf,
    prevResult: CniResult | undefined,
  ): Promise<unknown> {
    const path = await findPlugin(plugin.type, this.binDirs);
    const conf: Record<string, unknown> = { ...plugin, name: list.name, cniVersion: list.cniVersion };
    const runtimeConfig = runtimeConfigFor(plugin, rt);
    if (runtimeConfig) conf.runtimeConfig = runtimeConfig;
    if (prevResult) conf.prevResult = prevResult;
    const started = Date.now();
    try {
      return await invokePlugin(path, conf, {
        binDirs: this.binDirs,
        command,
        runtime: rt,
        timeoutMs: this.timeoutMs,
      });
    } finally {
      this.log.debug(
        {
          plugin: plugin.type,
          command,
          network: list.name,
          containerId: rt.containerId,
          netns: rt.netns,
          ms: Date.now() - started,
        },
        'CNI plugin call',
      );
    }
  }
}

/** The plugin's declared capabilities (`"capabilities": {"portMappings": true}`). */
function capabilitiesOf(plugin: PluginConf): Record<string, unknown> {
  const c = plugin.capabilities;
  return typeof c === 'object' && c !== null ? (c as Record<string, unknown>) : {};
}

function hasCapabilityArgs(rt: RuntimeConf): boolean {
  return Object.values(rt.capabilityArgs ?? {}).some((v) => v !== undefined);
}

/**
 * `runtimeConfig` for a plugin: the capability arguments it declares (libcni injectRuntimeConfig).
 */
function runtimeConfigFor(plugin: PluginConf, rt: RuntimeConf): Record<string, unknown> | undefined {
  const caps = capabilitiesOf(plugin);
  const args = (rt.capabilityArgs ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [name, on] of Object.entries(caps))
    if (on === true && args[name] !== undefined) out[name] = args[name];
  return Object.keys(out).length ? out : undefined;
}

/**
 * A portmap entry given no mappings does nothing on ADD, CHECK or DEL (the plugin returns at once):
 * skipping it saves a plugin exec per attach and detach of every cell that publishes nothing.
 */
function idle(plugin: PluginConf, rt: RuntimeConf): boolean {
  return plugin.type === 'portmap' && !(rt.capabilityArgs?.portMappings?.length ?? 0);
}

function asResult(out: unknown, plugin: string): CniResult | undefined {
  if (out === undefined) return undefined;
  if (typeof out !== 'object' || out === null || typeof (out as CniResult).cniVersion !== 'string') {
    throw new CniError(
      ErrorCode.CNI_EXEC_FAILED,
      `CNI plugin "${plugin}" ADD printed something that is not a result`,
    );
  }
  return out as CniResult;
}
