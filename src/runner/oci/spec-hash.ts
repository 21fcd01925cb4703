import { createHash } from 'node:crypto';
import { canonicalJSON as canonicalJson } from '../../model/canonical-json.js';
import { normalizeCapability } from './capabilities.js';
import type { ContainerSpecInput } from './container-spec-input.js';
import { composeEnv, envKey, replaceOrAppendEnv } from './env.js';
import { parseSecurityOpt } from './security-opts.js';

export const SPEC_HASH_LABEL = 'kukeon.io/spec-hash';
export const SPEC_HASH_VERSION_LABEL = 'kukeon.io/spec-hash-version';
/**
 * 4 was the original's domain. Ours differs (env, host flags, hostname, annotations are in;
 * runtime env and secret values are out), so records stamped by another domain are re-stamped,
 * never refused. 6: identity variables left out, the container's own groups in.
 */
export const SPEC_HASH_VERSION = '6';

/**
 * What the user asked for that ends up in the OCI spec — and nothing else. Left out on purpose,
 * because they change without the user changing the container and a start must never be refused
 * for a drift kukeon caused: the image's own config (image drift is tracked by chain ID), the
 * identity/paths the runner derives (containerd ID, namespace, cgroups path, etc-file paths, CNI
 * path, the KUKEON_* variables), namespace join paths (new at every start), daemon-wide settings
 * (kukeon GID, default memory limit), host facts (rlimits, capabilities, device numbers, passwd
 * contents), per-invocation runtime env, and secret values (only their env keys, file names and
 * targets count, and the revision of each `kind: Secret` used, never its data).
 * Values are normalised so inputs that give the same spec hash the same (`net_admin` =
 * `CAP_NET_ADMIN`, absent = empty, duplicate env keys collapsed).
 */
export function specHashDomain(input: ContainerSpecInput) {
  const nested = Boolean(input.nestedCgroupRuntime && !input.hostCgroup);
  const userEnv = [...(input.env ?? []), ...(input.secretEnv ?? []).map(envKey).map((k) => `${k}=<secret>`)];
  return {
    role: input.role,
    image: input.image ?? '',
    args: input.command
      ? [input.command, ...(input.args ?? [])]
      : input.args?.length
        ? [...input.args]
        : null,
    workingDir: input.workingDir ?? '',
    env: replaceOrAppendEnv([], composeEnv(input.defaultEnv ?? [], userEnv)),
    user: (input.user ?? '').trim(),
    privileged: Boolean(input.privileged),
    readOnlyRootFilesystem: Boolean(input.readOnlyRootFilesystem),
    capabilities: {
      add: capSet(input.capabilities?.add),
      drop: capSet(input.capabilities?.drop),
    },
    securityOpts: (input.securityOpts ?? []).map((o) => {
      try {
        return parseSecurityOpt(o);
      } catch {
        return { kind: 'invalid', raw: o.trim() };
      }
    }),
    tmpfs: (input.tmpfs ?? []).map((t) => ({
      path: t.path,
      sizeBytes: t.sizeBytes ?? 0,
      options: [...(t.options ?? [])],
    })),
    volumes: (input.volumes ?? []).map((v) => {
      const tmpfs = v.kind === 'tmpfs';
      return {
        kind: tmpfs ? 'tmpfs' : v.kind === 'bind' || v.kind === 'volume' || !v.kind ? 'bind' : v.kind,
        source: tmpfs ? '' : (v.source ?? ''),
        target: v.target,
        readOnly: Boolean(v.readOnly),
        sizeBytes: tmpfs ? (v.sizeBytes ?? 0) : 0,
        mode: tmpfs ? (v.mode ?? 0) : 0,
      };
    }),
    devices: [...(input.devices ?? [])],
    resources: {
      memoryLimitBytes: input.resources?.memoryLimitBytes ?? 0,
      cpuShares: input.resources?.cpuShares ?? 0,
      pidsLimit: input.resources?.pidsLimit ?? 0,
    },
    hostNetwork: Boolean(input.hostNetwork),
    hostPID: Boolean(input.hostPID),
    hostCgroup: Boolean(input.hostCgroup),
    nestedCgroupRuntime: nested,
    hostname: input.role === 'root' ? input.hostname || input.containerdId : '',
    annotations: { ...(input.annotations ?? {}) },
    attachable: Boolean(input.terminal),
    supplementaryGids: [...new Set((input.supplementaryGids ?? []).filter((g) => g > 0))].sort(
      (a, b) => a - b,
    ),
    // Only present when used, so the hashes of containers without them stay as they were.
    ...(input.secretMounts?.length && {
      secretMounts: input.secretMounts.map((m) => ({ name: m.name, target: m.target })),
    }),
    ...(input.secretRevisions?.length && { secretRevisions: [...input.secretRevisions] }),
  };
}

export type SpecHashDomain = ReturnType<typeof specHashDomain>;

function capSet(names: readonly string[] | undefined): string[] {
  return [...new Set((names ?? []).map(normalizeCapability))].sort();
}

/** hex(SHA-256(canonical JSON of the domain)). */
export function specHash(input: ContainerSpecInput): string {
  return createHash('sha256')
    .update(canonicalJson(specHashDomain(input)))
    .digest('hex');
}

/** The two labels written on every containerd record the runner creates. */
export function specHashLabels(input: ContainerSpecInput): Record<string, string> {
  return { [SPEC_HASH_LABEL]: specHash(input), [SPEC_HASH_VERSION_LABEL]: SPEC_HASH_VERSION };
}

export type SpecHashDecision =
  | { action: 'reuse' }
  /** Stamped by another domain version (or not at all): write our labels, then reuse. */
  | { action: 'restamp' }
  /** Same domain, different hash: the record no longer matches the desired container. */
  | { action: 'drift'; stored: string; desired: string };

/** Whether an existing container record can be reused, from its labels (docs/oci-spec.md). */
export function decideSpecHash(
  labels: Readonly<Record<string, string>> | undefined,
  desired: string,
): SpecHashDecision {
  if (!labels) return { action: 'reuse' };
  if (labels[SPEC_HASH_VERSION_LABEL] !== SPEC_HASH_VERSION) return { action: 'restamp' };
  const stored = labels[SPEC_HASH_LABEL] ?? '';
  if (stored !== '' && stored !== desired) return { action: 'drift', stored, desired };
  return { action: 'reuse' };
}

/**
 * Top-level domain fields that differ between two inputs (e.g. `['resources']`), so the runner
 * can tell an update it applies in place (then re-stamps the labels) from one that needs a new
 * container.
 */
export function diffSpecHashDomain(a: ContainerSpecInput, b: ContainerSpecInput): (keyof SpecHashDomain)[] {
  const da = specHashDomain(a);
  const db = specHashDomain(b);
  const keys = [...new Set([...Object.keys(da), ...Object.keys(db)])] as (keyof SpecHashDomain)[];
  return keys.filter((k) => canonicalJson(da[k]) !== canonicalJson(db[k]));
}
