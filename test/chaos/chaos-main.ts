/**
 * `npm run chaos` entry: runs the fault-injection harness with KUKEON_CHAOS_CRASHES crashes
 * (default 100; KUKEON_CHAOS_SEED replays a run) and exits non-zero on any violation.
 */
import { formatReport, runChaos, violations } from './chaos-harness.js';

const crashes = Number(process.env.KUKEON_CHAOS_CRASHES ?? 100);
const seed = process.env.KUKEON_CHAOS_SEED ? Number(process.env.KUKEON_CHAOS_SEED) : undefined;
if (!Number.isInteger(crashes) || crashes < 1) {
  console.error(`KUKEON_CHAOS_CRASHES must be a positive integer, got "${process.env.KUKEON_CHAOS_CRASHES}"`);
  process.exit(2);
}
const report = await runChaos({ crashes, seed, log: (l) => console.log(l) });
console.log(formatReport(report));
process.exit(violations(report) === 0 && report.crashes >= crashes ? 0 : 1);
