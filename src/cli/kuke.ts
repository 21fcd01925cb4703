#!/usr/bin/env node
import { fdOutput } from './fd-output.js';
import { runKuke } from './main.js';

// Injected by the esbuild bundle (no package.json next to it); tsc builds read package.json.
declare const KUKE_VERSION: string | undefined;
const version =
  typeof KUKE_VERSION === 'string' ? KUKE_VERSION : (await import('../version.js')).packageVersion();

const code = await runKuke(
  process.argv.slice(2),
  { env: process.env, out: fdOutput(1), err: fdOutput(2), blockingDaemonCalls: true },
  version,
);
// Exit explicitly: an in-process runner or a follow loop must not keep the process alive.
process.exit(code);
