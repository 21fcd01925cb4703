/**
 * The bundled `kuke` bin (dist/kuke/kuke.cjs) as the e2e tests that drive a real kukeond run it:
 * its path, the skip reason when it cannot run here, and one synchronous run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const kukeBundle = fileURLToPath(new URL('../../kuke/kuke.cjs', import.meta.url));

/** Why a test needing root, a kukeond and the bundle is skipped here (false: it runs). */
export const bundleSkip: string | false =
  process.getuid?.() !== 0
    ? 'needs root (containerd, runc, cgroups, CNI)'
    : !existsSync(kukeBundle)
      ? 'the kuke bundle is not built (node dist/src/cli/bundle/build-bundle.js)'
      : false;

/** `kuke <args>` with exactly `env`, to completion. */
export function runKuke(
  env: NodeJS.ProcessEnv,
  args: string[],
  timeoutMs = 120_000,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [kukeBundle, ...args], { env, encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
