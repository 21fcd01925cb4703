import { readFile } from 'node:fs/promises';
import { parseResolvConf, renderResolvConf } from './oci/index.js';

/** The host's resolver configuration a cell's resolv.conf is rendered from. */
export async function hostResolvConf(): Promise<string> {
  const text = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  // systemd-resolved hosts list only 127.0.0.53, which cannot answer inside a cell's netns.
  if (/^\s*nameserver\s+(?!127\.)/m.test(text)) return text;
  return readFile('/run/systemd/resolve/resolv.conf', 'utf8').catch(() => text);
}

/** The nameservers a cell's /etc/resolv.conf lists (what a `deny` space still lets its cells reach on the host). */
export async function cellNameservers(): Promise<string[]> {
  return parseResolvConf(renderResolvConf(await hostResolvConf())).nameservers;
}
