import { ErrorCode } from '../../error-codes.js';
import type { DeviceNode, HostFacts } from './host-facts.js';
import { OciSpecError } from './oci-errors.js';
import type { OciDevice, OciDeviceCgroupRule } from './oci-spec.js';

export function ociDevice(node: DeviceNode): OciDevice {
  return {
    path: node.path,
    type: node.type,
    major: node.major,
    minor: node.minor,
    fileMode: node.fileMode,
    uid: node.uid,
    gid: node.gid,
  };
}

export function allowRule(node: DeviceNode): OciDeviceCgroupRule {
  return { allow: true, type: node.type, major: node.major, minor: node.minor, access: 'rwm' };
}

/** Stat each host path; a missing node (or a non-device) fails with its path. */
export function resolveDevices(paths: readonly string[] | undefined, facts: HostFacts): DeviceNode[] {
  return (paths ?? []).map((path) => {
    if (!path.startsWith('/')) {
      throw new OciSpecError(
        ErrorCode.OCI_DEVICE_NOT_FOUND,
        `device "${path}" must be an absolute host path`,
      );
    }
    const node = facts.statDevice?.(path);
    if (!node)
      throw new OciSpecError(ErrorCode.OCI_DEVICE_NOT_FOUND, `device "${path}" not found on the host`);
    return { ...node, path };
  });
}
