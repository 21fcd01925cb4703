#!/usr/bin/env bash
# Starts or stops a private containerd for tests and benchmarks: its own socket, root and state
# under DIR, never the user's system containerd.
#   containerd-private.sh start DIR   → prints the socket path once it answers
#   containerd-private.sh stop DIR    → stops it by PID and waits for it to exit
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
sock="$dir/containerd.sock"

case "$cmd" in
start)
  mkdir -p "$dir/root" "$dir/state"
  # The CRI plugin is disabled: it would try to manage CNI and pull sandbox images.
  cat >"$dir/config.toml" <<TOML
version = 2
root = "$dir/root"
state = "$dir/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$sock"
[ttrpc]
  address = "$sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
TOML
  containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  echo $! >"$dir/containerd.pid"
  for _ in $(seq 1 100); do
    if [[ -S "$sock" ]] && ctr --address "$sock" version >/dev/null 2>&1; then
      echo "$sock"
      exit 0
    fi
    if ! kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; then break; fi
    sleep 0.1
  done
  echo "private containerd did not become ready; log: $dir/containerd.log" >&2
  tail -20 "$dir/containerd.log" >&2 || true
  exit 1
  ;;
stop)
  [[ -f "$dir/containerd.pid" ]] || exit 0
  pid=$(cat "$dir/containerd.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$dir/containerd.pid"
  # Shims outlive containerd by design; a test that leaked a task would leave one behind.
  # Report and end them, then unmount whatever they left mounted under DIR.
  if pkill -KILL -f -- "containerd-shim-runc-v2 .*-address $sock" 2>/dev/null; then
    echo "containerd-private: killed leftover shims of $sock" >&2
  fi
  { grep -o " $dir/[^ ]*" /proc/self/mounts 2>/dev/null || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
