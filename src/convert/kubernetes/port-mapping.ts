/**
 * A container's `ports` entry (Docker's short syntax `[hostIP:]hostPort:containerPort[/tcp|/udp]`,
 * docs/manifests.md) as a Kubernetes ContainerPort. Returns a reason when the entry has no
 * ContainerPort form.
 */
import type { IContainerPort } from 'kubernetes-models/v1/ContainerPort';

export function containerPortOf(entry: string): IContainerPort | string {
  let rest = entry.trim();
  let protocol: 'TCP' | 'UDP' = 'TCP';
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) {
    const p = rest.slice(slash + 1).toLowerCase();
    if (p !== 'tcp' && p !== 'udp') return `protocol "${p}" is not tcp or udp`;
    protocol = p === 'udp' ? 'UDP' : 'TCP';
    rest = rest.slice(0, slash);
  }
  const parts = rest.split(':');
  if (parts.length > 3) return 'not [hostIP:]hostPort:containerPort[/tcp|/udp]';
  const nums = parts.slice(-2).map((p) => (/^\d{1,5}$/.test(p) ? Number(p) : NaN));
  if (nums.some((n) => !(n >= 1 && n <= 65535))) return 'not [hostIP:]hostPort:containerPort[/tcp|/udp]';
  const containerPort = nums[nums.length - 1];
  const out: IContainerPort = { containerPort, protocol };
  if (nums.length === 2) out.hostPort = nums[0];
  if (parts.length === 3 && parts[0] !== '' && parts[0] !== '0.0.0.0') out.hostIP = parts[0];
  return out;
}
