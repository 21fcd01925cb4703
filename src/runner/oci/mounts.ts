import { ErrorCode } from '../../error-codes.js';
import type { SecretMountInput, TmpfsInput, VolumeInput } from './container-spec-input.js';
import { OciSpecError } from './oci-errors.js';
import type { OciMount } from './oci-spec.js';

function bind(source: string, destination: string, readOnly: boolean): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', readOnly ? 'ro' : 'rw'] };
}

function requireAbsolute(what: string, path: string): void {
  if (!path.startsWith('/')) {
    throw new OciSpecError(ErrorCode.OCI_INVALID_MOUNT, `${what} "${path}" must be an absolute path`);
  }
}

function checkSize(what: string, n: number | undefined): void {
  if (n !== undefined && (!Number.isSafeInteger(n) || n < 0)) {
    throw new OciSpecError(ErrorCode.OCI_INVALID_VALUE, `${what} must be a non-negative integer, got ${n}`);
  }
}

/**
 * Read-only binds (hosts, hostname and resolv.conf) of the cell etc files. Host-network containers
 * keep the image's /etc/hosts and /etc/resolv.conf (they see the host's network).
 */
export function etcFileMounts(p: {
  etcHostsPath?: string;
  etcHostnamePath?: string;
  etcResolvConfPath?: string;
  hostNetwork?: boolean;
}): OciMount[] {
  const out: OciMount[] = [];
  if (p.etcHostsPath && !p.hostNetwork) out.push(bind(p.etcHostsPath, '/etc/hosts', true));
  if (p.etcHostnamePath) out.push(bind(p.etcHostnamePath, '/etc/hostname', true));
  if (p.etcResolvConfPath && !p.hostNetwork) out.push(bind(p.etcResolvConfPath, '/etc/resolv.conf', true));
  return out;
}

/** A cgroup filesystem at /sys/fs/cgroup for a runtime nested in the container. */
export function nestedCgroupMount(): OciMount {
  return {
    destination: '/sys/fs/cgroup',
    type: 'cgroup',
    source: 'cgroup',
    options: ['rw', 'nosuid', 'noexec', 'nodev'],
  };
}

/**
 * User mounts. Deliberate change from the original, which skipped entries silently: an empty
 * target, a bind without source, a relative path or an unknown kind is an error, so a typo
 * never yields a container that quietly lacks its data.
 */
export function volumeMounts(volumes: readonly VolumeInput[] | undefined): OciMount[] {
  return (volumes ?? []).map((v) => {
    const kind = v.kind ?? '';
    if (!v.target)
      throw new OciSpecError(ErrorCode.OCI_INVALID_MOUNT, `volume of kind "${kind}" has no target`);
    requireAbsolute('volume target', v.target);
    if (kind === '' || kind === 'bind' || kind === 'volume') {
      if (!v.source)
        throw new OciSpecError(ErrorCode.OCI_INVALID_MOUNT, `volume at "${v.target}" has no source`);
      requireAbsolute('volume source', v.source);
      return bind(v.source, v.target, v.readOnly ?? false);
    }
    if (kind === 'tmpfs') {
      checkSize(`tmpfs volume "${v.target}" sizeBytes`, v.sizeBytes);
      checkSize(`tmpfs volume "${v.target}" mode`, v.mode);
      const options: string[] = [];
      if (v.sizeBytes) options.push(`size=${v.sizeBytes}`);
      if (v.mode) options.push(`mode=${v.mode.toString(8).padStart(4, '0')}`);
      options.push(v.readOnly ? 'ro' : 'rw');
      return { destination: v.target, type: 'tmpfs', source: 'tmpfs', options };
    }
    throw new OciSpecError(ErrorCode.OCI_INVALID_MOUNT, `volume at "${v.target}" has unknown kind "${kind}"`);
  });
}

/** `tmpfs` entries: nosuid,nodev, size if > 0, then the user's options verbatim. */
export function tmpfsMounts(tmpfs: readonly TmpfsInput[] | undefined): OciMount[] {
  return (tmpfs ?? []).map((t) => {
    if (!t.path) throw new OciSpecError(ErrorCode.OCI_INVALID_MOUNT, 'tmpfs entry has no path');
    requireAbsolute('tmpfs path', t.path);
    checkSize(`tmpfs "${t.path}" sizeBytes`, t.sizeBytes);
    const options = ['nosuid', 'nodev'];
    if (t.sizeBytes) options.push(`size=${t.sizeBytes}`);
    options.push(...(t.options ?? []));
    return { destination: t.path, type: 'tmpfs', source: 'tmpfs', options };
  });
}

/** Staged file-form secrets (docs/secrets.md): each file bind-mounted read-only at its target. */
export function secretMounts(mounts: readonly SecretMountInput[] | undefined): OciMount[] {
  return (mounts ?? []).map((m) => {
    requireAbsolute(`secret "${m.name}" mountPath`, m.target);
    return { ...bind(m.source, m.target, true), options: ['rbind', 'ro', 'nosuid', 'nodev', 'noexec'] };
  });
}
