import type { OciRlimit } from './oci-spec.js';

// /proc/<pid>/limits row names → OCI rlimit types.
const LIMIT_NAMES: Readonly<Record<string, string>> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Hard limits from the text of /proc/self/limits; `unlimited` → Infinity. */
export function parseProcLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const type = LIMIT_NAMES[m[1]];
    if (!type) continue;
    const hard = m[3] === 'unlimited' ? Infinity : Number(m[3]);
    if (!Number.isNaN(hard)) out[type] = hard;
  }
  return out;
}

/**
 * Clamps soft and hard to the host's hard limit. Without CAP_SYS_RESOURCE runc cannot raise a
 * hard limit, and a spec asking for more fails the task start ("operation not permitted").
 */
export function clampRlimits(
  rlimits: readonly OciRlimit[],
  hostHard: Readonly<Record<string, number>> | undefined,
): OciRlimit[] {
  return rlimits.map((r) => {
    const max = hostHard?.[r.type];
    if (max === undefined || max === Infinity) return { ...r };
    return { type: r.type, hard: Math.min(r.hard, max), soft: Math.min(r.soft, max) };
  });
}
