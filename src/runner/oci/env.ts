/** containerd's default PATH, used when neither the image nor the container sets one. */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `KEY=value` → `KEY`; a bare `KEY` is its own key. */
export function envKey(entry: string): string {
  const i = entry.indexOf('=');
  return i < 0 ? entry : entry.slice(0, i);
}

/**
 * containerd's replace-or-append: each override replaces the entry with the same key in place, or
 * is appended; a bare `KEY` (no `=`) removes the key. Later overrides win over earlier ones.
 */
export function replaceOrAppendEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const out: (string | undefined)[] = [...base];
  const index = new Map<string, number>();
  out.forEach((e, i) => {
    if (e !== undefined && !index.has(envKey(e))) index.set(envKey(e), i);
  });
  for (const o of overrides) {
    const key = envKey(o);
    const at = index.get(key);
    const remove = !o.includes('=');
    if (at !== undefined) {
      out[at] = remove ? undefined : o;
      if (remove) index.delete(key);
    } else if (!remove) {
      index.set(key, out.length);
      out.push(o);
    }
  }
  // Duplicate keys in the base are dropped after the first, so the result has one entry per key.
  const seen = new Set<string>();
  return out.filter((e): e is string => {
    if (e === undefined) return false;
    const k = envKey(e);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Defaults whose key the user env also sets are dropped; user entries follow in order. */
export function composeEnv(defaults: readonly string[], user: readonly string[]): string[] {
  const userKeys = new Set(user.map(envKey));
  return [...defaults.filter((d) => !userKeys.has(envKey(d))), ...user];
}

/** The identity variables, each only when its source is non-empty, in this order. */
export function identityEnv(id: {
  cellName?: string;
  containerId?: string;
  realm?: string;
  space?: string;
  stack?: string;
  cellCgroupPath?: string;
}): string[] {
  const pairs: [string, string | undefined][] = [
    ['KUKEON_CELL_NAME', id.cellName],
    ['KUKEON_CONTAINER_ID', id.containerId],
    ['KUKEON_REALM', id.realm],
    ['KUKEON_SPACE', id.space],
    ['KUKEON_STACK', id.stack],
    ['KUKEON_CGROUP_PATH', id.cellCgroupPath],
  ];
  return pairs.filter(([, v]) => v).map(([k, v]) => `${k}=${v}`);
}

/** The container's git identity, as plain data. */
export interface GitEnvInput {
  author?: { name?: string; email?: string };
  committer?: { name?: string; email?: string };
  signingKey?: string;
  sign?: readonly ('commits' | 'tags')[];
  allowedSignersFile?: string;
}

/** GIT_AUTHOR_*, GIT_COMMITTER_*, then git config pairs as GIT_CONFIG_COUNT/KEY_i/VALUE_i. */
export function gitEnv(git: GitEnvInput | undefined): string[] {
  if (!git) return [];
  const env: string[] = [];
  if (git.author) {
    if (git.author.name) env.push(`GIT_AUTHOR_NAME=${git.author.name}`);
    if (git.author.email) env.push(`GIT_AUTHOR_EMAIL=${git.author.email}`);
  }
  if (git.committer) {
    if (git.committer.name) env.push(`GIT_COMMITTER_NAME=${git.committer.name}`);
    if (git.committer.email) env.push(`GIT_COMMITTER_EMAIL=${git.committer.email}`);
  }
  const config: [string, string][] = [];
  if (git.signingKey) config.push(['user.signingkey', git.signingKey], ['gpg.format', 'ssh']);
  for (const s of git.sign ?? []) {
    if (s === 'commits') config.push(['commit.gpgsign', 'true']);
    if (s === 'tags') config.push(['tag.gpgsign', 'true']);
  }
  if (git.allowedSignersFile) config.push(['gpg.ssh.allowedSignersFile', git.allowedSignersFile]);
  if (config.length) {
    env.push(`GIT_CONFIG_COUNT=${config.length}`);
    config.forEach(([k, v], i) => env.push(`GIT_CONFIG_KEY_${i}=${k}`, `GIT_CONFIG_VALUE_${i}=${v}`));
  }
  return env;
}
