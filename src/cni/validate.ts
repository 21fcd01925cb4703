import { ErrorCode } from '../error-codes.js';
import { CniError } from './errors.js';

// The CNI spec's rule for network names and container IDs.
const CNI_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export function assertNetworkName(name: string): void {
  if (!CNI_NAME.test(name)) {
    throw new CniError(ErrorCode.CNI_INVALID_ARGUMENT, `invalid CNI network name ${JSON.stringify(name)}`);
  }
}

export function assertContainerId(id: string): void {
  if (!CNI_NAME.test(id)) {
    throw new CniError(ErrorCode.CNI_INVALID_ARGUMENT, `invalid CNI container ID ${JSON.stringify(id)}`);
  }
}

/** Linux interface names: 1–15 bytes, no `/`, no whitespace or `:`, not `.` or `..`. */
export function assertIfName(name: string): void {
  if (!name || Buffer.byteLength(name) > 15 || /[/\s:]/.test(name) || name === '.' || name === '..') {
    throw new CniError(ErrorCode.CNI_INVALID_ARGUMENT, `invalid interface name ${JSON.stringify(name)}`);
  }
}

/** An IPv4 CIDR `a.b.c.d/n`; returns the parts. */
export function parseIPv4Cidr(cidr: string): { addr: number; prefix: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const prefix = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || prefix > 32) {
    throw new CniError(ErrorCode.CNI_INVALID_ARGUMENT, `invalid IPv4 CIDR ${JSON.stringify(cidr)}`);
  }
  return { addr: ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0, prefix };
}
