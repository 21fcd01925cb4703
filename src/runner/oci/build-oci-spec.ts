import { ErrorCode } from '../../error-codes.js';
import { applyCapabilityChanges, knownCapabilities } from './capabilities.js';
import type { ContainerSpecInput, ResourcesInput } from './container-spec-input.js';
import { defaultSpec } from './default-spec.js';
import { allowRule, ociDevice, resolveDevices } from './devices.js';
import { DEFAULT_PATH_ENV, composeEnv, replaceOrAppendEnv } from './env.js';
import type { HostFacts } from './host-facts.js';
import { etcFileMounts, nestedCgroupMount, secretMounts, tmpfsMounts, volumeMounts } from './mounts.js';
import { addNamespace, joinNamespaces, removeNamespace } from './namespaces.js';
import { OciSpecError } from './oci-errors.js';
import type { OciDevice, OciMount, OciSpec } from './oci-spec.js';
import { clampRlimits } from './rlimits.js';
import { parseSecurityOpts } from './security-opts.js';
import { resolveUser } from './user.js';

/** Annotation carrying the space's CNI conflist path. */
export const CNI_CONFIG_ANNOTATION = 'io.kukeon.cni.config';
/** Read by containerd-shim-runc-v2's `start`: same value, same shim (see ContainerSpecInput). */
export const SHIM_GROUP_ANNOTATION = 'io.containerd.runc.v2.group';

/**
 * Builds the OCI runtime spec of one container: containerd's default Linux spec, then the
 * image config, then kukeon's options in the order docs/oci-spec.md lists (later ones win). Pure: all
 * host and image facts come in through `facts`. Throws OciSpecError (typed codes) on bad input.
 */
export function buildOciSpec(input: ContainerSpecInput, facts: HostFacts = {}): OciSpec {
  const spec = defaultSpec(input.namespace, input.containerdId);
  const p = spec.process;
  const image = input.imageConfig ?? {};

  // Image config: env (with the default PATH under it), ENTRYPOINT+CMD, WORKDIR. USER is
  // resolved once below, together with the container's own user, which replaces it.
  p.env = replaceOrAppendEnv([DEFAULT_PATH_ENV], image.Env ?? []);
  p.args = [...(image.Entrypoint ?? []), ...(image.Cmd ?? [])];
  if (image.WorkingDir) p.cwd = image.WorkingDir;

  // 2. cell etc files.
  spec.mounts.push(...etcFileMounts(input));
  // 3. args: Command replaces ENTRYPOINT+CMD (with Args after it); Args alone replaces both.
  if (input.command) p.args = [input.command, ...(input.args ?? [])];
  else if (input.args?.length) p.args = [...input.args];
  // 4. cwd.
  if (input.workingDir) p.cwd = input.workingDir;
  // 5. env: image < defaults (identity, git) < container env (+ secrets) < runtime env.
  const userEnv = [...(input.env ?? []), ...(input.secretEnv ?? [])];
  const defaults = [...(input.identityEnv ?? []), ...(input.defaultEnv ?? [])];
  p.env = replaceOrAppendEnv(p.env, composeEnv(defaults, userEnv));
  if (input.runtimeEnv?.length) p.env = replaceOrAppendEnv(p.env, input.runtimeEnv);

  const known = knownCapabilities(facts.capLastCap);
  const allCaps = facts.currentCapabilities
    ? facts.currentCapabilities.filter((c) => known.includes(c))
    : known;
  // 6. privileged.
  if (input.privileged) applyPrivileged(spec, allCaps, facts);
  // 7–10. namespaces and the nested cgroup mount.
  if (input.hostNetwork) removeNamespace(spec, 'network');
  if (input.hostPID) removeNamespace(spec, 'pid');
  if (!input.hostCgroup) addNamespace(spec, 'cgroup');
  if (input.nestedCgroupRuntime && !input.hostCgroup) spec.mounts.push(nestedCgroupMount());
  // 11. volumes, file secrets and tmpfs entries: the container's own mounts, parents before
  // what lies inside them (a stable sort by path depth, as Docker does), so a tmpfs at /run does
  // not hide a secret staged at /run/secrets/x nor a volume at /run/data.
  spec.mounts.push(
    ...byDepth([
      ...volumeMounts(input.volumes),
      ...secretMounts(input.secretMounts),
      ...tmpfsMounts(input.tmpfs),
    ]),
  );
  // 12. devices.
  for (const node of resolveDevices(input.devices, facts)) {
    addDevice(spec, ociDevice(node));
    spec.linux.resources.devices.push(allowRule(node));
  }
  // 13. cgroupsPath: always absolute (a relative one lands under containerd's own cgroup).
  if (input.cellCgroupPath !== undefined)
    spec.linux.cgroupsPath = cgroupsPath(input.cellCgroupPath, input.containerdId);
  // 14. security.
  p.user = resolveUser(input.user || image.User, facts.readRootfsFile);
  if (input.readOnlyRootFilesystem) spec.root.readonly = true;
  if (input.capabilities) {
    const caps = applyCapabilityChanges(p.capabilities.bounding, input.capabilities, {
      allCapabilities: allCaps,
      known,
    });
    p.capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps] };
  }
  applySecurityOpts(spec, input.securityOpts, facts);
  applyResources(spec, input.resources);
  // 15. kukeon group (and the container's own), after user resolution so they survive.
  for (const gid of [input.kukeonGroupGid ?? 0, ...(input.supplementaryGids ?? [])]) {
    const gids = p.user.additionalGids ?? [];
    if (gid > 0 && !gids.includes(gid)) p.user.additionalGids = [...gids, gid];
  }
  // 16. daemon default memory limit.
  if ((input.defaultMemoryLimitBytes ?? 0) > 0 && !((input.resources?.memoryLimitBytes ?? 0) > 0)) {
    spec.linux.resources.memory = { limit: input.defaultMemoryLimitBytes };
  }
  // 17. attachable: a terminal; full-screen programs need TERM, which images rarely set.
  if (input.terminal) {
    p.terminal = true;
    if (!p.env.some((e) => e.startsWith('TERM='))) p.env = [...p.env, 'TERM=xterm'];
  }
  // 18. annotations.
  const annotations: Record<string, string> = { ...(input.annotations ?? {}) };
  if (input.cniConfigPath) annotations[CNI_CONFIG_ANNOTATION] = input.cniConfigPath;
  if (input.shimGroup) annotations[SHIM_GROUP_ANNOTATION] = input.shimGroup;
  if (Object.keys(annotations).length) spec.annotations = annotations;

  // Hostname: only the root names the cell's UTS namespace; a container joining one never does.
  if (input.role === 'root' && !input.joinNamespaces?.uts)
    spec.hostname = input.hostname || input.containerdId;
  p.rlimits = clampRlimits(p.rlimits, facts.hardRlimits);
  if (p.args.length === 0) {
    throw new OciSpecError(
      ErrorCode.OCI_NO_COMMAND,
      `container ${input.containerdId}: no command and the image defines none`,
    );
  }
  return input.joinNamespaces ? joinNamespaces(spec, input.joinNamespaces) : spec;
}

