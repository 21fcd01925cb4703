/** Shapes of the CNI wire format (spec 0.4.0 / 1.0.0) that kukeon produces and consumes. */

/** One plugin entry of a conflist; `type` names the plugin binary. */
export interface PluginConf {
  type: string;
  [key: string]: unknown;
}

/** A network configuration list (`*.conflist`). */
export interface NetConfList {
  cniVersion: string;
  name: string;
  disableCheck?: boolean;
  plugins: PluginConf[];
}

/** What the runtime tells the plugins about one attachment. */
export interface RuntimeConf {
  containerId: string;
  /** Network namespace path; empty for a DEL whose namespace is gone. */
  netns: string;
  ifName: string;
  /** CNI_ARGS key/value pairs (kukeon passes none). */
  args?: [string, string][];
  /**
   * Capability arguments (CNI conventions): handed as `runtimeConfig` to the plugins whose
   * `capabilities` name them. kukeon passes `portMappings` to portmap.
   */
  capabilityArgs?: CapabilityArgs;
}

/** One entry of the `portMappings` capability (CNI conventions). */
export interface CniPortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
  /** Empty = every host address. */
  hostIP?: string;
}

export interface CapabilityArgs {
  portMappings?: CniPortMapping[];
}

export interface CniInterface {
  name: string;
  mac?: string;
  sandbox?: string;
}

export interface CniIPConfig {
  /** Present in results before 1.0.0. */
  version?: string;
  /** Index into `interfaces`. */
  interface?: number;
  /** CIDR notation, e.g. `10.88.0.2/24`. */
  address: string;
  gateway?: string;
}

export interface CniRoute {
  dst: string;
  gw?: string;
}

/** A plugin's ADD result (0.3.0 and later share this shape). */
export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIPConfig[];
  routes?: CniRoute[];
  dns?: Record<string, unknown>;
}

/** A plugin's answer to VERSION. */
export interface CniVersionInfo {
  cniVersion: string;
  supportedVersions: string[];
}
