#!/usr/bin/env bash
# npm test: install what is missing, build, start a private containerd, run every unit and
# end-to-end test with node's test runner, stop containerd, and check the host is left clean.
#
# `bash scripts/test.sh <file>...` runs only the given test files (sources such as
# test/e2e/cli-cells.test.ts or src/api/serialise.test.ts, or their compiled dist/ paths) with
# the same private containerd and test images; KUKEON_TEST_NO_BUILD=1 skips the build.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-prereqs.sh
[[ "${KUKEON_TEST_NO_BUILD:-}" == 1 ]] || npm run --silent build

files=()
for f in "$@"; do
  case "$f" in
    dist/*) files+=("$f") ;;
    *.ts) files+=("dist/${f%.ts}.js") ;;
    *) files+=("$f") ;;
  esac
done
((${#files[@]})) || mapfile -t files < <(find dist/src dist/test -name '*.test.js' | sort)

state=$(mktemp -d /tmp/kukeon-test.XXXXXX)
cleanup() {
  bash scripts/containerd-private.sh stop "$state/containerd" || true
  rm -rf "$state"
  # runc keeps an empty state dir per containerd namespace; remove those of the test namespaces
  # (t-* from the lower-layer tests; rmdir never removes a directory that is still in use).
  for d in /run/containerd/runc/t-*; do rmdir "$d" 2>/dev/null || true; done
}
trap cleanup EXIT

bash scripts/containerd-private.sh start "$state/containerd" >/dev/null
export KUKEON_TEST_CONTAINERD_DIR="$state/containerd"
export KUKEON_TEST_STATE_DIR="$state"

# Test images are built once per run from the host's static busybox (reproducible digests).
node dist/scripts/make-test-images.js "$state/images" >/dev/null
export KUKEON_TEST_IMAGES_DIR="$state/images"

# Files are run one at a time: end-to-end tests share host resources (cgroups, iptables) and the
# machine has two cores. The spec reporter's closing lines are node's own summary.
node --test --test-concurrency=1 --test-reporter=spec "${files[@]}"
