#!/usr/bin/env bash
# Installs what kukeon-ts needs on a Debian host, only what is missing (idempotent).
# Host packages: containerd, runc, CNI plugins, static busybox (test images), iptables, tmux
# (the attach tests drive kuke through a real pseudo-terminal with it); for the pull tests
# docker-registry (a private registry per test), skopeo (pushes the test images into it),
# apache2-utils (htpasswd -B) and openssl (a test CA); and podman with the helpers it only
# recommends — netavark (its network backend) and catatonit (its pod infra binary) — for the
# Kubernetes export test, which runs the exported Pod with `podman kube play`; chromium for the
# web view test, which drives Debian's browser headless through playwright-core (no download).
set -euo pipefail
cd "$(dirname "$0")/.."

want=(containerd runc containernetworking-plugins busybox-static iptables iproute2 util-linux tmux
  docker-registry skopeo apache2-utils openssl podman netavark catatonit chromium)

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "kukeon-ts: missing host packages: ${missing[*]} (run as root so they can be installed)" >&2
    exit 1
  fi
  echo "kukeon-ts: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node dependencies: install when missing or when the lock file is newer than the tree.
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
