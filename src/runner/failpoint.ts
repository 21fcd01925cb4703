/**
 * Named crash points for the fault-injection tests (issue: fault tolerance). Enabled only by the
 * test-only variable KUKEON_TEST_FAILPOINTS (comma-separated names, or `*`): when a listed point
 * is reached the process SIGKILLs itself, exactly like an operator's `kill -9` at that instant.
 * Production never sets it; the check is one string lookup.
 */
const enabled = new Set((process.env.KUKEON_TEST_FAILPOINTS ?? '').split(',').filter(Boolean));

export function failpoint(name: string): void {
  if (enabled.size === 0) return;
  if (enabled.has(name) || enabled.has('*')) process.kill(process.pid, 'SIGKILL');
}
