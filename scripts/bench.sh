#!/usr/bin/env bash
# npm run bench: build, start a private containerd, run every benchmark in bench/ and print
# figures side by side with raw ctr (and podman where a benchmark compares with it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-prereqs.sh --with-extras
npm run --silent build
state=$(mktemp -d /tmp/kukeon-bench.XXXXXX)
cleanup() {
  bash scripts/containerd-private.sh stop "$state/containerd" || true
  rm -rf "$state"
}
trap cleanup EXIT
bash scripts/containerd-private.sh start "$state/containerd" >/dev/null
export KUKEON_TEST_CONTAINERD_DIR="$state/containerd"
export KUKEON_TEST_STATE_DIR="$state"
node dist/scripts/make-test-images.js "$state/images" >/dev/null
export KUKEON_TEST_IMAGES_DIR="$state/images"
for f in $(find dist/bench -name '*.bench.js' | sort); do
  echo "== $f"
  node "$f"
done
