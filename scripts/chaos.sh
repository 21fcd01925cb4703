#!/usr/bin/env bash
# npm run chaos: build, start a private containerd, build the test images, then run the
# fault-injection harness (test/chaos) until KUKEON_CHAOS_CRASHES crashes (default 100) were
# injected. Prints crashes, leaks, lost and resurrected counts; exits non-zero on any violation.
# KUKEON_CHAOS_SEED=<n> replays a run's random choices.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-prereqs.sh
npm run --silent build

state=$(mktemp -d /tmp/kukeon-chaos.XXXXXX)
cleanup() {
  bash scripts/containerd-private.sh stop "$state/containerd" || true
  rm -rf "$state"
}
trap cleanup EXIT

bash scripts/containerd-private.sh start "$state/containerd" >/dev/null
export KUKEON_TEST_CONTAINERD_DIR="$state/containerd"
node dist/scripts/make-test-images.js "$state/images" >/dev/null
export KUKEON_TEST_IMAGES_DIR="$state/images"

export KUKEON_CHAOS_CRASHES="${KUKEON_CHAOS_CRASHES:-100}"
node dist/test/chaos/chaos-main.js

# The same promise through the real kuke and kukeond binaries: kukeond SIGKILLed mid-apply and
# mid-delete, then restarted (test/e2e/chaos-daemon-kill.test.ts; npm test runs 4).
KUKEON_CHAOS_DAEMON_ROUNDS="${KUKEON_CHAOS_DAEMON_ROUNDS:-15}" \
  node --test --test-reporter=spec dist/test/e2e/chaos-daemon-kill.test.js
