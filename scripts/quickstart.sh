#!/usr/bin/env bash
# npm run quickstart: the newcomer path on a fresh Debian machine, as root — prerequisites, build,
# containerd (started if none runs), `kuke init` (which starts kukeond), the busybox test image
# loaded into the default realm, an example cell applied, and `kuke get cells` showing it.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $(id -u) -ne 0 ]]; then
  echo "quickstart: run as root (it installs packages, creates cgroups, bridges and a daemon)" >&2
  exit 1
fi

bash scripts/install-prereqs.sh
npm run --silent build
# kuke and kukeond on the PATH (links into this checkout's build; `kuke uninstall` removes them).
bash scripts/install-bin.sh
kuke() { "${KUKEON_BIN_DIR:-/usr/local/bin}/kuke" "$@"; }

sock=/run/containerd/containerd.sock
if ! ctr --address "$sock" version >/dev/null 2>&1; then
  if [[ -d /run/systemd/system ]]; then
    echo "quickstart: starting containerd (systemd)"
    systemctl start containerd
  else
    echo "quickstart: starting containerd (no systemd: a background process, log /var/log/containerd-quickstart.log)"
    nohup containerd >/var/log/containerd-quickstart.log 2>&1 &
  fi
  for _ in $(seq 1 100); do ctr --address "$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
  ctr --address "$sock" version >/dev/null
fi

kuke init

images=$(mktemp -d /tmp/kukeon-quickstart.XXXXXX)
node dist/scripts/make-test-images.js "$images" >/dev/null
kuke image load --realm default "$images/busybox.tar"
rm -rf "$images"

kuke apply -f examples/hello-cell.yaml
kuke get cells
echo
echo "quickstart: done. Try: kuke get cell hello -o yaml | kuke log hello --container web | kuke stop hello"
