import { createHash } from 'node:crypto';
import { goJson } from './go-json.js';

/** Bumped whenever the hashed domain changes; stored beside the hash (`kukeon.io/spec-hash-version`). */
export const SPEC_HASH_VERSION = '4';

/**
 * The container-spec fields the hash covers (01-model §6.8). Structural, so callers pass their
 * own ContainerSpec type; everything optional is normalised (absent lists → [], absent numbers → 0).
 */
export interface SpecHashInput {
  image?: string;
  command?: string;
  args?: readonly string[] | null;
  workingDir?: string;
  privileged?: boolean;
  user?: string;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: readonly string[] | null; drop?: readonly string[] | null } | null;
  securityOpts?: readonly string[] | null;
  devices?: readonly string[] | null;
  tmpfs?: readonly { path?: string; sizeBytes?: number | null; options?: readonly string[] | null }[] | null;
  resources?: {
    memoryLimitBytes?: number | null;
    cpuShares?: number | null;
    pidsLimit?: number | null;
  } | null;
  volumes?:
    | readonly {
        kind?: string;
        source?: string;
        target?: string;
        readOnly?: boolean;
        sizeBytes?: number | null;
        mode?: number | null;
      }[]
    | null;
  secrets?:
    | readonly {
        name?: string;
        fromFile?: string;
        fromEnv?: string;
        mountPath?: string;
        secretRef?: { name?: string; realm?: string; space?: string; stack?: string; cell?: string } | null;
      }[]
    | null;
}

/** The canonical payload, keys in the order the original's struct declares them. */
export function specHashPayload(spec: SpecHashInput): unknown {
  const list = (v: readonly string[] | null | undefined): string[] => [...(v ?? [])];
  return {
    image: spec.image ?? '',
    command: spec.command ?? '',
    args: list(spec.args),
    workingDir: spec.workingDir ?? '',
    privileged: spec.privileged ?? false,
    user: spec.user ?? '',
    readOnlyRootFilesystem: spec.readOnlyRootFilesystem ?? false,
    capabilities: { add: list(spec.capabilities?.add), drop: list(spec.capabilities?.drop) },
    securityOpts: list(spec.securityOpts),
    devices: list(spec.devices),
    tmpfs: (spec.tmpfs ?? []).map((t) => ({
      path: t.path ?? '',
      sizeBytes: t.sizeBytes ?? 0,
      options: list(t.options),
    })),
    resources: {
      memoryLimitBytes: spec.resources?.memoryLimitBytes ?? 0,
      cpuShares: spec.resources?.cpuShares ?? 0,
      pidsLimit: spec.resources?.pidsLimit ?? 0,
    },
    volumes: (spec.volumes ?? []).map((v) => ({
      kind: v.kind ?? '',
      source: v.source ?? '',
      target: v.target ?? '',
      readOnly: v.readOnly ?? false,
      sizeBytes: v.sizeBytes ?? 0,
      mode: v.mode ?? 0,
    })),
    secrets: (spec.secrets ?? []).map((s) => ({
      name: s.name ?? '',
      fromFile: s.fromFile ?? '',
      fromEnv: s.fromEnv ?? '',
      mountPath: s.mountPath ?? '',
      secretRef: s.secretRef
        ? {
            name: s.secretRef.name ?? '',
            realm: s.secretRef.realm ?? '',
            space: s.secretRef.space ?? '',
            stack: s.secretRef.stack ?? '',
            cell: s.secretRef.cell ?? '',
          }
        : null,
    })),
  };
}

/** `ComputeContainerSpecHash`: lowercase hex SHA-256 of the compact (Go-compatible) JSON payload. */
export function computeContainerSpecHash(spec: SpecHashInput): string {
  return createHash('sha256')
    .update(goJson(specHashPayload(spec)), 'utf8')
    .digest('hex');
}
