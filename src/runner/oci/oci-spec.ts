import type { OciMount } from '../../model/oci-defaults.js';
/**
 * The subset of the OCI runtime spec (1.0.2) that kukeon writes. Field names and shapes follow
 * the spec's JSON exactly, because containerd stores and hands the spec to runc as JSON.
 */
export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly?: boolean };
  hostname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: OciLinux;
}

export interface OciProcess {
  terminal?: boolean;
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  rlimits: OciRlimit[];
  noNewPrivileges: boolean;
  apparmorProfile?: string;
  selinuxLabel?: string;
}

export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable?: string[];
  ambient?: string[];
}

export interface OciRlimit {
  type: string;
  hard: number;
  soft: number;
}

export type { OciMount };

export interface OciLinux {
  resources: OciResources;
  cgroupsPath: string;
  namespaces: OciNamespace[];
  devices?: OciDevice[];
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: unknown;
}

export type OciNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup';

export interface OciNamespace {
  type: OciNamespaceType;
  path?: string;
}

export interface OciDevice {
  path: string;
  type: 'c' | 'b' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface OciDeviceCgroupRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access?: string;
}

export interface OciResources {
  devices: OciDeviceCgroupRule[];
  memory?: { limit?: number };
  cpu?: { shares?: number };
  pids?: { limit: number };
}