/** Mounts ordered by the depth of their destination; equal depths keep their order. */
function byDepth(mounts: readonly OciMount[]): OciMount[] {
  const depth = (m: OciMount) => m.destination.split('/').filter(Boolean).length;
  return [...mounts].sort((a, b) => depth(a) - depth(b));
}

/** `<cellCgroupPath>/<containerdId>`; the cell path must be absolute. */
export function cgroupsPath(cellCgroupPath: string, containerdId: string): string {
  if (!cellCgroupPath.startsWith('/')) {
    throw new OciSpecError(
      ErrorCode.OCI_INVALID_CGROUPS_PATH,
      `cell cgroup path "${cellCgroupPath}" must be absolute`,
    );
  }
  return `${cellCgroupPath.replace(/\/+$/, '')}/${containerdId}`;
}

function addDevice(spec: OciSpec, device: OciDevice): void {
  const devices = (spec.linux.devices ?? []).filter((d) => d.path !== device.path);
  spec.linux.devices = [...devices, device];
}

/**
 * containerd's WithPrivileged + allow-all devices + host devices: every capability the daemon
 * holds, no masked/read-only paths, writable sysfs and cgroupfs, no seccomp/AppArmor/SELinux.
 */
function applyPrivileged(spec: OciSpec, caps: readonly string[], facts: HostFacts): void {
  spec.process.capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps] };
  delete spec.linux.maskedPaths;
  delete spec.linux.readonlyPaths;
  for (const m of spec.mounts) {
    if (m.type === 'sysfs' || m.type === 'cgroup') m.options = m.options.map((o) => (o === 'ro' ? 'rw' : o));
  }
  delete spec.linux.seccomp;
  delete spec.process.apparmorProfile;
  delete spec.process.selinuxLabel;
  spec.linux.resources.devices.push({ allow: true, access: 'rwm' });
  for (const node of facts.hostDevices?.() ?? []) addDevice(spec, ociDevice(node));
}

function applySecurityOpts(spec: OciSpec, entries: readonly string[] | undefined, facts: HostFacts): void {
  for (const opt of parseSecurityOpts(entries)) {
    if (opt.kind === 'no-new-privileges') spec.process.noNewPrivileges = opt.value;
    else if (opt.kind === 'seccomp-unconfined') delete spec.linux.seccomp;
    else spec.linux.seccomp = loadSeccompProfile(opt.path, facts);
  }
}

function loadSeccompProfile(path: string, facts: HostFacts): unknown {
  if (!facts.readSeccompProfile) {
    throw new OciSpecError(
      ErrorCode.OCI_INVALID_SECCOMP_PROFILE,
      `seccomp profile "${path}": no reader configured`,
    );
  }
  let profile: unknown;
  try {
    profile = JSON.parse(facts.readSeccompProfile(path));
  } catch (cause) {
    throw new OciSpecError(
      ErrorCode.OCI_INVALID_SECCOMP_PROFILE,
      `seccomp profile "${path}" cannot be read as JSON`,
      {
        cause,
      },
    );
  }
  if (typeof profile !== 'object' || profile === null || Array.isArray(profile)) {
    throw new OciSpecError(
      ErrorCode.OCI_INVALID_SECCOMP_PROFILE,
      `seccomp profile "${path}" is not a JSON object`,
    );
  }
  return profile;
}

function applyResources(spec: OciSpec, r: ResourcesInput | undefined): void {
  if (!r) return;
  for (const [k, v] of Object.entries(r)) {
    if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) {
      throw new OciSpecError(
        ErrorCode.OCI_INVALID_VALUE,
        `resources.${k} must be a non-negative integer, got ${v}`,
      );
    }
  }
  if ((r.memoryLimitBytes ?? 0) > 0) spec.linux.resources.memory = { limit: r.memoryLimitBytes };
  if ((r.cpuShares ?? 0) > 0) spec.linux.resources.cpu = { shares: r.cpuShares };
  if ((r.pidsLimit ?? 0) > 0) spec.linux.resources.pids = { limit: r.pidsLimit as number };
}
