/**
 * Runs one runner operation in a child process, so a test can SIGKILL it at a failpoint
 * (KUKEON_TEST_FAILPOINTS) and then check what the next runner's recovery makes of the host.
 * argv[2]: JSON `{ config, op, args }`; prints the result as JSON on success.
 */
import { Runner } from '../../src/runner/runner.js';
import type { HostConfig } from '../../src/config.js';

interface Job {
  config: HostConfig;
  op: string;
  args: unknown[];
}

const job = JSON.parse(process.argv[2]) as Job;
const runner = await Runner.open(job.config);
try {
  const fn = (runner as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[job.op];
  const result = await fn(...job.args);
  process.stdout.write(JSON.stringify(result ?? null));
} finally {
  runner.close();
}
